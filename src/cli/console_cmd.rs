//! `kdeck` (the console) and the session setup `kdeck demo` shares: configuration,
//! kubeconfig and contexts, one client and set of watchers per context, and the
//! terminal UI on top.

use std::path::PathBuf;
use std::process::ExitCode;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::KubeArgs;
use crate::app::state::ContextState;
use crate::app::{Console, Event, State};
use crate::cluster::contexts;
use crate::config::{self, Paths};

/// What to watch, from the command line.
pub struct Launch {
    pub kubeconfig: Option<PathBuf>,
    pub contexts: Vec<String>,
    pub namespaces: Vec<String>,
    pub all_namespaces: bool,
    pub readonly: bool,
    /// `--record FILE`; else the flight recorder.
    pub record: Option<PathBuf>,
}

impl Launch {
    pub fn from_args(k: &KubeArgs) -> Launch {
        Launch {
            kubeconfig: k.kubeconfig.clone(),
            contexts: k.contexts.clone(),
            namespaces: k
                .namespaces
                .iter()
                .filter(|n| !n.is_empty())
                .cloned()
                .collect(),
            all_namespaces: k.all_namespaces,
            readonly: k.readonly,
            record: k.record.clone(),
        }
    }
}

/// Sets up logging to the state dir; problems are reported but not fatal.
pub fn start_logging(paths: &Paths, level: &str) {
    if let Err(e) = crate::util::logging::init(&paths.log_file(), level) {
        eprintln!("kdeck: {e} (continuing without a log file)");
    }
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "kdeck starting");
}

/// Runs the console until the person quits (or a signal arrives).
pub async fn console(launch: Launch, paths: &Paths) -> Result<(), String> {
    let loaded = config::load::<crate::app::command::Command>(paths, config::no_color());
    for d in &loaded.diagnostics {
        tracing::warn!("{d}");
    }
    let kc = contexts::load(launch.kubeconfig.as_deref())?;
    let specs = contexts::select(&kc, &launch.contexts, &loaded.config.contexts)?;
    let (tx, rx) = mpsc::channel::<Event>(4096);
    let cancel = CancellationToken::new();
    let mut states = Vec::new();
    let mut scopes = Vec::new();
    let links = crate::cluster::link::Links::new(specs.len());
    for (id, spec) in specs.into_iter().enumerate() {
        let namespaces = if launch.all_namespaces {
            Vec::new()
        } else if !launch.namespaces.is_empty() {
            launch.namespaces.clone()
        } else {
            loaded.config.namespaces_for(&spec.name)
        };
        scopes.push(namespaces.clone());
        let readonly = launch.readonly || loaded.config.is_readonly(&spec.name);
        states.push(ContextState::new(spec.clone(), readonly));
        // Credentials can take seconds (an exec plugin): each context connects in
        // the background while the screen is already up.
        if let Some(link) = links.get(id) {
            tokio::spawn(contexts::connect(
                kc.clone(),
                spec.name.clone(),
                contexts::Session {
                    id,
                    exec_timeout: loaded.config.exec_timeout(),
                    namespaces,
                    link: link.clone(),
                    tx: tx.clone(),
                    cancel: cancel.clone(),
                },
            ));
        }
    }
    let now = jiff::Timestamp::now().as_second();
    let mut state = State::new(states, loaded.keymap.clone(), now);
    state.readonly = launch.readonly || loaded.config.readonly;
    state.diagnostics = loaded.diagnostics.clone();
    state.locked = loaded.locked.clone();
    state.watching = crate::fleet::Watching::from(&loaded.config);
    state.config = loaded.config.clone();
    state.state_dir = Some(paths.state_dir.clone());
    state.session = format!("{:x}{:x}", std::process::id(), now);
    let audit_dir = paths.audit_dir();
    let (records, status) = read_audit(&audit_dir);
    state.audit = records;
    state.audit_status = Some(status);
    if let Some(first) = loaded.errors().next() {
        state.notify(
            format!("config problem: {first} (see `kdeck config check`)"),
            true,
        );
    }
    let sink = std::sync::Arc::new(crate::audit::log::Sink::new(audit_dir));
    let mut rt = crate::app::runtime::Runtime::new(tx, links, cancel.clone(), sink);
    rt.set_scopes(scopes);
    rt.set_publishing(&state.publishing());
    rt.start_probes(&state.watching);
    // Signals are taken before the terminal changes: from here on, TERM, HUP and INT
    // go through the quit path.
    let signals = crate::util::signals::Signals::install()
        .map_err(|e| format!("cannot watch for signals: {e}"))?;
    let header = crate::app::record::Header::new(
        state
            .contexts
            .iter()
            .map(|c| crate::app::record::HeaderContext {
                name: c.spec.name.clone(),
                server: c.spec.server.clone(),
            })
            .collect(),
        launch.namespaces.clone(),
        now,
    );
    let mut engine = crate::app::engine::Engine::new(Console::new(state), rt, rx, Some(signals));
    // Always on unless the config says otherwise: nobody has to remember to start
    // it. A recorder that cannot start (a read-only state directory) is said, and
    // the console runs without it.
    let rec = &loaded.config.recorder;
    let target = match &launch.record {
        Some(f) => Some(crate::app::record::write::Target::File(f.clone())),
        None if rec.enabled => Some(crate::app::record::write::Target::Flight {
            dir: paths.state_dir.join("recordings"),
            max_bytes: rec.max_mb.max(1).saturating_mul(1024 * 1024),
            max_age: rec.max_age.0.as_secs().max(60) as i64,
        }),
        None => None,
    };
    if let Some(target) = target {
        match crate::app::record::write::Recorder::start(target, header) {
            Ok(r) => engine.record_to(r),
            Err(e) => engine
                .console
                .state
                .notify(format!("not recording this session: {e}"), true),
        }
    }
    let mut guard = crate::ui::terminal::Guard::enter(loaded.theme.named_only())
        .map_err(|e| format!("cannot set up the terminal: {e}"))?;
    crate::ui::app::run(&mut guard.terminal, &mut engine, &loaded.theme).await;
    cancel.cancel();
    drop(guard);
    Ok(())
}

/// The newest records of the audit log and what `verify` says about it.
fn read_audit(dir: &std::path::Path) -> (Vec<crate::audit::Record>, String) {
    if crate::audit::log::files(dir).is_empty() {
        return (
            Vec::new(),
            format!("audit log {}: empty at start-up", dir.display()),
        );
    }
    let status = match crate::audit::verify::verify(dir) {
        Ok(r) => match &r.bad {
            Some(b) => format!(
                "AUDIT LOG DAMAGED at {}:{}: {} (run `kdeck audit verify`)",
                b.file.display(),
                b.line,
                b.reason
            ),
            None => format!(
                "audit log {}: {} records, chain verified{}",
                dir.display(),
                r.records,
                if r.torn.is_empty() {
                    String::new()
                } else {
                    format!(", {} torn by a crash", r.torn.len())
                }
            ),
        },
        Err(e) => e,
    };
    let mut records = crate::audit::export::records(dir).unwrap_or_default();
    let keep = crate::app::guard::KEEP_RECORDS;
    if records.len() > keep {
        records.drain(..records.len() - keep);
    }
    (records, status)
}

pub fn run(k: &KubeArgs, log_level: &str) -> ExitCode {
    let mut paths = Paths::resolve();
    if let Some(d) = &k.data_dir {
        paths.data_dir = d.clone();
    }
    start_logging(&paths, log_level);
    let rt = match super::runtime("kdeck: cannot start the runtime: ") {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    match rt.block_on(console(Launch::from_args(k), &paths)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kdeck: {e}");
            ExitCode::from(2)
        }
    }
}
