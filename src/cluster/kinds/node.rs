//! Nodes: readiness and pressure conditions, schedulability, roles, kubelet version,
//! internal IP and allocatable CPU and memory. Enter shows the pods on the node.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
pub struct Taint {
    pub key: Option<String>,
    pub effect: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct NodeSpec {
    pub unschedulable: Option<bool>,
    #[serde(default)]
    pub taints: Vec<Taint>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct NodeAddress {
    #[serde(rename = "type")]
    pub type_: String,
    pub address: String,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
    pub kubelet_version: Option<String>,
    pub os_image: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct NodeStatus {
    #[serde(default)]
    pub conditions: Vec<Condition>,
    #[serde(default)]
    pub addresses: Vec<NodeAddress>,
    pub node_info: Option<NodeInfo>,
    #[serde(default, deserialize_with = "res_of_map")]
    pub allocatable: Res,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Node {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: NodeSpec,
    #[serde(default)]
    pub status: NodeStatus,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NodeRec {
    pub meta: Meta,
    /// The Ready condition: `None` when the node has not reported it.
    pub ready: Option<bool>,
    /// Conditions other than Ready that are True (`MemoryPressure`…).
    pub pressure: Box<[Box<str>]>,
    pub unschedulable: bool,
    pub taints: u32,
    pub version: Box<str>,
    pub ip: Option<Box<str>>,
    pub allocatable: Res,
}

impl NodeRec {
    /// `Ready`, `NotReady,SchedulingDisabled`, as kubectl prints it.
    pub fn status(&self) -> String {
        let mut s = match self.ready {
            Some(true) => "Ready".to_string(),
            Some(false) => "NotReady".to_string(),
            None => "Unknown".to_string(),
        };
        if self.unschedulable {
            s.push_str(",SchedulingDisabled");
        }
        s
    }

    /// The roles from `node-role.kubernetes.io/*` labels.
    pub fn roles(&self) -> String {
        let roles: Vec<&str> = self
            .meta
            .labels
            .iter()
            .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/"))
            .collect();
        if roles.is_empty() {
            "<none>".into()
        } else {
            roles.join(",")
        }
    }
}

impl Record for NodeRec {
    fn key(&self) -> Key {
        (Arc::from(""), self.meta.name.clone())
    }
    fn created(&self) -> Ts {
        self.meta.created
    }
    fn labels(&self) -> Option<&Labels> {
        Some(&self.meta.labels)
    }
}

impl Kind for Node {
    type Rec = NodeRec;
    const INFO: Info = Info {
        kind: "Node",
        group: "",
        version: "v1",
        plural: "nodes",
        singular: "node",
        short: &["no"],
        namespaced: false,
        title: "Nodes",
    };

    fn record(&self, names: &mut Interner) -> NodeRec {
        let cs = conds(&self.status.conditions);
        NodeRec {
            meta: Meta::from(&self.metadata, names),
            ready: cond(&cs, "Ready").map(|c| c.status.as_ref() == "True"),
            pressure: cs
                .iter()
                .filter(|c| c.type_.as_ref() != "Ready" && c.status.as_ref() == "True")
                .map(|c| c.type_.clone())
                .collect(),
            unschedulable: self.spec.unschedulable.unwrap_or(false),
            taints: self.spec.taints.len() as u32,
            version: Box::from(
                sanitize::line(
                    self.status
                        .node_info
                        .as_ref()
                        .and_then(|i| i.kubelet_version.as_deref())
                        .unwrap_or(""),
                    40,
                )
                .as_str(),
            ),
            ip: self
                .status
                .addresses
                .iter()
                .find(|a| a.type_ == "InternalIP")
                .map(|a| Box::from(sanitize::line(&a.address, 45).as_str())),
            allocatable: self.status.allocatable,
        }
    }

    fn columns() -> Vec<Column<NodeRec>> {
        use crate::util::quantity::{cpu, mem};
        vec![
            Column { title: "STATUS", width: Width::Fixed(27), cell: |r, _| r.status() },
            Column { title: "ROLES", width: Width::Fixed(14), cell: |r, _| r.roles() },
            Column { title: "VERSION", width: Width::Fixed(10), cell: |r, _| r.version.to_string() },
            Column {
                title: "INTERNAL-IP",
                width: Width::Fixed(15),
                cell: |r, _| r.ip.as_deref().unwrap_or("-").to_string(),
            },
            Column {
                title: "CPU",
                width: Width::Fixed(6),
                cell: |r, _| r.allocatable.cpu_m().map_or("-".into(), cpu),
            },
            Column {
                title: "MEMORY",
                width: Width::Fixed(7),
                cell: |r, _| r.allocatable.mem().map_or("-".into(), mem),
            },
            Column { title: "AGE", width: Width::Fixed(5), cell: |r, j| age(j.now, r.meta.created) },
        ]
    }

    fn assess(r: &NodeRec, _: &Join) -> Option<(Severity, String)> {
        match r.ready {
            Some(false) => Some((Severity::Critical, "not ready".into())),
            None => Some((Severity::Warning, "readiness unknown".into())),
            Some(true) if !r.pressure.is_empty() => Some((Severity::Warning, r.pressure.join(","))),
            Some(true) if r.unschedulable => Some((Severity::Info, "cordoned".into())),
            Some(true) => None,
        }
    }

    fn describe(r: &NodeRec, j: &Join, out: &mut Vec<Field>) {
        use crate::util::quantity::{cpu, mem};
        out.push(("Status".into(), r.status()));
        out.push(("Roles".into(), r.roles()));
        out.push(("Kubelet".into(), r.version.to_string()));
        out.push(("Internal IP".into(), r.ip.as_deref().unwrap_or("-").to_string()));
        out.push((
            "Allocatable".into(),
            format!(
                "cpu {} mem {}",
                r.allocatable.cpu_m().map_or("-".into(), cpu),
                r.allocatable.mem().map_or("-".into(), mem)
            ),
        ));
        if !r.pressure.is_empty() {
            out.push(("Pressure".into(), r.pressure.join(", ")));
        }
        out.push(("Taints".into(), r.taints.to_string()));
        let pods = j
            .tables
            .pods
            .values()
            .filter(|p| p.node.as_deref() == Some(&*r.meta.name))
            .count();
        out.push(("Pods".into(), pods.to_string()));
    }

    fn drill(r: &NodeRec) -> Option<Drill> {
        Some(Drill::NodePods {
            node: r.meta.name.clone(),
        })
    }
}
resource!(Node, Cluster);
