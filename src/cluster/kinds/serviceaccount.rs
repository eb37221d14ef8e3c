//! ServiceAccounts: their token secrets, image pull secrets and whether tokens are
//! mounted automatically.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
pub struct NameRef {
    pub name: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccount {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub secrets: Vec<NameRef>,
    #[serde(default)]
    pub image_pull_secrets: Vec<NameRef>,
    pub automount_service_account_token: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ServiceAccountRec {
    pub meta: Meta,
    pub secrets: Box<[Arc<str>]>,
    pub pull_secrets: Box<[Arc<str>]>,
    pub automount: Option<bool>,
}

impl Record for ServiceAccountRec {
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

fn names_of(v: &[NameRef], names: &mut Interner) -> Box<[Arc<str>]> {
    v.iter()
        .take(100)
        .filter_map(|r| r.name.as_deref())
        .map(|n| names.clean(n, 253))
        .collect()
}

impl Kind for ServiceAccount {
    type Rec = ServiceAccountRec;
    const INFO: Info = Info {
        kind: "ServiceAccount",
        group: "",
        version: "v1",
        plural: "serviceaccounts",
        singular: "serviceaccount",
        short: &["sa"],
        namespaced: true,
        title: "ServiceAccounts",
    };

    fn record(&self, names: &mut Interner) -> ServiceAccountRec {
        ServiceAccountRec {
            meta: Meta::from(&self.metadata, names),
            secrets: names_of(&self.secrets, names),
            pull_secrets: names_of(&self.image_pull_secrets, names),
            automount: self.automount_service_account_token,
        }
    }

    fn columns() -> Vec<Column<ServiceAccountRec>> {
        vec![
            Column { title: "SECRETS", width: Width::Fixed(7), cell: |r, _| r.secrets.len().to_string() },
            Column { title: "AGE", width: Width::Fixed(5), cell: |r, j| age(j.now, r.meta.created) },
            Column {
                title: "PULL SECRETS",
                width: Width::Fill,
                cell: |r, _| r.pull_secrets.join(","),
            },
        ]
    }

    fn describe(r: &ServiceAccountRec, _: &Join, out: &mut Vec<Field>) {
        let list = |v: &[Arc<str>]| if v.is_empty() { "<none>".to_string() } else { v.join(", ") };
        out.push(("Mountable secrets".into(), list(&r.secrets)));
        out.push(("Image pull secrets".into(), list(&r.pull_secrets)));
        out.push((
            "Automount token".into(),
            r.automount.map_or("(default: true)".into(), |b| b.to_string()),
        ));
    }
}
resource!(ServiceAccount, Namespaced);
