//! ConfigMaps: their keys and each value's size (the values themselves are not kept:
//! the YAML view fetches them when asked).

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ConfigMap {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default, deserialize_with = "value_sizes")]
    pub data: Vec<(String, u32)>,
    #[serde(default, deserialize_with = "value_sizes")]
    pub binary_data: Vec<(String, u32)>,
    pub immutable: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ConfigMapRec {
    pub meta: Meta,
    /// Each key with its value's size in bytes, sorted by key.
    pub keys: Box<[(Box<str>, u32)]>,
    pub immutable: bool,
}

impl Record for ConfigMapRec {
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

impl Kind for ConfigMap {
    type Rec = ConfigMapRec;
    const INFO: Info = Info {
        kind: "ConfigMap",
        group: "",
        version: "v1",
        plural: "configmaps",
        singular: "configmap",
        short: &["cm"],
        namespaced: true,
        title: "ConfigMaps",
    };

    fn record(&self, names: &mut Interner) -> ConfigMapRec {
        ConfigMapRec {
            meta: Meta::from(&self.metadata, names),
            keys: key_sizes(self.data.iter().chain(&self.binary_data)),
            immutable: self.immutable.unwrap_or(false),
        }
    }

    fn columns() -> Vec<Column<ConfigMapRec>> {
        vec![
            Column { title: "DATA", width: Width::Fixed(4), cell: |r, _| r.keys.len().to_string() },
            Column { title: "SIZE", width: Width::Fixed(7), cell: |r, _| bytes(total(&r.keys)) },
            Column { title: "AGE", width: Width::Fixed(5), cell: |r, j| age(j.now, r.meta.created) },
            Column { title: "KEYS", width: Width::Fill, cell: |r, _| key_list(&r.keys) },
        ]
    }

    fn describe(r: &ConfigMapRec, _: &Join, out: &mut Vec<Field>) {
        if r.immutable {
            out.push(("Immutable".into(), "true".into()));
        }
        out.push(("Data".into(), if r.keys.is_empty() { "<none>".into() } else { String::new() }));
        for (k, n) in r.keys.iter() {
            out.push((format!("  {k}"), bytes(*n as u64)));
        }
    }
}
resource!(ConfigMap, Namespaced);
