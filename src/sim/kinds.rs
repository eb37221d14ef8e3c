//! The simulated cluster's resource registry: every kind it stores, and every API
//! surface (group/version/plural) that serves one, with the discovery facts kubectl
//! relies on (short names, verbs, subresources and their response kinds) and how
//! `kubectl get` prints it. Kinds defined by CustomResourceDefinitions are registered
//! while the server runs (`crd`).

/// A kind of object the simulated cluster stores.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Namespace,
    Node,
    Pod,
    Service,
    Endpoints,
    Event,
    Deployment,
    ReplicaSet,
    StatefulSet,
    Hpa,
    CronJob,
    Job,
    Pdb,
    VolumeSnapshot,
    ConfigMap,
    Secret,
    ServiceAccount,
    Pv,
    Pvc,
    DaemonSet,
    Ingress,
    IngressClass,
    NetworkPolicy,
    StorageClass,
    Lease,
    Role,
    RoleBinding,
    ClusterRole,
    ClusterRoleBinding,
    Crd,
    /// A custom resource: objects of the CustomResourceDefinition registered under
    /// this id (see `crd`).
    Custom(u32),
}

impl Kind {
    /// The built-in kinds (custom ones come and go with their definitions).
    pub const BUILTIN: [Kind; 30] = [
        Kind::Namespace,
        Kind::Node,
        Kind::Pod,
        Kind::Service,
        Kind::Endpoints,
        Kind::Event,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::StatefulSet,
        Kind::Hpa,
        Kind::CronJob,
        Kind::Job,
        Kind::Pdb,
        Kind::VolumeSnapshot,
        Kind::ConfigMap,
        Kind::Secret,
        Kind::ServiceAccount,
        Kind::Pv,
        Kind::Pvc,
        Kind::DaemonSet,
        Kind::Ingress,
        Kind::IngressClass,
        Kind::NetworkPolicy,
        Kind::StorageClass,
        Kind::Lease,
        Kind::Role,
        Kind::RoleBinding,
        Kind::ClusterRole,
        Kind::ClusterRoleBinding,
        Kind::Crd,
    ];

    /// The native API surface of this kind (the one its objects carry in apiVersion).
    pub fn native(self) -> &'static Surface {
        if let Kind::Custom(id) = self {
            return super::crd::native(id);
        }
        SURFACES
            .iter()
            .find(|s| s.stored == Some(self) && s.repr == Repr::Native)
            .unwrap_or(&super::crd::UNKNOWN)
    }

    pub fn kind_name(self) -> &'static str {
        self.native().kind
    }

    pub fn api_version(self) -> String {
        self.native().api_version()
    }

    pub fn namespaced(self) -> bool {
        self.native().namespaced
    }

    /// Kinds whose `metadata.generation` tracks spec changes.
    pub fn has_generation(self) -> bool {
        matches!(
            self,
            Kind::Deployment
                | Kind::ReplicaSet
                | Kind::StatefulSet
                | Kind::DaemonSet
                | Kind::Hpa
                | Kind::CronJob
                | Kind::Job
                | Kind::Pdb
                | Kind::VolumeSnapshot
                | Kind::Ingress
                | Kind::NetworkPolicy
                | Kind::Crd
                | Kind::Custom(_)
        )
    }

    /// Kinds with a `status` subresource: writes to the main resource keep the old
    /// status, writes to `/status` keep the old spec.
    pub fn has_status_subresource(self) -> bool {
        self.native().subresource("status").is_some()
    }

    /// A built-in kind by its `kind` (`ConfigMap`).
    pub fn from_kind_name(kind: &str) -> Option<Kind> {
        Kind::BUILTIN.into_iter().find(|k| k.kind_name() == kind)
    }
}

/// How a surface represents a stored kind.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Repr {
    /// The kind's own representation.
    Native,
    /// `events.k8s.io/v1` view of core events.
    EventsV1,
    /// `metrics.k8s.io` PodMetrics computed from the load model (not stored).
    PodMetrics,
    /// `metrics.k8s.io` NodeMetrics computed from the load model (not stored).
    NodeMetrics,
    /// `authorization.k8s.io` SelfSubjectAccessReview (create only, not stored).
    AccessReview,
}

/// A subresource, as discovery lists it.
#[derive(Debug)]
pub struct Sub {
    pub name: &'static str,
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub verbs: &'static [&'static str],
}

/// One API surface: a resource under a group/version.
#[derive(Debug)]
pub struct Surface {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    pub verbs: &'static [&'static str],
    pub subresources: &'static [Sub],
    pub stored: Option<Kind>,
    pub repr: Repr,
    /// The columns `kubectl get` shows (empty: the built-in printer in `table`).
    pub printer: &'static [Col],
}

/// What a column shows.
#[derive(Debug)]
pub enum Cell {
    Name,
    /// The time since creation (`3d4h`).
    Age,
    /// A value at a path (`spec.type`), or `<none>` when absent.
    Path(&'static [&'static str]),
    /// How many items or keys there are at each path (summed: `data` and `binaryData`).
    Count(&'static [&'static [&'static str]]),
    /// A JSONPath of a CustomResourceDefinition's printer column, as declared.
    JsonPath(&'static str),
    /// Computed by a printer function.
    Func(fn(&serde_json::Value, jiff::Timestamp) -> serde_json::Value),
}

/// A column of `kubectl get` output.
#[derive(Debug)]
pub struct Col {
    pub name: &'static str,
    /// `string`, `integer`, `boolean`, `date`, `number`.
    pub ty: &'static str,
    /// 0: always shown; 1: with `-o wide`.
    pub priority: u8,
    pub cell: Cell,
}

const fn col(name: &'static str, ty: &'static str, cell: Cell) -> Col {
    Col {
        name,
        ty,
        priority: 0,
        cell,
    }
}

const fn wide(name: &'static str, ty: &'static str, cell: Cell) -> Col {
    Col {
        name,
        ty,
        priority: 1,
        cell,
    }
}

impl Surface {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployments.apps`, `pods` — the form used in Status messages.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    pub fn subresource(&self, name: &str) -> Option<&'static Sub> {
        self.subresources.iter().find(|s| s.name == name)
    }
}

const RW: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const STATUS_GU: &[&str] = &["get", "patch", "update"];

const fn status(group: &'static str, version: &'static str, kind: &'static str) -> Sub {
    Sub {
        name: "status",
        group,
        version,
        kind,
        verbs: STATUS_GU,
    }
}

const fn scale() -> Sub {
    Sub {
        name: "scale",
        group: "autoscaling",
        version: "v1",
        kind: "Scale",
        verbs: STATUS_GU,
    }
}

/// API groups in discovery order (core first; kubectl resolves short names in this order).
pub const GROUPS: &[(&str, &str)] = &[
    ("", "v1"),
    ("apps", "v1"),
    ("events.k8s.io", "v1"),
    ("authorization.k8s.io", "v1"),
    ("autoscaling", "v2"),
    ("batch", "v1"),
    ("networking.k8s.io", "v1"),
    ("policy", "v1"),
    ("rbac.authorization.k8s.io", "v1"),
    ("storage.k8s.io", "v1"),
    ("apiextensions.k8s.io", "v1"),
    ("coordination.k8s.io", "v1"),
    ("snapshot.storage.k8s.io", "v1"),
    ("metrics.k8s.io", "v1beta1"),
];

pub static SURFACES: &[Surface] = &[
    Surface {
        group: "",
        version: "v1",
        kind: "Namespace",
        plural: "namespaces",
        singular: "namespace",
        namespaced: false,
        short_names: &["ns"],
        categories: &[],
        verbs: &[
            "create", "delete", "get", "list", "patch", "update", "watch",
        ],
        subresources: &[status("", "v1", "Namespace")],
        stored: Some(Kind::Namespace),
        repr: Repr::Native,
        printer: &[],
    },
    Surface {
        group: "",
        version: "v1",
        kind: "Node",
        plural: "nodes",
        singular: "node",
        namespaced: false,
        short_names: &["no"],
        categories: &[],
        verbs: RW,
        subresources: &[
            status("", "v1", "Node"),
            Sub {
                name: "proxy",
                group: "",
                version: "v1",
                kind: "NodeProxyOptions",
                verbs: &["create", "delete", "get", "patch", "update"],
            },
        ],
        stored: Some(Kind::Node),
        repr: Repr::Native,
        printer: &[],
    },
    Surface {
        group: "",
        version: "v1",
        kind: "Pod",
        plural: "pods",
        singular: "pod",
        namespaced: true,
        short_names: &["po"],
        categories: &["all"],
        verbs: RW,
        subresources: &[
            status("", "v1", "Pod"),
            Sub {
                name: "log",
                group: "",
                version: "v1",
                kind: "Pod",
                verbs: &["get"],
            },
            Sub {
                name: "proxy",
                group: "",
                version: "v1",
                kind: "PodProxyOptions",
                verbs: &["create", "delete", "get", "patch", "update"],
            },
            Sub {
                name: "exec",
                group: "",
                version: "v1",
                kind: "PodExecOptions",
                verbs: &["create", "get"],
            },
            Sub {
                name: "attach",
                group: "",
                version: "v1",
                kind: "PodAttachOptions",
                verbs: &["create", "get"],
            },
            Sub {
                name: "portforward",
                group: "",
                version: "v1",
                kind: "PodPortForwardOptions",
                verbs: &["create", "get"],
            },
        ],
        stored: Some(Kind::Pod),
        repr: Repr::Native,
        printer: &[],
    },
    Surface {
        group: "",
        version: "v1",
        kind: "Service",
        plural: "services",
        singular: "service",
        namespaced: true,
        short_names: &["svc"],
        categories: &["all"],
        verbs: &[
            "create", "delete", "get", "list", "patch", "update", "watch",
        ],
        subresources: &[
            status("", "v1", "Service"),
            Sub {
                name: "proxy",
                group: "",
                version: "v1",
                kind: "ServiceProxyOptions",
                verbs: &["create", "delete", "get", "patch", "update"],
            },
        ],
        stored: Some(Kind::Service),
        repr: Repr::Native,
        printer: &[],
    },
    Surface {
        group: "",
        version: "v1",
        kind: "Endpoints",
        plural: "endpoints",
        singular: "endpoints",
        namespaced: true,
        short_names: &["ep"],
        categories: &[],
        verbs: RW,
        subresources: &[],
        stored: Some(Kind::Endpoints),
        repr: Repr::Native,
        printer: &[],
    },
    Surface {
        group: "",
        version: "v1",
        kind: "Event",
        plural: "events",
        singular: "event",
        namespaced: true,
        short_names: &["ev"],
        categories: &[],
        verbs: RW,
        subresources: &[],
        stored: Some(Kind::Event),
        repr: Repr::Native,
        printer: &[],
    },
    Surface {
        group: "",
        version: "v1",
        kind: "ConfigMap",
        plural: "configmaps",
        singular: "configmap",
        namespaced: true,
        short_names: &["cm"],
        categories: &[],
        verbs: RW,
        subresources: &[],
        stored: Some(Kind::ConfigMap),
        repr: Repr::Native,
        printer: &[
            col("Name", "string", Cell::Name),
            col(
                "Data",
                "integer",
                Cell::Count(&[&["data"], &["binaryData"]]),
            ),
            col("Age", "string", Cell::Age),
        ],
    },
    Surface {
        group: "",
        version: "v1",
        kind: "Secret",
        plural: "secrets",
        singular: "secret",
        namespaced: true,
        short_names: &[],
        categories: &[],
        verbs: RW,
        subresources: &[],
        stored: Some(Kind::Secret),
        repr: Repr::Native,
        printer: &[
            col("Name", "string", Cell::Name),
            col("Type", "string", Cell::Path(&["type"])),
            col("Data", "integer", Cell::Count(&[&["data"]])),
            col("Age", "string", Cell::Age),
        ],
    },
    Surface {
        group: "",
        version: "v1",
        kind: "ServiceAccount",
        plural: "serviceaccounts",
        singular: "serviceaccount",
        namespaced: true,
        short_names: &["sa"],
        categories: &[],
        verbs: RW,
        subresources: &[],
        stored: Some(Kind::ServiceAccount),
        repr: Repr::Native,
        printer: &[
            col("Name", "string", Cell::Name),
            col("Secrets", "string", Cell::Count(&[&["secrets"]])),
            col("Age", "string", Cell::Age),
        ],
    },
    Surface {
        group: "",
        version: "v1",
        kind: "PersistentVolume",
        plural: "persistentvolumes",
        singular: "persistentvolume",
        namespaced: false,
        short_names: &["pv"],
        categories: &[],
        verbs: RW,
        subresources: &[status("", "v1", "PersistentVolume")],
        stored: Some(Kind::Pv),
        repr: Repr::Native,
        printer: &[
            col("Name", "string", Cell::Name),
            col(
                "Capacity",
                "string",
                Cell::Path(&["spec", "capacity", "storage"]),
            ),
            col(
                "Access Modes",
                "string",
                Cell::Func(super::table::pv_access_modes),
            ),
            col(
                "Reclaim Policy",
                "string",
                Cell::Path(&["spec", "persistentVolumeReclaimPolicy"]),
            ),
            col("Status", "string", Cell::Path(&["status", "phase"])),
            col("Claim", "string", Cell::Func(super::table::pv_claim)),
            col(
                "StorageClass",
                "string",
                Cell::Path(&["spec", "storageClassName"]),
            ),
            col(
                "VolumeAttributesClass",
                "string",
                Cell::Path(&["spec", "volumeAttributesClassName"]),
            ),
            col("Reason", "string", Cell::Path(&["status", "reason"])),
            col("Age", "string", Cell::Age),
            wide("VolumeMode", "string", Cell::Path(&["spec", "volumeMode"])),
        ],
    },
    Surface {
        group: "",
        version: "v1",
        kind: "PersistentVolumeClaim",
        plural: "persistentvolumeclaims",
        singular: "persistentvolumeclaim",
        namespaced: true,
        short_names: &["pvc"],
        categories: &[],
        verbs: RW,
        subresources: &[status("", "v1", "PersistentVolumeClaim")],
        stored: Some(Kind::Pvc),
        repr: Repr::Native,
        printer: &[
            col("Name", "string", Cell::Name),
            col("Status", "string", Cell::Path(&["status", "phase"])),
            col("Volume", "string", Cell::Path(&["spec", "volumeName"])),
            col(
                "Capacity",
                "string",
                Cell::Path(&["status", "capacity", "storage"]),
            ),
            col(
                "Access Modes",
                "string",
                Cell::Func(super::table::pvc_access_modes),
            ),
            col(
                "StorageClass",
                "string",
                Cell::Path(&["spec", "storageClassName"]),
            ),
            col(
                "VolumeAttributesClass",
                "string",
                Cell::Path(&["spec", "volumeAttributesClassName"]),
            ),
            col("Age", "string", Cell::Age),
            wide("VolumeMode", "string", Cell::Path(&["spec", "volumeMode"])),
        ],
    },
    Surface {
        group: "apps",
        version: "v1",
        kind: "Deployment",
        plural: "deployments",
        singular: "deployment",
        namespaced: true,
        short_names: &["deploy"],
        categories: &["all"],
        verbs: RW,
        subresources: &[status("apps", "v1", "Deployment"), scale()],
        stored: Some(Kind::Deployment),
        repr: Repr::Native,
        printer: &[],
    },
    Surface {
        group: "apps",
        version: "v1",
        kind: "ReplicaSet",
        plural: "replicasets",
        singular: "replicaset",
        namespaced: true,
        short_names: &["rs"],
        categories: &["all"],
        verbs: RW,
        subresources: &[status("apps", "v1", "ReplicaSet"), scale()],
        stored: Some(Kind::ReplicaSet),
        repr: Repr::Native,
        printer: &[],
    },
    Surface {
        group: "apps",
        version: "v1",
        kind: "StatefulSet",
        plural: "statefulsets",
        singular: "statefulset",
        namespaced: true,
        short_names: &["sts"],
        categories: &["all"],
        verbs: RW,
        subresources: &[status("apps", "v1", "StatefulSet"), scale()],
        stored: Some(Kind::StatefulSet),
        repr: Repr::Native,
        printer: &[],
    },
    Surface {
        group: "apps",
        version: "v1",
        kind: "DaemonSet",
        plural: "daemonsets",
        singular: "daemonset",
        namespaced: true,
        short_names: &["ds"],
        categories: &["all"],
        verbs: RW,
        subresources: &[status("apps", "v1", "DaemonSet")],
        stored: Some(Kind::DaemonSet),
        repr: Repr::Native,
        printer: &[
            col("Name", "string", Cell::Name),
            col(
                "Desired",
                "integer",
                Cell::Path(&["status", "desiredNumberScheduled"]),
            ),
            col(
                "Current",
                "integer",
                Cell::Path(&["status", "currentNumberScheduled"]),
            ),
            col("Ready", "integer", Cell::Path(&["status", "numberReady"])),
            col(
                "Up-to-date",
                "integer",
                Cell::Path(&["status", "updatedNumberScheduled"]),
            ),
            col(
                "Available",
                "integer",
                Cell::Path(&["status", "numberAvailable"]),
            ),
            col(
                "Node Selector",
                "string",
                Cell::Func(super::table::node_selector),
            ),
            col("Age", "string", Cell::Age),
            wide(
                "Containers",
                "string",
                Cell::Func(super::table::template_containers),
            ),
            wide(
                "Images",
                "string",
                Cell::Func(super::table::template_images),
            ),
            wide(
                "Selector",
                "string",
                Cell::Func(super::table::spec_selector),
            ),
        ],
    },
    Surface {
        group: "events.k8s.io",
        version: "v1",
        kind: "Event",
        plural: "events",
        singular: "event",
        namespaced: true,
        short_names: &["ev"],
        categories: &[],
        verbs: RW,
        subresources: &[],
        stored: Some(Kind::Event),
        repr: Repr::EventsV1,
        printer: &[],
    },
    Surface {
        group: "authorization.k8s.io",
        version: "v1",
        kind: "SelfSubjectAccessReview",
        plural: "selfsubjectaccessreviews",
        singular: "selfsubjectaccessreview",
        namespaced: false,
        short_names: &[],
        categories: &[],
        verbs: &["create"],
        subresources: &[],
        stored: None,
        repr: Repr::AccessReview,
        printer: &[],
    },
    Surface {
        group: "autoscaling",
        version: "v2",
        kind: "HorizontalPodAutoscaler",
        plural: "horizontalpodautoscalers",
        singular: "horizontalpodautoscaler",
        namespaced: true,
        short_names: &["hpa"],
        categories: &["all"],
        verbs: RW,
        subresources: &[status("autoscaling", "v2", "HorizontalPodAutoscaler")],
        stored: Some(Kind::Hpa),
        repr: Repr::Native,
        printer: &[],
    },
    Surface {
        group: "batch",
        version: "v1",
        kind: "CronJob",
        plural: "cronjobs",
        singular: "cronjob",
        namespaced: true,
        short_names: &["cj"],
        categories: &["all"],
        verbs: RW,
        subresources: &[status("batch", "v1", "CronJob")],
        stored: Some(Kind::CronJob),
        repr: Repr::Native,
        printer: &[],
    },
    Surface {
        group: "batch",
        version: "v1",
        kind: "Job",
        plural: "jobs",
        singular: "job",
        namespaced: true,
        short_names: &[],
        categories: &["all"],
        verbs: RW,
        subresources: &[status("batch", "v1", "Job")],
        stored: Some(Kind::Job),
        repr: Repr::Native,
        printer: &[],
    },
    Surface {
        group: "networking.k8s.io",
        version: "v1",
        kind: "Ingress",
        plural: "ingresses",
        singular: "ingress",
        namespaced: true,
        short_names: &["ing"],
        categories: &[],
        verbs: RW,
        subresources: &[status("networking.k8s.io", "v1", "Ingress")],
        stored: Some(Kind::Ingress),
        repr: Repr::Native,
        printer: &[
            col("Name", "string", Cell::Name),
            col("Class", "string", Cell::Path(&["spec", "ingressClassName"])),
            col("Hosts", "string", Cell::Func(super::table::ingress_hosts)),
            col(
                "Address",
                "string",
                Cell::Func(super::table::ingress_address),
            ),
            col("Ports", "string", Cell::Func(super::table::ingress_ports)),
            col("Age", "string", Cell::Age),
        ],
    },
    Surface {
        group: "networking.k8s.io",
        version: "v1",
        kind: "IngressClass",
        plural: "ingressclasses",
        singular: "ingressclass",
        namespaced: false,
        short_names: &[],
        categories: &[],
        verbs: RW,
        subresources: &[],
        stored: Some(Kind::IngressClass),
        repr: Repr::Native,
        printer: &[
            col("Name", "string", Cell::Name),
            col("Controller", "string", Cell::Path(&["spec", "controller"])),
            col(
                "Parameters",
                "string",
                Cell::Path(&["spec", "parameters", "name"]),
            ),
            col("Age", "string", Cell::Age),
        ],
    },
    Surface {
        group: "networking.k8s.io",
        version: "v1",
        kind: "NetworkPolicy",
        plural: "networkpolicies",
        singular: "networkpolicy",
        namespaced: true,
        short_names: &["netpol"],
        categories: &[],
        verbs: RW,
        subresources: &[],
        stored: Some(Kind::NetworkPolicy),
        repr: Repr::Native,
        printer: &[
            col("Name", "string", Cell::Name),
            col(
                "Pod-Selector",
                "string",
                Cell::Func(super::table::pod_selector),
            ),
            col("Age", "string", Cell::Age),
        ],
    },
    Surface {
        group: "policy",
        version: "v1",
        kind: "PodDisruptionBudget",
        plural: "poddisruptionbudgets",
        singular: "poddisruptionbudget",
        namespaced: true,
        short_names: &["pdb"],
        categories: &[],
        verbs: RW,
        subresources: &[status("policy", "v1", "PodDisruptionBudget")],
        stored: Some(Kind::Pdb),
        repr: Repr::Native,
        printer: &[],
    },
    Surface {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "Role",
        plural: "roles",
        singular: "role",
        namespaced: true,
        short_names: &[],
        categories: &[],
        verbs: RW,
        subresources: &[],
        stored: Some(Kind::Role),
        repr: Repr::Native,
        printer: &[
            col("Name", "string", Cell::Name),
            col(
                "Created At",
                "date",
                Cell::Path(&["metadata", "creationTimestamp"]),
            ),
        ],
    },
    Surface {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "RoleBinding",
        plural: "rolebindings",
        singular: "rolebinding",
        namespaced: true,
        short_names: &[],
        categories: &[],
        verbs: RW,
        subresources: &[],
        stored: Some(Kind::RoleBinding),
        repr: Repr::Native,
        printer: &[
            col("Name", "string", Cell::Name),
            col("Role", "string", Cell::Func(super::table::role_ref)),
            col("Age", "string", Cell::Age),
            wide("Users", "string", Cell::Func(super::table::subject_users)),
            wide("Groups", "string", Cell::Func(super::table::subject_groups)),
            wide(
                "ServiceAccounts",
                "string",
                Cell::Func(super::table::subject_service_accounts),
            ),
        ],
    },
    Surface {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "ClusterRole",
        plural: "clusterroles",
        singular: "clusterrole",
        namespaced: false,
        short_names: &[],
        categories: &[],
        verbs: RW,
        subresources: &[],
        stored: Some(Kind::ClusterRole),
        repr: Repr::Native,
        printer: &[
            col("Name", "string", Cell::Name),
            col(
                "Created At",
                "date",
                Cell::Path(&["metadata", "creationTimestamp"]),
            ),
        ],
    },
    Surface {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "ClusterRoleBinding",
        plural: "clusterrolebindings",
        singular: "clusterrolebinding",
        namespaced: false,
        short_names: &[],
        categories: &[],
        verbs: RW,
        subresources: &[],
        stored: Some(Kind::ClusterRoleBinding),
        repr: Repr::Native,
        printer: &[
            col("Name", "string", Cell::Name),
            col("Role", "string", Cell::Func(super::table::role_ref)),
            col("Age", "string", Cell::Age),
            wide("Users", "string", Cell::Func(super::table::subject_users)),
            wide("Groups", "string", Cell::Func(super::table::subject_groups)),
            wide(
                "ServiceAccounts",
                "string",
                Cell::Func(super::table::subject_service_accounts),
            ),
        ],
    },
    Surface {
        group: "storage.k8s.io",
        version: "v1",
        kind: "StorageClass",
        plural: "storageclasses",
        singular: "storageclass",
        namespaced: false,
        short_names: &["sc"],
        categories: &[],
        verbs: RW,
        subresources: &[],
        stored: Some(Kind::StorageClass),
        repr: Repr::Native,
        printer: &[
            col(
                "Name",
                "string",
                Cell::Func(super::table::storage_class_name),
            ),
            col("Provisioner", "string", Cell::Path(&["provisioner"])),
            col("ReclaimPolicy", "string", Cell::Path(&["reclaimPolicy"])),
            col(
                "VolumeBindingMode",
                "string",
                Cell::Path(&["volumeBindingMode"]),
            ),
            col(
                "AllowVolumeExpansion",
                "string",
                Cell::Path(&["allowVolumeExpansion"]),
            ),
            col("Age", "string", Cell::Age),
        ],
    },
    Surface {
        group: "apiextensions.k8s.io",
        version: "v1",
        kind: "CustomResourceDefinition",
        plural: "customresourcedefinitions",
        singular: "customresourcedefinition",
        namespaced: false,
        short_names: &["crd", "crds"],
        categories: &["api-extensions"],
        verbs: RW,
        subresources: &[status(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
        )],
        stored: Some(Kind::Crd),
        repr: Repr::Native,
        printer: &[
            col("Name", "string", Cell::Name),
            col(
                "Created At",
                "date",
                Cell::Path(&["metadata", "creationTimestamp"]),
            ),
        ],
    },
    Surface {
        group: "coordination.k8s.io",
        version: "v1",
        kind: "Lease",
        plural: "leases",
        singular: "lease",
        namespaced: true,
        short_names: &[],
        categories: &[],
        verbs: RW,
        subresources: &[],
        stored: Some(Kind::Lease),
        repr: Repr::Native,
        printer: &[
            col("Name", "string", Cell::Name),
            col("Holder", "string", Cell::Path(&["spec", "holderIdentity"])),
            col("Age", "string", Cell::Age),
        ],
    },
    Surface {
        group: "snapshot.storage.k8s.io",
        version: "v1",
        kind: "VolumeSnapshot",
        plural: "volumesnapshots",
        singular: "volumesnapshot",
        namespaced: true,
        short_names: &["vs"],
        categories: &[],
        verbs: RW,
        subresources: &[status("snapshot.storage.k8s.io", "v1", "VolumeSnapshot")],
        stored: Some(Kind::VolumeSnapshot),
        repr: Repr::Native,
        printer: &[],
    },
    Surface {
        group: "metrics.k8s.io",
        version: "v1beta1",
        kind: "PodMetrics",
        plural: "pods",
        singular: "",
        namespaced: true,
        short_names: &[],
        categories: &[],
        verbs: &["get", "list"],
        subresources: &[],
        stored: None,
        repr: Repr::PodMetrics,
        printer: &[],
    },
    Surface {
        group: "metrics.k8s.io",
        version: "v1beta1",
        kind: "NodeMetrics",
        plural: "nodes",
        singular: "",
        namespaced: false,
        short_names: &[],
        categories: &[],
        verbs: &["get", "list"],
        subresources: &[],
        stored: None,
        repr: Repr::NodeMetrics,
        printer: &[],
    },
];

/// Finds the surface serving `plural` under `group/version`.
pub fn surface(group: &str, version: &str, plural: &str) -> Option<&'static Surface> {
    SURFACES
        .iter()
        .find(|s| s.group == group && s.version == version && s.plural == plural)
}

/// All surfaces of one group/version, in registry order.
pub fn surfaces_of(group: &str, version: &str) -> impl Iterator<Item = &'static Surface> {
    let group = group.to_string();
    let version = version.to_string();
    SURFACES
        .iter()
        .filter(move |s| s.group == group && s.version == version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_exactly_one_native_surface() {
        for k in Kind::BUILTIN {
            let n = SURFACES
                .iter()
                .filter(|s| s.stored == Some(k) && s.repr == Repr::Native)
                .count();
            assert_eq!(n, 1, "{k:?}");
        }
    }

    #[test]
    fn surfaces_belong_to_listed_groups() {
        for s in SURFACES {
            assert!(
                GROUPS.iter().any(|(g, v)| *g == s.group && *v == s.version),
                "{} {}/{}",
                s.plural,
                s.group,
                s.version
            );
        }
    }

    #[test]
    fn short_names_kubectl_needs_exist() {
        for short in [
            "po", "svc", "deploy", "rs", "sts", "cj", "hpa", "ns", "pdb", "ev", "cm", "sa", "pv",
            "pvc", "ds", "ing", "netpol", "sc", "crd",
        ] {
            assert!(
                SURFACES.iter().any(|s| s.short_names.contains(&short)),
                "{short}"
            );
        }
        let d = surface("apps", "v1", "deployments").unwrap();
        let sc = d.subresource("scale").unwrap();
        assert_eq!(
            (sc.group, sc.version, sc.kind),
            ("autoscaling", "v1", "Scale")
        );
    }
}
