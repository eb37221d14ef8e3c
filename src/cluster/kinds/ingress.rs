//! Ingresses: class, hosts and paths, each backend with its Service's ready
//! endpoints, TLS secrets (whether each exists) and the load balancer address. An
//! Ingress with a backend that has no ready endpoint needs attention (it is on the
//! overview). Enter opens the first backend's Service.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
pub struct BackendPort {
    pub number: Option<i32>,
    pub name: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct ServiceBackend {
    pub name: String,
    pub port: Option<BackendPort>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct IngressBackend {
    pub service: Option<ServiceBackend>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct HttpPath {
    pub path: Option<String>,
    #[serde(default)]
    pub backend: IngressBackend,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct HttpRule {
    #[serde(default)]
    pub paths: Vec<HttpPath>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct IngressRule {
    pub host: Option<String>,
    pub http: Option<HttpRule>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct IngressTls {
    #[serde(default)]
    pub hosts: Vec<String>,
    pub secret_name: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct IngressSpec {
    pub ingress_class_name: Option<String>,
    pub default_backend: Option<IngressBackend>,
    #[serde(default)]
    pub rules: Vec<IngressRule>,
    #[serde(default)]
    pub tls: Vec<IngressTls>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct LbIngress {
    pub ip: Option<String>,
    pub hostname: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct LoadBalancer {
    #[serde(default)]
    pub ingress: Vec<LbIngress>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct IngressStatus {
    pub load_balancer: Option<LoadBalancer>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Ingress {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: IngressSpec,
    #[serde(default)]
    pub status: IngressStatus,
}

/// One path of a rule and the Service port it sends to.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Route {
    /// `*` when the rule has no host.
    pub host: Box<str>,
    pub path: Box<str>,
    pub service: Arc<str>,
    /// The port, by number or name.
    pub port: Box<str>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IngressRec {
    pub meta: Meta,
    pub class: Option<Arc<str>>,
    pub routes: Box<[Route]>,
    /// (hosts, secret name) of each TLS entry.
    pub tls: Box<[(Box<str>, Arc<str>)]>,
    pub address: Option<Box<str>>,
}

/// What a backend Service has: `None` when there is no such Service, else (ready,
/// all) endpoint addresses.
pub type BackendState = Option<(usize, usize)>;

impl IngressRec {
    /// The distinct backend Services, in order.
    pub fn services(&self) -> Vec<&Arc<str>> {
        let mut v: Vec<&Arc<str>> = Vec::new();
        for r in self.routes.iter() {
            if !v.contains(&&r.service) {
                v.push(&r.service);
            }
        }
        v
    }

    pub fn hosts(&self) -> String {
        let mut hosts: Vec<&str> = Vec::new();
        for r in self.routes.iter() {
            if !hosts.contains(&&*r.host) {
                hosts.push(&r.host);
            }
        }
        if hosts.is_empty() {
            "*".into()
        } else {
            hosts.join(",")
        }
    }

    /// The state of each backend Service, read from the other kinds.
    pub fn backends(&self, t: &Tables) -> Vec<(Arc<str>, BackendState)> {
        self.services()
            .into_iter()
            .map(|s| {
                let key = (self.meta.namespace.clone(), s.clone());
                let state = t.services.get(&key).map(|_| {
                    t.endpoints
                        .get(&key)
                        .map_or((0, 0), |e| (e.ready.len(), e.ready.len() + e.not_ready.len()))
                });
                (s.clone(), state)
            })
            .collect()
    }

    /// Whether each TLS secret exists: `None` when secrets cannot be listed here.
    pub fn tls_state(&self, t: &Tables) -> Vec<(Arc<str>, Option<bool>)> {
        let known = t.listed.contains(&ResKind::Secret);
        self.tls
            .iter()
            .map(|(_, s)| {
                let key = (self.meta.namespace.clone(), s.clone());
                (s.clone(), known.then(|| t.secrets.contains_key(&key)))
            })
            .collect()
    }

    /// The problems, worst first.
    pub fn problems(&self, t: &Tables) -> Vec<(Severity, String)> {
        let mut out = Vec::new();
        if t.listed.contains(&ResKind::Service) {
            for (svc, st) in self.backends(t) {
                match st {
                    None => out.push((Severity::Warning, format!("backend svc/{svc} does not exist"))),
                    Some((0, _)) if t.listed.contains(&ResKind::Endpoints) => out.push((
                        Severity::Warning,
                        format!("backend svc/{svc} has no ready endpoint"),
                    )),
                    _ => {}
                }
            }
        }
        for (s, exists) in self.tls_state(t) {
            if exists == Some(false) {
                out.push((Severity::Warning, format!("TLS secret {s} not found")));
            }
        }
        out
    }
}

impl Record for IngressRec {
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

fn port_text(p: &Option<BackendPort>) -> Box<str> {
    let s = match p {
        Some(BackendPort { number: Some(n), .. }) => n.to_string(),
        Some(BackendPort { name: Some(n), .. }) => sanitize::line(n, 63),
        _ => "-".into(),
    };
    Box::from(s.as_str())
}

impl Kind for Ingress {
    type Rec = IngressRec;
    const INFO: Info = Info {
        kind: "Ingress",
        group: "networking.k8s.io",
        version: "v1",
        plural: "ingresses",
        singular: "ingress",
        short: &["ing"],
        namespaced: true,
        title: "Ingresses",
    };

    fn record(&self, names: &mut Interner) -> IngressRec {
        let mut routes = Vec::new();
        if let Some(svc) = self
            .spec
            .default_backend
            .as_ref()
            .and_then(|b| b.service.as_ref())
        {
            routes.push(Route {
                host: "*".into(),
                path: "(default)".into(),
                service: names.clean(&svc.name, 253),
                port: port_text(&svc.port),
            });
        }
        for rule in self.spec.rules.iter().take(200) {
            let host: Box<str> = Box::from(sanitize::line(rule.host.as_deref().unwrap_or("*"), 253).as_str());
            for p in rule.http.iter().flat_map(|h| h.paths.iter()).take(200) {
                if let Some(svc) = &p.backend.service {
                    routes.push(Route {
                        host: host.clone(),
                        path: Box::from(sanitize::line(p.path.as_deref().unwrap_or("/"), 200).as_str()),
                        service: names.clean(&svc.name, 253),
                        port: port_text(&svc.port),
                    });
                }
            }
        }
        IngressRec {
            meta: Meta::from(&self.metadata, names),
            class: self.spec.ingress_class_name.as_deref().map(|c| names.clean(c, 253)),
            routes: routes.into(),
            tls: self
                .spec
                .tls
                .iter()
                .filter_map(|t| {
                    Some((
                        Box::from(sanitize::line(&t.hosts.join(","), 300).as_str()),
                        names.clean(t.secret_name.as_deref()?, 253),
                    ))
                })
                .collect(),
            address: self.status.load_balancer.as_ref().and_then(|lb| {
                let a: Vec<&str> = lb
                    .ingress
                    .iter()
                    .filter_map(|i| i.ip.as_deref().or(i.hostname.as_deref()))
                    .collect();
                (!a.is_empty()).then(|| Box::from(sanitize::line(&a.join(","), 200).as_str()))
            }),
        }
    }

    fn columns() -> Vec<Column<IngressRec>> {
        vec![
            Column {
                title: "CLASS",
                width: Width::Fixed(8),
                cell: |r, _| r.class.as_deref().unwrap_or("-").to_string(),
            },
            Column { title: "HOSTS", width: Width::Name, cell: |r, _| r.hosts() },
            Column {
                title: "PORTS",
                width: Width::Fixed(6),
                cell: |r, _| if r.tls.is_empty() { "80" } else { "80,443" }.into(),
            },
            Column { title: "AGE", width: Width::Fixed(5), cell: |r, j| age(j.now, r.meta.created) },
            Column {
                title: "BACKENDS",
                width: Width::Fill,
                cell: |r, j| {
                    r.backends(j.tables)
                        .iter()
                        .map(|(s, st)| match st {
                            Some((ready, all)) => format!("{s} {ready}/{all}"),
                            None => format!("{s} (missing)"),
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            },
        ]
    }

    fn assess(r: &IngressRec, j: &Join) -> Option<(Severity, String)> {
        r.problems(j.tables).into_iter().next()
    }

    fn describe(r: &IngressRec, j: &Join, out: &mut Vec<Field>) {
        out.push(("Class".into(), r.class.as_deref().unwrap_or("<none>").to_string()));
        out.push(("Address".into(), r.address.as_deref().unwrap_or("<pending>").to_string()));
        out.push(("Rules".into(), if r.routes.is_empty() { "<none>".into() } else { String::new() }));
        for route in r.routes.iter() {
            let key = (r.meta.namespace.clone(), route.service.clone());
            let eps = match (j.tables.services.get(&key), j.tables.endpoints.get(&key)) {
                (None, _) => "no such Service".to_string(),
                (Some(_), Some(e)) if !e.ready.is_empty() => {
                    format!("{} ready: {}", e.ready.len(), e.ready.join(", "))
                }
                (Some(_), _) => "NO READY ENDPOINT".to_string(),
            };
            out.push((
                format!("  {}{}", route.host, route.path),
                format!("svc/{}:{} ({eps})", route.service, route.port),
            ));
        }
        if !r.tls.is_empty() {
            out.push(("TLS".into(), String::new()));
            for ((hosts, secret), (_, exists)) in r.tls.iter().zip(r.tls_state(j.tables)) {
                let state = match exists {
                    Some(true) => "exists",
                    Some(false) => "NOT FOUND",
                    None => "not checked: secrets cannot be listed",
                };
                out.push((format!("  {hosts}"), format!("secret {secret} ({state})")));
            }
        }
    }

    fn drill(r: &IngressRec) -> Option<Drill> {
        r.routes.first().map(|route| Drill::Object {
            kind: ResKind::Service,
            namespace: r.meta.namespace.clone(),
            name: route.service.clone(),
        })
    }
}
resource!(Ingress, Namespaced);
