//! Pods: containers with their state, restarts and last exit, readiness, owner,
//! node and IP — what the pods view, health probing and the actions read. Shown by
//! the fleet's pods view.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStateWaiting {
    pub reason: Option<String>,
    pub message: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStateRunning {
    pub started_at: Option<Time>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStateTerminated {
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
    pub finished_at: Option<Time>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct ContainerState {
    pub waiting: Option<ContainerStateWaiting>,
    pub running: Option<ContainerStateRunning>,
    pub terminated: Option<ContainerStateTerminated>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    pub name: String,
    #[serde(default)]
    pub ready: bool,
    #[serde(default)]
    pub restart_count: i32,
    pub state: Option<ContainerState>,
    pub last_state: Option<ContainerState>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus {
    pub phase: Option<String>,
    pub reason: Option<String>,
    #[serde(rename = "podIP")]
    pub pod_ip: Option<String>,
    pub start_time: Option<Time>,
    /// `Ready=True` among the conditions (the only one read).
    #[serde(default, rename = "conditions", deserialize_with = "ready_condition")]
    pub ready: bool,
    #[serde(default)]
    pub container_statuses: Vec<ContainerStatus>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Pod {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: PodSpec,
    #[serde(default)]
    pub status: PodStatus,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum CState {
    Running { since: Option<Ts> },
    Waiting { reason: Arc<str>, message: Box<str> },
    Terminated { reason: Arc<str>, code: i32 },
    Unknown,
}

/// A container's last termination: reason, exit code, when.
pub type LastExit = (Arc<str>, i32, Option<Ts>);

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContainerRec {
    pub name: Arc<str>,
    pub image: Arc<str>,
    pub ready: bool,
    pub restarts: u32,
    pub state: CState,
    /// The last termination: reason, exit code, when.
    /// Boxed: most containers never exited, and every pod's record carries it.
    pub last_exit: Option<Box<LastExit>>,
    pub requests: Res,
    pub limits: Res,
    /// The ports it declares (what a port-forward offers).
    pub ports: Box<[u16]>,
}

/// A pod's PersistentVolumeClaims: one pointer, none allocated for the many pods
/// that mount none (recorded as a list, as before).
#[derive(Clone, Debug, Default, PartialEq)]
// One pointer in every record (a Vec is three); the second allocation is only for
// the few pods that mount a claim.
#[allow(clippy::box_collection)]
pub struct Claims(Option<Box<Vec<Arc<str>>>>);

impl Claims {
    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().flat_map(|v| v.iter()).any(|c| &**c == name)
    }
}

impl FromIterator<Arc<str>> for Claims {
    fn from_iter<I: IntoIterator<Item = Arc<str>>>(it: I) -> Claims {
        let v: Vec<Arc<str>> = it.into_iter().collect();
        Claims((!v.is_empty()).then(|| Box::new(v)))
    }
}

impl serde::Serialize for Claims {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().flat_map(|v| v.iter()))
    }
}

impl<'de> serde::Deserialize<'de> for Claims {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Claims, D::Error> {
        Ok(Vec::<Arc<str>>::deserialize(d)?.into_iter().collect())
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PodRec {
    pub name: Arc<str>,
    pub namespace: Arc<str>,
    pub owner: Option<Owner>,
    pub labels: Labels,
    pub node: Option<Arc<str>>,
    pub ip: Option<std::net::IpAddr>,
    pub phase: Arc<str>,
    pub reason: Option<Box<str>>,
    pub created: Ts,
    pub started: Option<Ts>,
    pub deleting: bool,
    pub ready: bool,
    pub containers: Box<[ContainerRec]>,
    /// Container names declared in the spec (also those without a status yet).
    pub default_container: Option<Arc<str>>,
    /// The PersistentVolumeClaims it mounts (usually none).
    pub claims: Claims,
}

fn cstate(s: &Option<ContainerState>, names: &mut Interner) -> CState {
    match s {
        Some(s) if s.running.is_some() => CState::Running {
            since: s.running.as_ref().and_then(|r| ts(&r.started_at)),
        },
        Some(s) if s.waiting.is_some() => {
            let w = s.waiting.as_ref().expect("checked");
            CState::Waiting {
                reason: names.clean(w.reason.as_deref().unwrap_or("Waiting"), 60),
                message: Box::from(
                    sanitize::line(w.message.as_deref().unwrap_or(""), 300).as_str(),
                ),
            }
        }
        Some(s) if s.terminated.is_some() => {
            let t = s.terminated.as_ref().expect("checked");
            CState::Terminated {
                reason: names.clean(t.reason.as_deref().unwrap_or(""), 60),
                code: t.exit_code.unwrap_or(0),
            }
        }
        _ => CState::Unknown,
    }
}

impl PodRec {
    pub fn from(p: &Pod, names: &mut Interner) -> PodRec {
        let m = &p.metadata;
        let containers: Box<[ContainerRec]> = p
            .spec
            .containers
            .iter()
            .map(|c| {
                let st = p
                    .status
                    .container_statuses
                    .iter()
                    .find(|s| s.name == c.name);
                ContainerRec {
                    ports: c
                        .ports
                        .iter()
                        .filter_map(|p| u16::try_from(p.container_port?).ok())
                        .collect(),
                    name: names.clean(&c.name, 63),
                    image: names.clean(c.image.as_deref().unwrap_or(""), 300),
                    ready: st.is_some_and(|s| s.ready),
                    restarts: st.map_or(0, |s| s.restart_count.max(0) as u32),
                    state: st.map_or(CState::Unknown, |s| cstate(&s.state, names)),
                    last_exit: st.and_then(|s| {
                        let t = s.last_state.as_ref()?.terminated.as_ref()?;
                        Some(Box::new((
                            names.clean(t.reason.as_deref().unwrap_or(""), 60),
                            t.exit_code.unwrap_or(0),
                            ts(&t.finished_at),
                        )))
                    }),
                    requests: c.resources.as_ref().map_or_else(Res::default, |r| r.requests),
                    limits: c.resources.as_ref().map_or_else(Res::default, |r| r.limits),
                }
            })
            .collect();
        PodRec {
            name: object_name(m.name.as_deref().unwrap_or("")),
            namespace: names.clean(m.namespace.as_deref().unwrap_or(""), 253),
            owner: owner_of(m, names),
            labels: Labels::from_map(&m.labels, names),
            node: p.spec.node_name.as_deref().map(|n| names.get(n)),
            ip: p.status.pod_ip.as_deref().and_then(|ip| ip.parse().ok()),
            phase: names.clean(p.status.phase.as_deref().unwrap_or("Unknown"), 30),
            reason: p
                .status
                .reason
                .as_deref()
                .map(|r| Box::from(sanitize::line(r, 60).as_str())),
            created: ts(&m.creation_timestamp).unwrap_or(0),
            started: ts(&p.status.start_time),
            deleting: m.deletion_timestamp.is_some(),
            ready: p.status.ready,
            containers,
            default_container: m
                .annotations
                .as_ref()
                .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
                .map(|s| names.clean(s, 63)),
            claims: p
                .spec
                .volumes
                .iter()
                .filter_map(|v| v.persistent_volume_claim.as_ref())
                .map(|c| names.clean(&c.claim_name, 253))
                .collect(),
        }
    }

    pub fn restarts(&self) -> u32 {
        self.containers.iter().map(|c| c.restarts).sum()
    }

    pub fn ready_count(&self) -> usize {
        self.containers.iter().filter(|c| c.ready).count()
    }

    /// The STATUS kubectl would print.
    pub fn status(&self) -> String {
        self.status_text().into_owned()
    }

    /// The STATUS kubectl would print, borrowed from the record where it can be (a
    /// running pod's is its phase: nothing to allocate for most of a fleet).
    pub fn status_text(&self) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        if self.deleting {
            return Cow::Borrowed("Terminating");
        }
        let mut reason: Cow<'_, str> = Cow::Borrowed(self.reason.as_deref().unwrap_or(&self.phase));
        let mut running = false;
        for c in self.containers.iter().rev() {
            match &c.state {
                CState::Waiting { reason: r, .. } if !r.is_empty() => reason = Cow::Borrowed(r),
                CState::Terminated { reason: r, code } => {
                    reason = if r.is_empty() {
                        Cow::Owned(format!("ExitCode:{code}"))
                    } else {
                        Cow::Borrowed(r)
                    }
                }
                CState::Running { .. } if c.ready => running = true,
                _ => {}
            }
        }
        if reason == "Completed" && running {
            reason = Cow::Borrowed("Running");
        }
        reason
    }

    pub fn completed(&self) -> bool {
        matches!(self.phase.as_ref(), "Succeeded" | "Failed")
    }
}

impl Record for PodRec {
    fn key(&self) -> Key {
        (self.namespace.clone(), self.name.clone())
    }
    fn created(&self) -> Ts {
        self.created
    }
    fn labels(&self) -> Option<&Labels> {
        Some(&self.labels)
    }
}

impl Kind for Pod {
    type Rec = PodRec;
    const INFO: Info = Info {
        kind: "Pod",
        group: "",
        version: "v1",
        plural: "pods",
        singular: "pod",
        short: &["po"],
        namespaced: true,
        title: "Pods",
    };

    fn record(&self, names: &mut Interner) -> PodRec {
        PodRec::from(self, names)
    }
}
resource!(Pod, Namespaced);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_read_and_record_as_a_list_and_pods_stay_in_their_size_class() {
        let none: Claims = std::iter::empty().collect();
        assert_eq!(none, Claims::default());
        assert!(!none.contains("data"));
        assert_eq!(serde_json::to_string(&none).expect("serialises"), "[]");
        let some: Claims = [Arc::from("data"), Arc::from("logs")].into_iter().collect();
        assert!(some.contains("logs") && !some.contains("log"));
        let text = serde_json::to_string(&some).expect("serialises");
        assert_eq!(text, r#"["data","logs"]"#);
        assert_eq!(serde_json::from_str::<Claims>(&text).expect("reads"), some);
        assert_eq!(serde_json::from_str::<Claims>("[]").expect("reads"), none);
        // 50,000 pods at scale: a record with its shared count fits the
        // allocator's 224-byte class (one more field and it takes 256).
        assert!(
            std::mem::size_of::<PodRec>() + 16 <= 224,
            "PodRec is {} bytes",
            std::mem::size_of::<PodRec>()
        );
    }
}
