//! Endpoints: a Service's ready and not-ready addresses (by pod name). Read by the
//! services view, ingresses and traffic switching; listed in their own view.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct TargetRef {
    pub name: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct EndpointAddress {
    pub ip: String,
    pub target_ref: Option<TargetRef>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct EndpointSubset {
    #[serde(default)]
    pub addresses: Vec<EndpointAddress>,
    #[serde(default)]
    pub not_ready_addresses: Vec<EndpointAddress>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Endpoints {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub subsets: Vec<EndpointSubset>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EndpointsRec {
    pub name: Arc<str>,
    pub namespace: Arc<str>,
    /// Pod names (or IPs without a target) of ready addresses.
    pub ready: Box<[Box<str>]>,
    pub not_ready: Box<[Box<str>]>,
    pub created: Ts,
}

impl EndpointsRec {
    pub fn from(e: &Endpoints, names: &mut Interner) -> EndpointsRec {
        let pick = |a: &EndpointAddress| -> Box<str> {
            Box::from(
                a.target_ref
                    .as_ref()
                    .and_then(|t| t.name.as_deref())
                    .unwrap_or(&a.ip),
            )
        };
        EndpointsRec {
            name: object_name(e.metadata.name.as_deref().unwrap_or("")),
            namespace: names.clean(e.metadata.namespace.as_deref().unwrap_or(""), 253),
            ready: e
                .subsets
                .iter()
                .flat_map(|s| s.addresses.iter().map(pick))
                .collect(),
            not_ready: e
                .subsets
                .iter()
                .flat_map(|s| s.not_ready_addresses.iter().map(pick))
                .collect(),
            created: ts(&e.metadata.creation_timestamp).unwrap_or(0),
        }
    }
}

impl Record for EndpointsRec {
    fn key(&self) -> Key {
        (self.namespace.clone(), self.name.clone())
    }
    fn created(&self) -> Ts {
        self.created
    }
}

impl Kind for Endpoints {
    type Rec = EndpointsRec;
    const INFO: Info = Info {
        kind: "Endpoints",
        group: "",
        version: "v1",
        plural: "endpoints",
        singular: "endpoints",
        short: &["ep"],
        namespaced: true,
        title: "Endpoints",
    };

    fn record(&self, names: &mut Interner) -> EndpointsRec {
        EndpointsRec::from(self, names)
    }

    fn columns() -> Vec<Column<EndpointsRec>> {
        vec![
            Column {
                title: "READY",
                width: Width::Fixed(6),
                cell: |r, _| format!("{}/{}", r.ready.len(), r.ready.len() + r.not_ready.len()),
            },
            Column { title: "AGE", width: Width::Fixed(5), cell: |r, j| age(j.now, r.created) },
            Column { title: "PODS", width: Width::Fill, cell: |r, _| r.ready.join(",") },
        ]
    }
}
resource!(Endpoints, Namespaced);
