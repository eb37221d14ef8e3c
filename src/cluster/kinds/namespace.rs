//! Namespaces: phase and labels (the labels mark production scopes). Enter narrows
//! the console to the namespace.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
pub struct Namespace {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    pub status: Option<NamespaceStatus>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct NamespaceStatus {
    pub phase: Option<String>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NamespaceRec {
    pub name: Arc<str>,
    pub terminating: bool,
    pub labels: Labels,
    pub created: Ts,
}

impl NamespaceRec {
    pub fn from(n: &Namespace, names: &mut Interner) -> NamespaceRec {
        NamespaceRec {
            name: object_name(n.metadata.name.as_deref().unwrap_or("")),
            terminating: n.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Terminating"),
            labels: Labels::from_map(&n.metadata.labels, names),
            created: ts(&n.metadata.creation_timestamp).unwrap_or(0),
        }
    }
}

impl Record for NamespaceRec {
    fn key(&self) -> Key {
        (Arc::from(""), self.name.clone())
    }
    fn created(&self) -> Ts {
        self.created
    }
    fn labels(&self) -> Option<&Labels> {
        Some(&self.labels)
    }
}

impl Kind for Namespace {
    type Rec = NamespaceRec;
    const INFO: Info = Info {
        kind: "Namespace",
        group: "",
        version: "v1",
        plural: "namespaces",
        singular: "namespace",
        short: &["ns"],
        namespaced: false,
        title: "Namespaces",
    };

    fn record(&self, names: &mut Interner) -> NamespaceRec {
        NamespaceRec::from(self, names)
    }

    fn columns() -> Vec<Column<NamespaceRec>> {
        vec![
            Column {
                title: "STATUS",
                width: Width::Fixed(12),
                cell: |r, _| if r.terminating { "Terminating" } else { "Active" }.into(),
            },
            Column {
                title: "LABELS",
                width: Width::Fill,
                cell: |r, _| r.labels.join(),
            },
        ]
    }

    fn assess(r: &NamespaceRec, _: &Join) -> Option<(Severity, String)> {
        r.terminating
            .then(|| (Severity::Warning, "terminating".to_string()))
    }

    fn drill(r: &NamespaceRec) -> Option<Drill> {
        Some(Drill::Namespace(r.name.clone()))
    }
}
resource!(Namespace, Cluster);
