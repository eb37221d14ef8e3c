//! The simulated cluster behind `kdeck sim` and `kdeck demo`: a real HTTP server on
//! loopback speaking the Kubernetes API subset real kubectl and kube-rs need, with
//! controllers on a simulated clock and the scripted FlexTime fleet. The console never
//! reaches in here: it only gets a kubeconfig.

pub mod access;
pub mod apps;
pub mod clock;
pub mod controllers;
pub mod crd;
pub mod defaults;
pub mod discovery;
pub mod faults;
pub mod jsoncache;
pub mod kinds;
pub mod obj;
pub mod patch;
pub mod protobuf;
pub mod scenario;
pub mod selectors;
pub mod server;
pub mod status;
pub mod store;
pub mod table;
pub mod tls;
pub mod validate;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use scenario::Scenario;

use access::{AccessRules, Rule};
use apps::World;
use clock::SimClock;
use controllers::Manager;
use store::Store;

/// How to run a simulated cluster.
#[derive(Clone, Debug)]
pub struct SimConfig {
    pub addr: SocketAddr,
    pub scenario: Scenario,
    pub seed: u64,
    pub speed: f64,
    pub rules: Vec<Rule>,
    pub admission: Vec<access::Admission>,
    /// Changes kept for watches to resume from; older resourceVersions expire.
    pub history: usize,
    pub bookmark_interval: Duration,
    /// Real time between controller passes.
    pub tick: Duration,
    /// Largest request body accepted (the real API server's limit is 3 MiB).
    pub max_body: usize,
    /// Bearer tokens and the users they authenticate.
    pub tokens: HashMap<String, String>,
    /// A clock that stands still until [`SimHandle::advance`] (deterministic tests),
    /// starting at this time.
    pub manual_clock: Option<jiff::Timestamp>,
    /// HTTPS (the default, as a real cluster) or plain HTTP.
    pub tls: Tls,
    /// Serve the fault-injection endpoint `POST /kdeck-sim/faults` (tests only).
    pub control: bool,
    /// Which list semantics the server offers (a current server, or an older one).
    pub lists: ListSemantics,
}

/// The list semantics a server offers, newest first: a current API server serves
/// streaming lists (a watch with `sendInitialEvents=true`) and answers
/// `resourceVersion=0` lists from its watch cache in one response; older ones (or
/// ones without a watch cache) do less. Tests use the older ones to prove clients
/// fall back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ListSemantics {
    /// WatchList and cached `resourceVersion=0` lists (a 1.32 server).
    #[default]
    Full,
    /// No WatchList (`resourceVersionMatch` on a watch is refused, as before 1.27),
    /// cached `resourceVersion=0` lists.
    NoWatchList,
    /// Accepts `sendInitialEvents` and `resourceVersionMatch` on a watch but ignores
    /// them (the old synthetic ADDED events, no bookmark ending them), as a proxy
    /// that drops what it does not know.
    IgnoresWatchList,
    /// Neither: `resourceVersionMatch` is refused on lists too, and `limit` is
    /// honoured even at `resourceVersion=0` (no watch cache): lists come in pages.
    Paged,
}

/// How the simulated cluster serves.
#[derive(Clone, Debug, Default)]
pub enum Tls {
    /// HTTPS with a CA and certificates generated at start.
    #[default]
    Generate,
    /// HTTPS with these (a restart on the same address keeps its identity).
    Given(Arc<tls::Identity>),
    /// Plain HTTP (`kdeck sim --http`): no credentials are sent by clients then.
    Plain,
}

pub const DEFAULT_TOKEN: &str = "kdeck-sim-token";
pub const DEFAULT_USER: &str = "sim-admin";

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            scenario: Scenario::Incident,
            seed: 42,
            speed: 1.0,
            rules: Vec::new(),
            admission: Vec::new(),
            history: 20_000,
            bookmark_interval: Duration::from_secs(10),
            tick: Duration::from_millis(100),
            max_body: 3 * 1024 * 1024,
            tokens: HashMap::from([(DEFAULT_TOKEN.to_string(), DEFAULT_USER.to_string())]),
            manual_clock: None,
            tls: Tls::Generate,
            control: false,
            lists: ListSemantics::Full,
        }
    }
}

/// Everything guarded by the one lock: objects, application state, access rules,
/// and the controllers and script that move them.
pub struct SimState {
    pub store: Store,
    pub world: World,
    pub rules: AccessRules,
    /// Admission policies denying matching writes (422).
    pub admission: Vec<access::Admission>,
    manager: Manager,
    script: scenario::Script,
    /// While set, no controller reconciles (a write is stored but nothing reacts:
    /// tests watch an action's verification run out).
    pub controllers_paused: bool,
}

impl SimState {
    /// Pauses or resumes the scenario's churn (benchmarks measure an idle console).
    pub fn set_churn_paused(&mut self, paused: bool) {
        self.script.churn_paused = paused;
    }
}

impl SimState {
    /// One pass of the scenario script, the applications and the controllers.
    pub fn step(&mut self) {
        let started = std::time::Instant::now();
        let now = self.store.now();
        self.script.step(&mut self.store, &mut self.world, now);
        let t_script = started.elapsed();
        self.world.tick(&self.store, now);
        let t_world = started.elapsed();
        if !self.controllers_paused {
            self.manager.step(&mut self.store, &mut self.world);
        }
        let total = started.elapsed();
        if total > std::time::Duration::from_millis(50) {
            tracing::warn!(?t_script, ?t_world, ?total, "slow controller step");
        }
    }
}

/// Counters tests and benchmarks read.
#[derive(Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub writes: AtomicU64,
    pub watches_open: AtomicU64,
    /// SelfSubjectAccessReviews answered.
    pub access_reviews: AtomicU64,
    write_log: Mutex<VecDeque<WriteRecord>>,
    /// The last requests' arrival and `METHOD path` (for request-rate figures).
    request_log: Mutex<VecDeque<(std::time::Instant, String)>>,
    /// Requests by class ([`RequestClass`]), for the benchmark's split.
    classes: [AtomicU64; RequestClass::ALL.len()],
    /// The last time each (namespace, pod, path) was reached through the pod proxy.
    probes: Mutex<HashMap<(String, String, String), std::time::Instant>>,
}

/// What a request was, for counting: the benchmark reports lists and gets, watches
/// and probes apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestClass {
    Discovery,
    List,
    Get,
    Watch,
    Proxy,
    Write,
    Review,
    /// exec, attach and portforward (WebSocket streams).
    Stream,
}

impl RequestClass {
    pub const ALL: [RequestClass; 8] = [
        RequestClass::Discovery,
        RequestClass::List,
        RequestClass::Get,
        RequestClass::Watch,
        RequestClass::Proxy,
        RequestClass::Write,
        RequestClass::Review,
        RequestClass::Stream,
    ];

    pub fn label(self) -> &'static str {
        match self {
            RequestClass::Discovery => "discovery",
            RequestClass::List => "list",
            RequestClass::Get => "get",
            RequestClass::Watch => "watch",
            RequestClass::Proxy => "proxy",
            RequestClass::Write => "write",
            RequestClass::Review => "review",
            RequestClass::Stream => "stream",
        }
    }
}

/// One request that changed (or tried to change) state: an API write or a proxied
/// non-GET request.
#[derive(Clone, Debug, serde::Serialize)]
pub struct WriteRecord {
    /// Wall-clock time the request arrived (RFC 3339, microseconds).
    pub at: String,
    pub method: String,
    pub path: String,
    pub user: String,
    pub status: u16,
}

impl Stats {
    pub fn record_write(&self, rec: WriteRecord) {
        self.writes.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut log) = self.write_log.lock() {
            log.push_back(rec);
            while log.len() > 10_000 {
                log.pop_front();
            }
        }
    }

    pub fn record_request(&self, what: String) {
        if let Ok(mut log) = self.request_log.lock() {
            log.push_back((std::time::Instant::now(), what));
            while log.len() > 10_000 {
                log.pop_front();
            }
        }
    }

    pub fn record_class(&self, c: RequestClass) {
        self.classes[c as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Requests so far, by class.
    pub fn classes(&self) -> Vec<(RequestClass, u64)> {
        RequestClass::ALL
            .iter()
            .map(|c| (*c, self.classes[*c as usize].load(Ordering::Relaxed)))
            .collect()
    }

    pub fn record_probe(&self, namespace: &str, pod: &str, path: &str) {
        if let Ok(mut m) = self.probes.lock() {
            // Bounded: a proxy path is whatever a client asks for.
            if m.len() < 200_000 || m.contains_key(&(namespace.into(), pod.into(), path.into())) {
                m.insert(
                    (namespace.into(), pod.into(), path.into()),
                    std::time::Instant::now(),
                );
            }
        }
    }

    /// Every (namespace, pod, path) reached through the pod proxy, with seconds since.
    pub fn probe_ages(&self) -> Vec<(String, String, String, f64)> {
        self.probes
            .lock()
            .map(|m| {
                m.iter()
                    .map(|((n, p, path), t)| {
                        (
                            n.clone(),
                            p.clone(),
                            path.clone(),
                            t.elapsed().as_secs_f64(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Requests that arrived at or after `since` (`METHOD path`).
    pub fn requests_since(&self, since: std::time::Instant) -> Vec<String> {
        self.request_log
            .lock()
            .map(|l| {
                l.iter()
                    .filter(|(t, _)| *t >= since)
                    .map(|(_, w)| w.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn write_log(&self) -> Vec<WriteRecord> {
        self.write_log
            .lock()
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default()
    }
}

pub struct Shared {
    state: Mutex<SimState>,
    pub stats: Stats,
    pub cfg: SimConfig,
    pub addr: SocketAddr,
    pub cancel: CancellationToken,
    /// Bumped to make every open watch end with an in-stream 410 Expired.
    pub expire: tokio::sync::watch::Sender<u64>,
    /// The certificates served (None: plain HTTP).
    pub tls: Option<Arc<tls::Identity>>,
    /// Faults injected (tests, `kdeck sim --fault`).
    pub faults: faults::Faults,
    /// Each stored object's JSON, written once for every list and watch.
    pub json: jsoncache::JsonCache,
}

impl Shared {
    /// Locks the state; a poisoned lock (a panic in a controller) is recovered, since
    /// the state is plain data.
    pub fn lock(&self) -> MutexGuard<'_, SimState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running simulated cluster.
pub struct SimHandle {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl SimHandle {
    pub fn server_url(&self) -> String {
        let scheme = if self.shared.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// The certificates served (None over plain HTTP).
    pub fn tls(&self) -> Option<Arc<tls::Identity>> {
        self.shared.tls.clone()
    }

    /// The faults being injected (switch them on and off while it runs).
    pub fn faults(&self) -> &faults::Faults {
        &self.shared.faults
    }

    /// A kubeconfig with context `kdeck-sim` pointing at this server (with its CA).
    pub fn kubeconfig(&self) -> String {
        kubeconfig_for(
            &self.server_url(),
            "kdeck-sim",
            DEFAULT_TOKEN,
            self.tls().as_deref(),
        )
    }

    pub fn write_kubeconfig(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, self.kubeconfig())
    }

    /// SelfSubjectAccessReviews answered so far.
    pub fn access_reviews(&self) -> u64 {
        self.shared.stats.access_reviews.load(Ordering::Relaxed)
    }

    /// Stops (or restarts) every controller: writes are stored, nothing reacts.
    pub fn pause_controllers(&self, paused: bool) {
        self.shared.lock().controllers_paused = paused;
    }

    pub fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    /// Writes other than Events (what changed objects; kdeck publishes each finished
    /// action as an Event).
    pub fn changes(&self) -> usize {
        self.shared
            .stats
            .write_log()
            .iter()
            .filter(|w| !w.path.contains("/events"))
            .count()
    }

    pub fn writes(&self) -> u64 {
        self.shared.stats.writes.load(Ordering::SeqCst)
    }

    /// Runs `f` with the state locked (tests: read objects, change rules).
    pub fn with_state<R>(&self, f: impl FnOnce(&mut SimState) -> R) -> R {
        f(&mut self.shared.lock())
    }

    pub fn set_rules(&self, rules: Vec<Rule>) {
        self.with_state(|s| s.rules = AccessRules::new(rules));
    }

    pub fn set_admission(&self, policies: Vec<access::Admission>) {
        self.with_state(|s| s.admission = policies);
    }

    /// Forgets the watch history and ends every open watch with an in-stream 410
    /// Expired, so every client must relist (what etcd compaction does to them).
    pub fn expire_watches(&self) {
        self.with_state(|s| s.store.compact_all());
        self.shared.expire.send_modify(|n| *n += 1);
    }

    pub fn clock(&self) -> SimClock {
        self.with_state(|s| s.store.clock().clone())
    }

    /// With a manual clock: advances simulated time by `secs`, stepping the
    /// controllers every `step` seconds, exactly and repeatably.
    pub fn advance(&self, secs: f64, step: f64) {
        let step = step.max(0.01);
        let mut left = secs;
        while left > 1e-9 {
            let d = step.min(left);
            left -= d;
            self.with_state(|s| {
                s.store
                    .clock()
                    .advance(jiff::SignedDuration::from_secs_f64(d));
                s.step();
            });
        }
        // Let every change settle (controllers react to each other within a step).
        self.with_state(|s| s.step());
    }

    /// Stops serving: closes the listener and every open connection now.
    pub async fn shutdown(self) {
        self.shared.cancel.cancel();
        for t in self.tasks {
            let _ = t.await;
        }
    }

    /// Serves until SIGINT or SIGTERM.
    pub async fn serve_until_signal(self) {
        let _ = crate::util::signals::terminated().await;
        self.shutdown().await;
    }
}

pub fn kubeconfig_for(
    server: &str,
    context: &str,
    token: &str,
    tls: Option<&tls::Identity>,
) -> String {
    let ca = tls
        .map(|t| format!("    certificate-authority-data: {}\n", t.ca_data()))
        .unwrap_or_default();
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {context}\n  cluster:\n    server: {server}\n{ca}contexts:\n- name: {context}\n  context:\n    cluster: {context}\n    user: {context}\ncurrent-context: {context}\nusers:\n- name: {context}\n  user:\n    token: {token}\npreferences: {{}}\n"
    )
}

/// Builds the scenario, binds, and starts serving and reconciling.
pub async fn start(cfg: SimConfig) -> anyhow::Result<SimHandle> {
    let clock = match cfg.manual_clock {
        Some(start) => SimClock::manual(start),
        None => SimClock::new(cfg.speed),
    };
    let manual = clock.is_manual();
    let mut store = Store::new(clock, cfg.seed, cfg.history);
    let mut world = World::new(
        cfg.seed,
        cfg.scenario.incident(),
        cfg.scenario.generate_logs(),
    );
    scenario::build(&cfg.scenario, &mut store, &mut world)?;
    let mut state = SimState {
        store,
        world,
        rules: AccessRules::new(cfg.rules.clone()),
        admission: cfg.admission.clone(),
        manager: Manager::default(),
        script: scenario::Script::new(&cfg.scenario),
        controllers_paused: false,
    };
    // Settle the freshly built world (endpoints, HPA status) before serving.
    state.step();
    let tls = match &cfg.tls {
        Tls::Generate => Some(tls::Identity::generate()?),
        Tls::Given(id) => Some(id.clone()),
        Tls::Plain => None,
    };
    let listener = tokio::net::TcpListener::bind(cfg.addr).await?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared {
        state: Mutex::new(state),
        stats: Stats::default(),
        cfg: cfg.clone(),
        addr,
        cancel: CancellationToken::new(),
        expire: tokio::sync::watch::channel(0).0,
        tls,
        faults: faults::Faults::default(),
        json: jsoncache::JsonCache::default(),
    });
    // Every object's JSON is written before the first request, as a real server's
    // watch cache holds it (the first list of a large fleet is then a copy).
    let objects: Vec<Arc<serde_json::Value>> = {
        let st = shared.lock();
        st.store
            .kinds()
            .into_iter()
            .flat_map(|k| st.store.list(k, None))
            .collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    shared.json.warm(&objects, threads);
    drop(objects);
    let mut tasks = vec![tokio::spawn(server::serve(listener, shared.clone()))];
    if !manual {
        tasks.push(tokio::spawn(run_controllers(shared.clone())));
    }
    Ok(SimHandle {
        addr,
        shared,
        tasks,
    })
}

async fn run_controllers(shared: Arc<Shared>) {
    let mut ready_cache = apps::world::ReadyCache::default();
    let mut interval = tokio::time::interval(shared.cfg.tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shared.cancel.cancelled() => break,
            _ = interval.tick() => {}
        }
        // The fleet-wide readiness scan reads every pod: take handles under the lock,
        // count outside it, so API requests do not wait on it.
        let input = {
            let st = shared.lock();
            let now = st.store.now();
            st.world
                .readiness_due(now)
                .then(|| (apps::world::ReadinessInput::take(&st.store), now))
        };
        let readiness = input.map(|(i, at)| (i.compute(&mut ready_cache), at));
        let mut st = shared.lock();
        if let Some((r, at)) = readiness {
            st.world.set_readiness(r, at);
        }
        st.step();
    }
}
