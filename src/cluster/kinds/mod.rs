//! Every Kubernetes kind the console watches, each declared once: one file per kind
//! holds its slim serde type (what the watcher decodes, straight from the API's JSON),
//! its compact record (what the console keeps), its API identity (group, version,
//! plural, scope, names `kubectl get` accepts), its list columns, how it is assessed,
//! described and drilled into, and how it joins other kinds. The registry at the end
//! of this file is the only list of kinds: the kind enum, the stores, the messages,
//! the watchers and the list views all derive from it.
//!
//! Adding a kind: write its file (see `configmap.rs` for a small one) and add one
//! line to the registry.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::Arc;

use serde::de::DeserializeOwned;

mod common;
pub use common::*;

/// What each kind's file imports.
mod prelude {
    pub use std::sync::Arc;

    pub use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
        LabelSelector as K8sSelector, ObjectMeta, Time,
    };
    pub use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    pub use serde::Deserialize;

    pub use super::*;
    pub use crate::util::age::age;
    pub use crate::util::sanitize;
    pub use crate::util::selector::LabelSelector;
}

pub use crate::util::severity::Severity;

/// (namespace, name); namespace is empty for cluster-scoped kinds.
pub type Key = (Arc<str>, Arc<str>);

/// The records of one kind in one context, by key (ordered: a namespace is a range).
/// Each record is shared, never copied: a listing handed to the flight recorder, a
/// checkpoint of everything known or an object kept after its deletion is a handle.
pub type Table<R> = BTreeMap<Key, Arc<R>>;

/// A kind's API identity: what it is called and where it is served.
#[derive(Debug, PartialEq, Eq)]
pub struct Info {
    /// `ConfigMap`
    pub kind: &'static str,
    /// `""` for the core group.
    pub group: &'static str,
    pub version: &'static str,
    /// `configmaps`
    pub plural: &'static str,
    /// `configmap`
    pub singular: &'static str,
    /// Short names (`cm`), as discovery lists them.
    pub short: &'static [&'static str],
    pub namespaced: bool,
    /// A view title (`ConfigMaps`).
    pub title: &'static str,
}

/// An API resource's identity, borrowed from a declared kind (`Info`) or a
/// discovered one: the one place the names `kubectl get` accepts and the paths are
/// worked out.
#[derive(Debug, Clone, Copy)]
pub struct Ident<'a> {
    pub group: &'a str,
    pub version: &'a str,
    pub kind: &'a str,
    pub plural: &'a str,
    pub singular: &'a str,
    pub namespaced: bool,
}

impl Ident<'_> {
    /// `v1`, `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployments.apps`, `pods` (the form `kubectl get` and RBAC messages use).
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// Whether `name` names it the way `kubectl get NAME` accepts: plural,
    /// singular, one of the `short` names or the kind (any case), optionally with
    /// `.group` or `.version.group`.
    pub fn named<S: AsRef<str>>(&self, name: &str, short: &[S]) -> bool {
        let name = name.to_ascii_lowercase();
        let (base, rest) = match name.split_once('.') {
            Some((b, r)) => (b, Some(r)),
            None => (name.as_str(), None),
        };
        let base_ok = base == self.plural
            || base == self.singular
            || base == self.kind.to_ascii_lowercase()
            || short.iter().any(|s| s.as_ref() == base);
        let group_ok = match rest {
            None => true,
            Some(r) => {
                r == self.group
                    || r == format!("{}.{}", self.version, self.group).trim_end_matches('.')
            }
        };
        base_ok && group_ok
    }

    /// The path of the collection (`/apis/apps/v1/namespaces/ns/deployments`).
    pub fn path(&self, namespace: Option<&str>) -> String {
        let root = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace.filter(|n| self.namespaced && !n.is_empty()) {
            Some(ns) => format!("{root}/namespaces/{ns}/{}", self.plural),
            None => format!("{root}/{}", self.plural),
        }
    }
}

impl Info {
    pub fn ident(&self) -> Ident<'static> {
        Ident {
            group: self.group,
            version: self.version,
            kind: self.kind,
            plural: self.plural,
            singular: self.singular,
            namespaced: self.namespaced,
        }
    }

    /// `v1`, `apps/v1`.
    pub fn api_version(&self) -> String {
        self.ident().api_version()
    }

    /// `deployments.apps`, `pods`.
    pub fn qualified(&self) -> String {
        self.ident().qualified()
    }

    /// Whether `name` names this kind as `kubectl get NAME` accepts.
    pub fn named(&self, name: &str) -> bool {
        self.ident().named(name, self.short)
    }

    /// The path of the collection.
    pub fn path(&self, namespace: Option<&str>) -> String {
        self.ident().path(namespace)
    }
}

/// What a record must offer the generic store and views.
pub trait Record: Clone + Debug + PartialEq + Send + Sync + 'static {
    fn key(&self) -> Key;
    /// When the object was created (Unix seconds; 0 if unknown).
    fn created(&self) -> Ts;
    /// Its labels, where the record keeps them.
    fn labels(&self) -> Option<&Labels> {
        None
    }
}

/// What a cell may read beyond its own record: the other kinds of the same context
/// (the joins) and the context's clock.
#[derive(Clone, Copy)]
pub struct Join<'a> {
    pub tables: &'a Tables,
    /// "Now" on the context's API server clock.
    pub now: Ts,
}

/// How wide a column may be.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Width {
    /// An object name: as wide as its longest value allows.
    Name,
    /// At most this many columns (values are short: counts, ages, phases).
    Fixed(u16),
    /// Takes what is left.
    Fill,
}

/// One column of a kind's list view.
pub struct Column<R> {
    pub title: &'static str,
    pub width: Width,
    pub cell: fn(&R, &Join) -> String,
}

/// Where Enter on a row leads.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Drill {
    /// The pods a selector picks in the row's namespace (a DaemonSet's, a ReplicaSet's).
    Pods {
        selector: crate::util::selector::LabelSelector,
        title: String,
    },
    /// The pods scheduled on a node.
    NodePods { node: Arc<str> },
    /// Another object (a PVC's volume, an Ingress's Service).
    Object {
        kind: ResKind,
        namespace: Arc<str>,
        name: Arc<str>,
    },
    /// Narrow the console to a namespace.
    Namespace(Arc<str>),
}

/// One line of a describe page: a label and its value (a label starting with spaces
/// is indented under the one before).
pub type Field = (String, String);

/// The API of a kind in a namespace (or all), whatever its scope (implemented by
/// `resource!`, which knows the scope).
pub trait Scoped: kube::Resource<DynamicType = ()> + Sized {
    fn api(client: kube::Client, namespace: Option<&str>) -> kube::Api<Self>;
}

/// A kind the console watches. Implemented by the kind's slim type.
pub trait Kind: Scoped + Clone + Debug + DeserializeOwned + Send + Sync + 'static {
    type Rec: Record;
    const INFO: Info;

    /// The compact record of a decoded object.
    fn record(&self, names: &mut Interner) -> Self::Rec;

    /// Columns of the kind's list view after NAMESPACE and NAME (first-class kinds
    /// without a view of their own in the fleet).
    fn columns() -> Vec<Column<Self::Rec>> {
        Vec::new()
    }

    /// A problem worth a person's attention, if any (problem rows sort first).
    fn assess(_r: &Self::Rec, _j: &Join) -> Option<(Severity, String)> {
        None
    }

    /// The kind's part of a describe page (identity and labels come first).
    fn describe(_r: &Self::Rec, _j: &Join, _out: &mut Vec<Field>) {}

    /// Where Enter on a row leads.
    fn drill(_r: &Self::Rec) -> Option<Drill> {
        None
    }

    /// Keeps a table within its bounds after a change (events keep the newest).
    fn bound(_t: &mut Table<Self::Rec>) {}
}

/// Implements `kube::Resource` for a slim type from its `Kind::INFO` (so the API
/// identity is written once), with the scope checked against `INFO.namespaced`.
macro_rules! resource {
    ($t:ty, Namespaced) => {
        resource!(@impl $t, k8s_openapi::NamespaceResourceScope, true);
        impl $crate::cluster::kinds::Scoped for $t {
            fn api(client: kube::Client, namespace: Option<&str>) -> kube::Api<Self> {
                match namespace {
                    Some(ns) => kube::Api::namespaced(client, ns),
                    None => kube::Api::all(client),
                }
            }
        }
    };
    ($t:ty, Cluster) => {
        resource!(@impl $t, k8s_openapi::ClusterResourceScope, false);
        impl $crate::cluster::kinds::Scoped for $t {
            fn api(client: kube::Client, _namespace: Option<&str>) -> kube::Api<Self> {
                kube::Api::all(client)
            }
        }
    };
    (@impl $t:ty, $scope:ty, $namespaced:expr) => {
        const _: () = assert!(<$t as $crate::cluster::kinds::Kind>::INFO.namespaced == $namespaced);
        impl kube::Resource for $t {
            type DynamicType = ();
            type Scope = $scope;
            fn kind(_: &()) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(<$t as $crate::cluster::kinds::Kind>::INFO.kind)
            }
            fn group(_: &()) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(<$t as $crate::cluster::kinds::Kind>::INFO.group)
            }
            fn version(_: &()) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(<$t as $crate::cluster::kinds::Kind>::INFO.version)
            }
            fn plural(_: &()) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(<$t as $crate::cluster::kinds::Kind>::INFO.plural)
            }
            fn meta(&self) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &self.metadata
            }
            fn meta_mut(&mut self) -> &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &mut self.metadata
            }
        }
    };
}
pub(crate) use resource;

/// A kind in the registry: what the generated glue adds to `Kind`.
pub trait Stored: Kind {
    const ID: ResKind;
    fn table(t: &Tables) -> &Table<Self::Rec>;
    fn table_mut(t: &mut Tables) -> &mut Table<Self::Rec>;
    fn listing(records: Vec<Arc<Self::Rec>>) -> Listing;
    fn object(record: Self::Rec) -> Object;
}

/// Generic work over a kind chosen at run time (`ResKind::visit`).
pub trait Visit {
    type Out;
    fn visit<K: Stored>(self) -> Self::Out;
}

/// The records of one namespace (a range of the ordered table, not a scan of it).
pub fn in_namespace<'a, V>(t: &'a Table<V>, ns: &str) -> impl Iterator<Item = &'a V> + 'a {
    let ns: Arc<str> = Arc::from(ns);
    t.range((ns.clone(), Arc::from(""))..)
        .take_while(move |((n, _), _)| *n == ns)
        .map(|(_, v)| &**v)
}

/// The names of one namespace's records.
pub fn in_namespace_keys<'a, V>(t: &'a Table<V>, ns: &str) -> impl Iterator<Item = &'a str> + 'a {
    let ns: Arc<str> = Arc::from(ns);
    t.range((ns.clone(), Arc::from(""))..)
        .take_while(move |((n, _), _)| *n == ns)
        .map(|((_, name), _)| name.as_ref())
}

fn relist_into<K: Stored>(t: &mut Table<K::Rec>, scope: Option<&str>, items: Vec<Arc<K::Rec>>) {
    match scope.filter(|_| K::INFO.namespaced) {
        None => t.clear(),
        Some(ns) => t.retain(|(n, _), _| n.as_ref() != ns),
    }
    for it in items {
        t.insert(it.key(), it);
    }
    K::bound(t);
}

fn apply_into<K: Stored>(t: &mut Table<K::Rec>, r: Arc<K::Rec>) {
    t.insert(r.key(), r);
    K::bound(t);
}

/// The registry: one line per kind (`Variant: module::SlimType => table field`).
macro_rules! registry {
    ($($variant:ident : $module:ident :: $slim:ident => $field:ident),* $(,)?) => {
        $(mod $module; pub use $module::*;)*

        /// The kinds the console watches.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum ResKind {
            $($variant),*
        }

        impl ResKind {
            pub const ALL: &'static [ResKind] = &[$(ResKind::$variant),*];

            pub fn info(self) -> &'static Info {
                match self {
                    $(ResKind::$variant => &<$slim as Kind>::INFO),*
                }
            }

            /// Runs generic work for this kind.
            pub fn visit<V: Visit>(self, v: V) -> V::Out {
                match self {
                    $(ResKind::$variant => v.visit::<$slim>()),*
                }
            }
        }

        /// Every kind's records in one context.
        #[derive(Debug, Default)]
        pub struct Tables {
            $(pub $field: Table<<$slim as Kind>::Rec>,)*
            /// Kinds that have been listed at least once (an empty table of a kind
            /// not listed means "not known", not "none").
            pub listed: std::collections::BTreeSet<ResKind>,
        }

        /// A full listing of one kind (a relist replaces what was known in its scope).
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        pub enum Listing {
            $($variant(Vec<Arc<<$slim as Kind>::Rec>>)),*
        }

        /// One object added or changed.
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        pub enum Object {
            $($variant(Arc<<$slim as Kind>::Rec>)),*
        }

        $(impl Stored for $slim {
            const ID: ResKind = ResKind::$variant;
            fn table(t: &Tables) -> &Table<Self::Rec> {
                &t.$field
            }
            fn table_mut(t: &mut Tables) -> &mut Table<Self::Rec> {
                &mut t.$field
            }
            fn listing(records: Vec<Arc<Self::Rec>>) -> Listing {
                Listing::$variant(records)
            }
            fn object(record: Self::Rec) -> Object {
                Object::$variant(Arc::new(record))
            }
        })*

        impl Object {
            pub fn kind(&self) -> ResKind {
                match self {
                    $(Object::$variant(_) => ResKind::$variant),*
                }
            }

            pub fn key(&self) -> Key {
                match self {
                    $(Object::$variant(r) => r.key()),*
                }
            }
        }

        impl Listing {
            pub fn kind(&self) -> ResKind {
                match self {
                    $(Listing::$variant(_) => ResKind::$variant),*
                }
            }

            pub fn len(&self) -> usize {
                match self {
                    $(Listing::$variant(v) => v.len()),*
                }
            }

            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }
        }

        impl Tables {
            /// Replaces what is known of a kind (everywhere, or in one namespace).
            pub fn relist(&mut self, scope: Option<&str>, l: Listing) -> ResKind {
                match l {
                    $(Listing::$variant(v) => {
                        relist_into::<$slim>(&mut self.$field, scope, v);
                        self.listed.insert(ResKind::$variant);
                        ResKind::$variant
                    })*
                }
            }

            pub fn apply(&mut self, o: Object) -> ResKind {
                match o {
                    $(Object::$variant(r) => {
                        apply_into::<$slim>(&mut self.$field, r);
                        ResKind::$variant
                    })*
                }
            }

            /// Removes an object, giving back its last record.
            pub fn delete(&mut self, kind: ResKind, key: &Key) -> Option<Object> {
                match kind {
                    $(ResKind::$variant => self.$field.remove(key).map(Object::$variant)),*
                }
            }

            /// What is known, as one full listing per kind listed so far (a
            /// recording's checkpoint).
            pub fn listings(&self) -> Vec<Listing> {
                let mut v = Vec::new();
                $(if self.listed.contains(&ResKind::$variant) {
                    v.push(Listing::$variant(self.$field.values().cloned().collect()));
                })*
                v
            }

            pub fn contains(&self, kind: ResKind, key: &Key) -> bool {
                match kind {
                    $(ResKind::$variant => self.$field.contains_key(key)),*
                }
            }

            pub fn len(&self, kind: ResKind) -> usize {
                match kind {
                    $(ResKind::$variant => self.$field.len()),*
                }
            }
        }
    };
}

registry! {
    Namespace: namespace::Namespace => namespaces,
    Node: node::Node => nodes,
    Pod: pod::Pod => pods,
    Deployment: deployment::Deployment => deployments,
    ReplicaSet: replicaset::ReplicaSet => replicasets,
    StatefulSet: statefulset::StatefulSet => statefulsets,
    DaemonSet: daemonset::DaemonSet => daemonsets,
    Hpa: hpa::Hpa => hpas,
    CronJob: cronjob::CronJob => cronjobs,
    Job: job::Job => jobs,
    Service: service::Service => services,
    Endpoints: endpoints::Endpoints => endpoints,
    Ingress: ingress::Ingress => ingresses,
    Event: event::Event => events,
    Pdb: pdb::Pdb => pdbs,
    ConfigMap: configmap::ConfigMap => configmaps,
    Secret: secret::Secret => secrets,
    Pvc: pvc::Pvc => pvcs,
    Pv: pv::Pv => pvs,
    NetworkPolicy: networkpolicy::NetworkPolicy => networkpolicies,
    ServiceAccount: serviceaccount::ServiceAccount => serviceaccounts,
}

impl ResKind {
    pub fn plural(self) -> &'static str {
        self.info().plural
    }

    /// The kind `kubectl get NAME` would pick among the watched ones.
    pub fn named(name: &str) -> Option<ResKind> {
        ResKind::ALL.iter().copied().find(|k| k.info().named(name))
    }

    /// From an object's `kind` (`Deployment`) as owner references and events name it.
    pub fn from_kind(kind: &str) -> Option<ResKind> {
        ResKind::ALL
            .iter()
            .copied()
            .find(|k| k.info().kind.eq_ignore_ascii_case(kind))
    }
}
