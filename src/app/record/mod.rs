//! The flight recorder: everything the console receives — watch events as the slim
//! records, liveness, probe verdicts, Alertmanager reads, the clock — and its own
//! audited actions, each with a timestamp, appended to a compressed file in the state
//! directory, always on and bounded by size and age (`write`). A recording is read
//! back entry by entry (`read`) and fed through the same `step` as live sources
//! (`replay`), so a replayed moment shows what the live console showed.
//!
//! The format: a sequence of gzip members, each a batch of newline-delimited JSON
//! lines — the first line of a file is its [`Header`], every other line an
//! [`Entry`] with its time. A crash or SIGKILL can cut only the last member, and the
//! reader stops at the last complete line and says it was cut. Nothing secret enters
//! a recording: the slim records hold no Secret values, no pod env and no header
//! values, and neither log lines nor exec output are recorded.

pub mod read;
pub mod replay;
pub mod timeline;
pub mod write;

use serde::{Deserialize, Serialize};

use crate::app::event::Event;
use crate::cluster::kinds::{Listing, Object, ResKind, Ts};
use crate::cluster::msg::{CtxId, FeedStatus, Msg};

/// What the file says about itself.
pub const FORMAT: &str = "kdeck-recording";
pub const VERSION: u32 = 1;

/// The first line of every recording file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    /// The kdeck that wrote it.
    pub kdeck: String,
    /// When this file was started (Unix seconds).
    pub started: Ts,
    /// The recording machine's time zone (IANA name), for local times in exports.
    pub time_zone: String,
    pub contexts: Vec<HeaderContext>,
    /// The namespaces watched (empty: all).
    pub namespaces: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeaderContext {
    pub name: String,
    pub server: String,
}

impl Header {
    pub fn new(contexts: Vec<HeaderContext>, namespaces: Vec<String>, started: Ts) -> Header {
        Header {
            format: FORMAT.into(),
            version: VERSION,
            kdeck: env!("CARGO_PKG_VERSION").into(),
            started,
            time_zone: jiff::tz::TimeZone::system()
                .iana_name()
                .unwrap_or("UTC")
                .to_string(),
            contexts,
            namespaces,
        }
    }
}

/// One recorded thing, as the console received it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "kebab-case")]
pub enum Entry {
    /// The clock moved (what ages are measured against).
    Tick {
        now: Ts,
    },
    Relisted {
        ctx: CtxId,
        scope: Option<String>,
        listing: Listing,
    },
    Applied {
        ctx: CtxId,
        obj: Object,
    },
    Deleted {
        ctx: CtxId,
        kind: ResKind,
        namespace: String,
        name: String,
    },
    Feed {
        ctx: CtxId,
        kind: ResKind,
        status: FeedStatus,
    },
    Reachable {
        ctx: CtxId,
        ok: Result<(), String>,
        skew: Option<i64>,
    },
    /// One health probe's verdict.
    Probed {
        id: crate::probe::targets::TargetId,
        request: String,
        verdict: crate::probe::evaluate::Verdict,
        at: i64,
    },
    /// One read of an Alertmanager.
    Alerts {
        source: crate::probe::alerts::AlertSource,
        result: Result<Vec<crate::probe::alerts::Alert>, String>,
        at: i64,
    },
    /// One of this console's audited actions, as written to the audit log (with its
    /// hash: the export cites it).
    Action {
        record: Box<crate::audit::Record>,
    },
    /// What came from the person rather than from a source, as it was noted then:
    /// an action's end (the row's "↺ rolled back 2m ago"), a mark (`M`).
    Noted {
        noted: crate::app::transitions::Stamped,
    },
    /// Entries the writer could not keep up with and dropped (said, not hidden).
    Dropped {
        count: u64,
    },
}

impl Entry {
    /// What of `ev` is recorded (`None`: nothing — keys, sizes, log lines, exec).
    pub fn of(ev: &Event) -> Option<Entry> {
        Some(match ev {
            Event::Tick(now) => Entry::Tick { now: *now },
            Event::Cluster(m) => match m {
                Msg::Relisted {
                    ctx,
                    scope,
                    listing,
                } => Entry::Relisted {
                    ctx: *ctx,
                    scope: scope.as_deref().map(str::to_string),
                    listing: listing.clone(),
                },
                Msg::Applied { ctx, obj } => Entry::Applied {
                    ctx: *ctx,
                    obj: (**obj).clone(),
                },
                Msg::Deleted {
                    ctx,
                    kind,
                    namespace,
                    name,
                } => Entry::Deleted {
                    ctx: *ctx,
                    kind: *kind,
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                },
                Msg::Feed { ctx, kind, status } => Entry::Feed {
                    ctx: *ctx,
                    kind: *kind,
                    status: status.clone(),
                },
                Msg::Reachable { ctx, ok, skew } => Entry::Reachable {
                    ctx: *ctx,
                    ok: ok.clone(),
                    skew: *skew,
                },
                _ => return None,
            },
            Event::Probe(crate::probe::Msg::Probed {
                id,
                request,
                verdict,
                at,
            }) => Entry::Probed {
                id: id.clone(),
                request: request.clone(),
                verdict: verdict.clone(),
                at: *at,
            },
            Event::Probe(crate::probe::Msg::Alerts { source, result, at }) => Entry::Alerts {
                source: source.clone(),
                result: result.clone(),
                at: *at,
            },
            // An audited action as the log wrote it (with its hash).
            Event::Done(crate::app::event::Done::Audited { result: Ok(r), .. }) => Entry::Action {
                record: Box::new(r.clone()),
            },
            _ => return None,
        })
    }

    /// The event a replay feeds for it (`None`: it changes no state by itself).
    pub fn event(self) -> Option<Event> {
        Some(match self {
            Entry::Tick { now } => Event::Tick(now),
            Entry::Relisted {
                ctx,
                scope,
                listing,
            } => Event::Cluster(Msg::Relisted {
                ctx,
                scope: scope.map(|s| s.as_str().into()),
                listing,
            }),
            Entry::Applied { ctx, obj } => Event::Cluster(Msg::Applied {
                ctx,
                obj: Box::new(obj),
            }),
            Entry::Deleted {
                ctx,
                kind,
                namespace,
                name,
            } => Event::Cluster(Msg::Deleted {
                ctx,
                kind,
                namespace: namespace.as_str().into(),
                name: name.as_str().into(),
            }),
            Entry::Feed { ctx, kind, status } => Event::Cluster(Msg::Feed { ctx, kind, status }),
            Entry::Reachable { ctx, ok, skew } => Event::Cluster(Msg::Reachable { ctx, ok, skew }),
            Entry::Probed {
                id,
                request,
                verdict,
                at,
            } => Event::Probe(crate::probe::Msg::Probed {
                id,
                request,
                verdict,
                at,
            }),
            Entry::Alerts { source, result, at } => {
                Event::Probe(crate::probe::Msg::Alerts { source, result, at })
            }
            Entry::Noted { noted } => Event::Noted(noted),
            Entry::Action { .. } | Entry::Dropped { .. } => return None,
        })
    }
}

/// A recorded entry with its time (Unix milliseconds).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timed {
    pub t: i64,
    pub e: Entry,
}
