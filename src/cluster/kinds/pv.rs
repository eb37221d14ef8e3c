//! PersistentVolumes: capacity, access modes, reclaim policy, phase and the claim
//! bound to it. Enter opens the claim.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
pub struct ClaimRef {
    pub namespace: Option<String>,
    pub name: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct PvSpec {
    pub capacity: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default)]
    pub access_modes: Vec<String>,
    pub persistent_volume_reclaim_policy: Option<String>,
    pub storage_class_name: Option<String>,
    pub claim_ref: Option<ClaimRef>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct PvStatus {
    pub phase: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Pv {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: PvSpec,
    #[serde(default)]
    pub status: PvStatus,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PvRec {
    pub meta: Meta,
    pub capacity: Option<Box<str>>,
    pub access: Box<str>,
    pub reclaim: Box<str>,
    pub phase: Arc<str>,
    /// (namespace, name) of the claim bound to it.
    pub claim: Option<(Arc<str>, Arc<str>)>,
    pub class: Option<Arc<str>>,
}

impl Record for PvRec {
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

impl Kind for Pv {
    type Rec = PvRec;
    const INFO: Info = Info {
        kind: "PersistentVolume",
        group: "",
        version: "v1",
        plural: "persistentvolumes",
        singular: "persistentvolume",
        short: &["pv"],
        namespaced: false,
        title: "PersistentVolumes",
    };

    fn record(&self, names: &mut Interner) -> PvRec {
        PvRec {
            meta: Meta::from(&self.metadata, names),
            capacity: self
                .spec
                .capacity
                .as_ref()
                .and_then(|c| c.get("storage"))
                .map(|s| Box::from(sanitize::line(s, 20).as_str())),
            access: super::pvc::access_modes(&self.spec.access_modes),
            reclaim: Box::from(
                sanitize::line(
                    self.spec.persistent_volume_reclaim_policy.as_deref().unwrap_or("Retain"),
                    20,
                )
                .as_str(),
            ),
            phase: names.clean(self.status.phase.as_deref().unwrap_or("Pending"), 20),
            claim: self.spec.claim_ref.as_ref().and_then(|c| {
                Some((
                    names.clean(c.namespace.as_deref().unwrap_or(""), 253),
                    object_name(c.name.as_deref()?),
                ))
            }),
            class: self.spec.storage_class_name.as_deref().map(|c| names.clean(c, 253)),
        }
    }

    fn columns() -> Vec<Column<PvRec>> {
        vec![
            Column {
                title: "CAPACITY",
                width: Width::Fixed(8),
                cell: |r, _| r.capacity.as_deref().unwrap_or("-").to_string(),
            },
            Column { title: "ACCESS", width: Width::Fixed(6), cell: |r, _| r.access.to_string() },
            Column { title: "RECLAIM", width: Width::Fixed(7), cell: |r, _| r.reclaim.to_string() },
            Column { title: "STATUS", width: Width::Fixed(9), cell: |r, _| r.phase.to_string() },
            Column {
                title: "CLAIM",
                width: Width::Name,
                cell: |r, _| r.claim.as_ref().map_or("-".into(), |(n, c)| format!("{n}/{c}")),
            },
            Column {
                title: "STORAGECLASS",
                width: Width::Fixed(14),
                cell: |r, _| r.class.as_deref().unwrap_or("-").to_string(),
            },
            Column { title: "AGE", width: Width::Fixed(5), cell: |r, j| age(j.now, r.meta.created) },
        ]
    }

    fn assess(r: &PvRec, _: &Join) -> Option<(Severity, String)> {
        match r.phase.as_ref() {
            "Failed" => Some((Severity::Critical, "volume failed".into())),
            "Released" => Some((Severity::Info, "released by its claim".into())),
            _ => None,
        }
    }

    fn describe(r: &PvRec, _: &Join, out: &mut Vec<Field>) {
        out.push(("Status".into(), r.phase.to_string()));
        out.push((
            "Claim".into(),
            r.claim.as_ref().map_or("<none>".into(), |(n, c)| format!("{n}/{c}")),
        ));
        out.push(("Capacity".into(), r.capacity.as_deref().unwrap_or("-").to_string()));
        out.push(("Access modes".into(), r.access.to_string()));
        out.push(("Reclaim policy".into(), r.reclaim.to_string()));
        out.push(("StorageClass".into(), r.class.as_deref().unwrap_or("-").to_string()));
    }

    fn drill(r: &PvRec) -> Option<Drill> {
        r.claim.as_ref().map(|(ns, name)| Drill::Object {
            kind: ResKind::Pvc,
            namespace: ns.clone(),
            name: name.clone(),
        })
    }
}
resource!(Pv, Cluster);
