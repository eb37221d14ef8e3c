//! NetworkPolicies: which pods they select, the policy types, and their ingress and
//! egress rules in brief. Enter shows the pods they select.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct PolicyPeer {
    pub pod_selector: Option<K8sSelector>,
    pub namespace_selector: Option<K8sSelector>,
    pub ip_block: Option<serde_json::Value>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct PolicyPort {
    pub protocol: Option<String>,
    pub port: Option<IntOrString>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct PolicyRule {
    #[serde(default, alias = "to")]
    pub from: Vec<PolicyPeer>,
    #[serde(default)]
    pub ports: Vec<PolicyPort>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPolicySpec {
    pub pod_selector: Option<K8sSelector>,
    #[serde(default)]
    pub policy_types: Vec<String>,
    #[serde(default)]
    pub ingress: Vec<PolicyRule>,
    #[serde(default)]
    pub egress: Vec<PolicyRule>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct NetworkPolicy {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: NetworkPolicySpec,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NetworkPolicyRec {
    pub meta: Meta,
    pub selector: LabelSelector,
    pub types: Box<str>,
    /// One line per rule: `from app=web, ns team=x on 5432/TCP`.
    pub ingress: Box<[Box<str>]>,
    pub egress: Box<[Box<str>]>,
}

fn rule_text(r: &PolicyRule, dir: &str) -> Box<str> {
    let peers: Vec<String> = r
        .from
        .iter()
        .map(|p| {
            let mut parts = Vec::new();
            if let Some(s) = &p.namespace_selector {
                parts.push(format!("ns {}", selector_of(&Some(s.clone()))));
            }
            if let Some(s) = &p.pod_selector {
                parts.push(format!("pods {}", selector_of(&Some(s.clone()))));
            }
            if let Some(b) = &p.ip_block {
                parts.push(format!("cidr {}", b["cidr"].as_str().unwrap_or("?")));
            }
            parts.join(" ")
        })
        .collect();
    let ports: Vec<String> = r
        .ports
        .iter()
        .map(|p| {
            let port = match &p.port {
                Some(IntOrString::Int(n)) => n.to_string(),
                Some(IntOrString::String(s)) => s.clone(),
                None => "*".into(),
            };
            format!("{port}/{}", p.protocol.as_deref().unwrap_or("TCP"))
        })
        .collect();
    let who = if peers.is_empty() { "anywhere".to_string() } else { peers.join("; ") };
    let on = if ports.is_empty() { "all ports".to_string() } else { ports.join(",") };
    Box::from(sanitize::line(&format!("{dir} {who} on {on}"), 300).as_str())
}

impl Record for NetworkPolicyRec {
    fn key(&self) -> Key {
        (self.meta.namespace.clone(), self.meta.name.clone())
    }
    fn created(&self) -> Ts {
        self.meta.created
    }
    fn labels(&self) -> Option<&Labels> {
        Some(&self.meta.labels)
    }
}

impl Kind for NetworkPolicy {
    type Rec = NetworkPolicyRec;
    const INFO: Info = Info {
        kind: "NetworkPolicy",
        group: "networking.k8s.io",
        version: "v1",
        plural: "networkpolicies",
        singular: "networkpolicy",
        short: &["netpol"],
        namespaced: true,
        title: "NetworkPolicies",
    };

    fn record(&self, names: &mut Interner) -> NetworkPolicyRec {
        let s = &self.spec;
        let types = if s.policy_types.is_empty() {
            if s.egress.is_empty() { "Ingress".to_string() } else { "Ingress,Egress".to_string() }
        } else {
            s.policy_types.join(",")
        };
        NetworkPolicyRec {
            meta: Meta::from(&self.metadata, names),
            selector: selector_of(&s.pod_selector),
            types: Box::from(sanitize::line(&types, 40).as_str()),
            ingress: s.ingress.iter().take(100).map(|r| rule_text(r, "from")).collect(),
            egress: s.egress.iter().take(100).map(|r| rule_text(r, "to")).collect(),
        }
    }

    fn columns() -> Vec<Column<NetworkPolicyRec>> {
        vec![
            Column {
                title: "POD-SELECTOR",
                width: Width::Name,
                cell: |r, _| {
                    if r.selector.reqs.is_empty() {
                        "<all pods>".into()
                    } else {
                        r.selector.to_string()
                    }
                },
            },
            Column { title: "TYPES", width: Width::Fixed(14), cell: |r, _| r.types.to_string() },
            Column { title: "INGRESS", width: Width::Fixed(7), cell: |r, _| r.ingress.len().to_string() },
            Column { title: "EGRESS", width: Width::Fixed(6), cell: |r, _| r.egress.len().to_string() },
            Column { title: "AGE", width: Width::Fixed(5), cell: |r, j| age(j.now, r.meta.created) },
        ]
    }

    fn describe(r: &NetworkPolicyRec, _: &Join, out: &mut Vec<Field>) {
        out.push(("Pod selector".into(), r.selector.to_string()));
        out.push(("Policy types".into(), r.types.to_string()));
        for (title, rules) in [("Ingress", &r.ingress), ("Egress", &r.egress)] {
            out.push((title.into(), if rules.is_empty() { "<none>".into() } else { String::new() }));
            for rule in rules.iter() {
                out.push(("  rule".into(), rule.to_string()));
            }
        }
    }

    fn drill(r: &NetworkPolicyRec) -> Option<Drill> {
        Some(Drill::Pods {
            selector: r.selector.clone(),
            title: format!("netpol/{}", r.meta.name),
        })
    }
}
resource!(NetworkPolicy, Namespaced);
