//! The simulated cluster's resource registry: every kind it stores, and every API
//! surface (group/version/plural) that serves one, with the discovery facts kubectl
//! relies on (short names, verbs, subresources and their response kinds).

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
}

impl Kind {
    pub const ALL: [Kind; 14] = [
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
    ];

    /// The native API surface of this kind (the one its objects carry in apiVersion).
    pub fn native(self) -> &'static Surface {
        SURFACES
            .iter()
            .find(|s| s.stored == Some(self) && s.repr == Repr::Native)
            .expect("every kind has a native surface")
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
                | Kind::Hpa
                | Kind::CronJob
                | Kind::Job
                | Kind::Pdb
                | Kind::VolumeSnapshot
        )
    }

    /// Kinds with a `status` subresource: writes to the main resource keep the old
    /// status, writes to `/status` keep the old spec.
    pub fn has_status_subresource(self) -> bool {
        !matches!(self, Kind::Endpoints | Kind::Event)
    }

    pub fn from_kind_name(kind: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.kind_name() == kind)
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
    ("policy", "v1"),
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
        ],
        stored: Some(Kind::Pod),
        repr: Repr::Native,
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
        for k in Kind::ALL {
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
            "po", "svc", "deploy", "rs", "sts", "cj", "hpa", "ns", "pdb", "ev",
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
