//! Events: reason, message (sanitised, bounded), the object they are about, counts
//! and times. At most `MAX_EVENTS` are kept per context, the newest. Shown by the
//! fleet's events view.

use super::prelude::*;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct InvolvedObject {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub field_path: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
pub struct EventSource {
    pub component: Option<String>,
}
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub involved_object: InvolvedObject,
    pub reason: Option<String>,
    pub message: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub count: Option<i32>,
    pub first_timestamp: Option<Time>,
    pub last_timestamp: Option<Time>,
    pub event_time: Option<serde_json::Value>,
    pub source: Option<EventSource>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EventRec {
    pub name: Arc<str>,
    pub namespace: Arc<str>,
    pub object_kind: Box<str>,
    pub object_name: Box<str>,
    pub field_path: Option<Box<str>>,
    pub reason: Box<str>,
    pub message: Box<str>,
    pub warning: bool,
    pub count: u32,
    pub first: Ts,
    pub last: Ts,
    pub source: Box<str>,
}

/// Longest event message kept (bytes beyond are cut at ingestion).
pub const EVENT_MESSAGE_MAX: usize = 500;

impl EventRec {
    pub fn from(e: &Event, names: &mut Interner) -> EventRec {
        let micro = e
            .event_time
            .as_ref()
            .and_then(|v| v.as_str())
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
            .map(|t| t.as_second());
        let created = ts(&e.metadata.creation_timestamp).unwrap_or(0);
        let first = ts(&e.first_timestamp).or(micro).unwrap_or(created);
        let last = ts(&e.last_timestamp).or(micro).unwrap_or(first);
        EventRec {
            name: object_name(e.metadata.name.as_deref().unwrap_or("")),
            namespace: names.clean(e.metadata.namespace.as_deref().unwrap_or(""), 253),
            object_kind: Box::from(
                sanitize::line(e.involved_object.kind.as_deref().unwrap_or(""), 40).as_str(),
            ),
            object_name: Box::from(
                sanitize::line(e.involved_object.name.as_deref().unwrap_or(""), 253).as_str(),
            ),
            field_path: e
                .involved_object
                .field_path
                .as_deref()
                .map(|f| Box::from(sanitize::line(f, 80).as_str())),
            reason: Box::from(sanitize::line(e.reason.as_deref().unwrap_or(""), 60).as_str()),
            message: Box::from(
                sanitize::line(e.message.as_deref().unwrap_or(""), EVENT_MESSAGE_MAX).as_str(),
            ),
            warning: e.type_.as_deref() == Some("Warning"),
            count: e.count.unwrap_or(1).max(1) as u32,
            first,
            last,
            source: Box::from(
                sanitize::line(
                    e.source
                        .as_ref()
                        .and_then(|s| s.component.as_deref())
                        .unwrap_or(""),
                    60,
                )
                .as_str(),
            ),
        }
    }
}

impl Record for EventRec {
    fn key(&self) -> Key {
        (self.namespace.clone(), self.name.clone())
    }
    fn created(&self) -> Ts {
        self.first
    }
}

/// Most events kept per context; the oldest (by last occurrence) go first.
pub const MAX_EVENTS: usize = 5000;

impl Kind for Event {
    type Rec = EventRec;
    const INFO: Info = Info {
        kind: "Event",
        group: "",
        version: "v1",
        plural: "events",
        singular: "event",
        short: &["ev"],
        namespaced: true,
        title: "Events",
    };

    fn record(&self, names: &mut Interner) -> EventRec {
        EventRec::from(self, names)
    }

    fn bound(t: &mut Table<EventRec>) {
        if t.len() <= MAX_EVENTS {
            return;
        }
        let mut by_age: Vec<(Ts, Key)> = t.iter().map(|(k, e)| (e.last, k.clone())).collect();
        by_age.sort();
        let excess = t.len() - MAX_EVENTS;
        for (_, k) in by_age.into_iter().take(excess) {
            t.remove(&k);
        }
    }
}
resource!(Event, Namespaced);
