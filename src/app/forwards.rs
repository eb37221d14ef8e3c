//! Port-forwards in the console: a forward the guard started (its intent and
//! outcome audited there) becomes a row; the forwarder's reports keep its pod,
//! connections and bytes; the person stops one in the forwards view (`W`, `:pf`),
//! and quitting stops them all — each stop is audited.

use super::effect::Effect;
use super::state::State;
use crate::audit::{Outcome, Phase, Record};
use crate::cluster::forward::{Forwarded, Report};
use crate::cluster::kinds::Ts;
use crate::cluster::msg::CtxId;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ForwardState {
    /// Listening; the pod is being resolved.
    Starting,
    Active,
    /// Listening, but no pod to carry connections to (yet).
    NoPod(String),
    Ended(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forward {
    /// The flow that started it (and the forwarder's id).
    pub id: u64,
    pub action_id: String,
    pub ctx: CtxId,
    pub namespace: String,
    /// `pod/x` or `svc/y`.
    pub via: String,
    pub port: u16,
    pub local: String,
    /// The pod connections go to now (and its port).
    pub pod: Option<(String, u16)>,
    pub since: Ts,
    pub connections: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub state: ForwardState,
    /// The last thing worth saying (a move, a failed connection).
    pub note: Option<String>,
}

impl Forward {
    pub fn active(&self) -> bool {
        !matches!(self.state, ForwardState::Ended(_))
    }
}

/// A forward the guard started.
#[allow(clippy::too_many_arguments)]
pub fn add(
    s: &mut State,
    id: u64,
    action_id: &str,
    ctx: CtxId,
    namespace: &str,
    via: &str,
    port: u16,
    local: &str,
) {
    s.forwards.push(Forward {
        id,
        action_id: action_id.to_string(),
        ctx,
        namespace: namespace.to_string(),
        via: via.to_string(),
        port,
        local: local.to_string(),
        pod: None,
        since: s.now,
        connections: 0,
        bytes_in: 0,
        bytes_out: 0,
        state: ForwardState::Starting,
        note: None,
    });
}

/// A forwarder's report.
pub fn report(s: &mut State, m: Forwarded) -> Vec<Effect> {
    let Some(f) = s.forwards.iter_mut().find(|f| f.id == m.id) else {
        return Vec::new();
    };
    match m.report {
        Report::Started { pod, port } => {
            f.pod = Some((pod, port));
            f.state = ForwardState::Active;
        }
        Report::Opened => f.connections += 1,
        Report::Connection {
            bytes_in,
            bytes_out,
            error,
        } => {
            f.bytes_in += bytes_in;
            f.bytes_out += bytes_out;
            if let Some(e) = error {
                f.note = Some(format!("a connection failed: {e}"));
            }
        }
        Report::Moved { from, to, port } => {
            let note = format!(
                "{} moved from pod/{from} to pod/{to} (pod/{from} went away)",
                f.via
            );
            f.pod = Some((to, port));
            f.state = ForwardState::Active;
            f.note = Some(note.clone());
            s.notify(note, false);
        }
        Report::NoPod(why) => {
            f.state = ForwardState::NoPod(why.clone());
            f.pod = None;
            let text = format!("port-forward {} {}: {why}", f.local, f.via);
            s.notify(text, true);
        }
        Report::Ended { why } => {
            if f.active() {
                f.state = ForwardState::Ended(why);
            }
        }
    }
    Vec::new()
}

/// Stops forward `index` (of `s.forwards`): the forwarder is cancelled and the stop
/// is audited (`now`: written before anything else, on the way out).
pub fn stop(s: &mut State, index: usize, why: &str, now: bool) -> Vec<Effect> {
    let Some(f) = s.forwards.get_mut(index).filter(|f| f.active()) else {
        return Vec::new();
    };
    f.state = ForwardState::Ended(why.to_string());
    let f = f.clone();
    let actor = s.actor(f.ctx);
    let mut r = Record::new(
        &format!("{}-stop", f.action_id),
        Phase::Outcome,
        actor,
        "port-forward-stop",
        &f.via,
    );
    r.namespace = f.namespace.clone();
    r.outcome = Some(Outcome::Succeeded);
    r.params = serde_json::json!({
        "stops": f.action_id,
        "local": f.local,
        "port": f.port,
        "why": why,
        "connections": f.connections,
        "bytes_in": f.bytes_in,
        "bytes_out": f.bytes_out,
    });
    r.before = serde_json::json!(format!("{} → {}:{}", f.local, f.via, f.port));
    r.after = serde_json::json!("stopped");
    r.duration_ms = Some(((s.now - f.since).max(0) as u64) * 1000);
    s.notify(
        format!(
            "port-forward {} → {}:{} stopped ({} connections)",
            f.local, f.via, f.port, f.connections
        ),
        false,
    );
    vec![
        Effect::StopForward { id: f.id },
        Effect::Audit {
            flow: f.id,
            ctx: f.ctx,
            record: r,
            now,
        },
    ]
}

/// Quitting: every active forward stops, each stop audited at once.
pub fn stop_all(s: &mut State, cause: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for i in 0..s.forwards.len() {
        fx.extend(stop(s, i, &format!("kdeck quit ({cause})"), true));
    }
    fx
}
