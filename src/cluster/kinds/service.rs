//! Services: type, cluster IP, ports and selector. Shown by the fleet's services
//! view (with their endpoints).

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: i32,
    pub target_port: Option<IntOrString>,
    pub node_port: Option<i32>,
    pub protocol: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpec {
    #[serde(rename = "type")]
    pub type_: Option<String>,
    #[serde(rename = "clusterIP")]
    pub cluster_ip: Option<String>,
    pub selector: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub ports: Vec<ServicePort>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Service {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: ServiceSpec,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SvcPort {
    pub name: Option<Box<str>>,
    pub port: i32,
    pub target: Option<PortRef>,
    pub node_port: Option<i32>,
    pub protocol: Box<str>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ServiceRec {
    pub meta: Meta,
    pub type_: Box<str>,
    pub cluster_ip: Option<Box<str>>,
    pub selector: Option<Labels>,
    pub ports: Box<[SvcPort]>,
}

impl ServiceRec {
    pub fn from(s: &Service, names: &mut Interner) -> ServiceRec {
        ServiceRec {
            meta: Meta::from(&s.metadata, names),
            type_: Box::from(s.spec.type_.as_deref().unwrap_or("ClusterIP")),
            cluster_ip: s.spec.cluster_ip.as_deref().map(Box::from),
            selector: s
                .spec
                .selector
                .as_ref()
                .map(|m| Labels::from_map(&Some(m.clone()), names)),
            ports: s
                .spec
                .ports
                .iter()
                .map(|p| SvcPort {
                    name: p.name.as_deref().map(Box::from),
                    port: p.port,
                    target: port_ref(&p.target_port),
                    node_port: p.node_port,
                    protocol: Box::from(p.protocol.as_deref().unwrap_or("TCP")),
                })
                .collect(),
        }
    }

    pub fn selector_text(&self) -> String {
        match &self.selector {
            Some(m) if !m.is_empty() => m
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(","),
            _ => "<none>".into(),
        }
    }
}

impl Record for ServiceRec {
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

impl Kind for Service {
    type Rec = ServiceRec;
    const INFO: Info = Info {
        kind: "Service",
        group: "",
        version: "v1",
        plural: "services",
        singular: "service",
        short: &["svc"],
        namespaced: true,
        title: "Services",
    };

    fn record(&self, names: &mut Interner) -> ServiceRec {
        ServiceRec::from(self, names)
    }
}
resource!(Service, Namespaced);
