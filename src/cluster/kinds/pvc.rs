//! PersistentVolumeClaims: phase, the volume bound, requested and actual capacity,
//! access modes and class; which pods mount it. Enter opens the bound volume.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct PvcResources {
    pub requests: Option<std::collections::BTreeMap<String, String>>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct PvcSpec {
    #[serde(default)]
    pub access_modes: Vec<String>,
    pub storage_class_name: Option<String>,
    pub volume_name: Option<String>,
    pub resources: Option<PvcResources>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct PvcStatus {
    pub phase: Option<String>,
    pub capacity: Option<std::collections::BTreeMap<String, String>>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Pvc {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: PvcSpec,
    #[serde(default)]
    pub status: PvcStatus,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PvcRec {
    pub meta: Meta,
    pub phase: Arc<str>,
    pub volume: Option<Arc<str>>,
    pub request: Option<Box<str>>,
    pub capacity: Option<Box<str>>,
    pub access: Box<str>,
    pub class: Option<Arc<str>>,
}

impl Record for PvcRec {
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

/// `ReadWriteOnce` → `RWO`, as kubectl prints access modes.
pub fn access_modes(modes: &[String]) -> Box<str> {
    let short: Vec<&str> = modes
        .iter()
        .map(|m| match m.as_str() {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            _ => "?",
        })
        .collect();
    Box::from(short.join(",").as_str())
}

fn storage(m: &Option<std::collections::BTreeMap<String, String>>) -> Option<Box<str>> {
    m.as_ref()?
        .get("storage")
        .map(|s| Box::from(sanitize::line(s, 20).as_str()))
}

impl Kind for Pvc {
    type Rec = PvcRec;
    const INFO: Info = Info {
        kind: "PersistentVolumeClaim",
        group: "",
        version: "v1",
        plural: "persistentvolumeclaims",
        singular: "persistentvolumeclaim",
        short: &["pvc"],
        namespaced: true,
        title: "PersistentVolumeClaims",
    };

    fn record(&self, names: &mut Interner) -> PvcRec {
        PvcRec {
            meta: Meta::from(&self.metadata, names),
            phase: names.clean(self.status.phase.as_deref().unwrap_or("Pending"), 20),
            volume: self
                .spec
                .volume_name
                .as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| names.clean(v, 253)),
            request: storage(&self.spec.resources.as_ref().and_then(|r| r.requests.clone())),
            capacity: storage(&self.status.capacity),
            access: access_modes(&self.spec.access_modes),
            class: self.spec.storage_class_name.as_deref().map(|c| names.clean(c, 253)),
        }
    }

    fn columns() -> Vec<Column<PvcRec>> {
        vec![
            Column { title: "STATUS", width: Width::Fixed(8), cell: |r, _| r.phase.to_string() },
            Column {
                title: "VOLUME",
                width: Width::Name,
                cell: |r, _| r.volume.as_deref().unwrap_or("-").to_string(),
            },
            Column {
                title: "CAPACITY",
                width: Width::Fixed(8),
                cell: |r, _| r.capacity.as_deref().or(r.request.as_deref()).unwrap_or("-").to_string(),
            },
            Column { title: "ACCESS", width: Width::Fixed(6), cell: |r, _| r.access.to_string() },
            Column {
                title: "STORAGECLASS",
                width: Width::Fixed(14),
                cell: |r, _| r.class.as_deref().unwrap_or("-").to_string(),
            },
            Column { title: "AGE", width: Width::Fixed(5), cell: |r, j| age(j.now, r.meta.created) },
            Column { title: "USED BY", width: Width::Fill, cell: |r, j| used_by(r, j).join(",") },
        ]
    }

    fn assess(r: &PvcRec, _: &Join) -> Option<(Severity, String)> {
        match r.phase.as_ref() {
            "Bound" => None,
            "Lost" => Some((Severity::Critical, "claim lost its volume".into())),
            other => Some((Severity::Warning, other.to_lowercase())),
        }
    }

    fn describe(r: &PvcRec, j: &Join, out: &mut Vec<Field>) {
        out.push(("Status".into(), r.phase.to_string()));
        out.push(("Volume".into(), r.volume.as_deref().unwrap_or("<none>").to_string()));
        out.push(("Requested".into(), r.request.as_deref().unwrap_or("-").to_string()));
        out.push(("Capacity".into(), r.capacity.as_deref().unwrap_or("-").to_string()));
        out.push(("Access modes".into(), r.access.to_string()));
        out.push(("StorageClass".into(), r.class.as_deref().unwrap_or("-").to_string()));
        let users = used_by(r, j);
        out.push(("Used by".into(), if users.is_empty() { "<none>".into() } else { users.join(", ") }));
    }

    fn drill(r: &PvcRec) -> Option<Drill> {
        r.volume.as_ref().map(|v| Drill::Object {
            kind: ResKind::Pv,
            namespace: Arc::from(""),
            name: v.clone(),
        })
    }
}
resource!(Pvc, Namespaced);

/// Pods in the claim's namespace that mount it.
fn used_by(r: &PvcRec, j: &Join) -> Vec<String> {
    in_namespace(&j.tables.pods, &r.meta.namespace)
        .filter(|p| p.claims.contains(&r.meta.name))
        .map(|p| p.name.to_string())
        .collect()
}
