//! Secrets: type, keys and each value's decoded size — never a value. The slim type
//! measures each base64 value while it is parsed and keeps only its length, so no
//! secret value is ever held by a record, the state, a log or a recording. Revealing
//! one key is a guarded, audited action that fetches it on demand.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
pub struct Secret {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// Key and decoded size of each value (the value itself is not kept).
    #[serde(default, deserialize_with = "base64_sizes")]
    pub data: Vec<(String, u32)>,
    pub immutable: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SecretRec {
    pub meta: Meta,
    pub type_: Arc<str>,
    /// Each key with its decoded value's size in bytes, sorted by key.
    pub keys: Box<[(Box<str>, u32)]>,
    pub immutable: bool,
}

impl Record for SecretRec {
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

impl Kind for Secret {
    type Rec = SecretRec;
    const INFO: Info = Info {
        kind: "Secret",
        group: "",
        version: "v1",
        plural: "secrets",
        singular: "secret",
        short: &[],
        namespaced: true,
        title: "Secrets",
    };

    fn record(&self, names: &mut Interner) -> SecretRec {
        SecretRec {
            meta: Meta::from(&self.metadata, names),
            type_: names.clean(self.type_.as_deref().unwrap_or("Opaque"), 100),
            keys: key_sizes(self.data.iter()),
            immutable: self.immutable.unwrap_or(false),
        }
    }

    fn columns() -> Vec<Column<SecretRec>> {
        vec![
            Column { title: "TYPE", width: Width::Fixed(36), cell: |r, _| r.type_.to_string() },
            Column { title: "DATA", width: Width::Fixed(4), cell: |r, _| r.keys.len().to_string() },
            Column { title: "AGE", width: Width::Fixed(5), cell: |r, j| age(j.now, r.meta.created) },
            Column { title: "KEYS", width: Width::Fill, cell: |r, _| key_list(&r.keys) },
        ]
    }

    fn describe(r: &SecretRec, _: &Join, out: &mut Vec<Field>) {
        out.push(("Type".into(), r.type_.to_string()));
        if r.immutable {
            out.push(("Immutable".into(), "true".into()));
        }
        out.push(("Data".into(), if r.keys.is_empty() { "<none>".into() } else { String::new() }));
        for (k, n) in r.keys.iter() {
            out.push((format!("  {k}"), format!("{n} bytes (hidden; X reveals one key)")));
        }
    }
}
resource!(Secret, Namespaced);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_measured_not_kept() {
        let json = serde_json::json!({
            "metadata": {"name": "s", "namespace": "ns",
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"password\":\"aHVudGVyMg==\"}}"}},
            "type": "Opaque",
            "data": {"password": "aHVudGVyMg==", "token": "YWJj", "empty": ""}
        });
        let s: Secret = serde_json::from_value(json).unwrap();
        let r = s.record(&mut Interner::default());
        assert_eq!(
            r.keys.iter().map(|(k, n)| (k.as_ref(), *n)).collect::<Vec<_>>(),
            vec![("empty", 0), ("password", 7), ("token", 3)]
        );
        let dump = format!("{s:?}{r:?}");
        assert!(!dump.contains("aHVudGVyMg"), "{dump}");
        assert!(!dump.contains("hunter2"), "{dump}");
    }
}
