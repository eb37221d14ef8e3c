//! Events as the kubelet and controllers record them: core/v1 Events about an
//! involved object, deduplicated by (object, reason, message) into a rising `count`
//! and `lastTimestamp`, and expired after their time to live.

use std::collections::HashMap;

use jiff::SignedDuration;
use serde_json::{Value, json};

use super::Cx;
use crate::sim::clock::fmt_micro;
use crate::sim::kinds::Kind;
use crate::sim::obj;
use crate::sim::store::Store;

#[derive(Default)]
pub struct EventRecorder {
    index: HashMap<(String, String, String), (String, String)>,
}

impl EventRecorder {
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &mut self,
        store: &mut Store,
        involved: &Value,
        field_path: Option<&str>,
        ty: &str,
        reason: &str,
        message: &str,
        component: &str,
    ) {
        let now = store.now_str();
        let uid = obj::uid(involved).to_string();
        let dedup = (uid.clone(), reason.to_string(), message.to_string());
        if let Some((ns, name)) = self.index.get(&dedup).cloned() {
            let bumped = store.modify(Kind::Event, &ns, &name, |e| {
                let c = e["count"].as_i64().unwrap_or(1);
                e["count"] = json!(c + 1);
                e["lastTimestamp"] = json!(now.clone());
            });
            if bumped.is_some() {
                return;
            }
        }
        let ns = match obj::namespace(involved) {
            "" => "default".to_string(),
            n => n.to_string(),
        };
        let nanos = store.now().as_nanosecond();
        let name = format!(
            "{}.{:x}",
            obj::name(involved),
            nanos as u64 ^ (store.rng_u32() as u64)
        );
        let mut io = json!({
            "kind": involved["kind"],
            "namespace": obj::namespace(involved),
            "name": obj::name(involved),
            "uid": uid,
            "apiVersion": involved["apiVersion"],
            "resourceVersion": obj::resource_version(involved),
        });
        if let Some(fp) = field_path {
            io["fieldPath"] = json!(fp);
        }
        let host = obj::str_at(involved, &["spec", "nodeName"]);
        let mut source = json!({"component": component});
        if component == "kubelet"
            && let Some(h) = host
        {
            source["host"] = json!(h);
        }
        let ev = json!({
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": io,
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": ty,
            "eventTime": null,
            "reportingComponent": component,
            "reportingInstance": host.unwrap_or(""),
        });
        if store.create(Kind::Event, ev).is_ok() {
            self.index.insert(dedup, (ns, name));
        }
    }
}

/// Removes Events whose last occurrence is older than `ttl`.
pub fn expire(cx: &mut Cx, ttl: SignedDuration) {
    let cutoff = cx.now - ttl;
    let old: Vec<(String, String)> = cx
        .store
        .list(Kind::Event, None)
        .iter()
        .filter(|e| {
            e["lastTimestamp"]
                .as_str()
                .and_then(|s| s.parse::<jiff::Timestamp>().ok())
                .is_some_and(|t| t < cutoff)
        })
        .map(|e| (obj::namespace(e).to_string(), obj::name(e).to_string()))
        .collect();
    for (ns, name) in old {
        cx.store.remove(Kind::Event, &ns, &name);
    }
    cx.events
        .index
        .retain(|_, (ns, name)| cx.store.exists(Kind::Event, ns, name));
}

/// The `events.k8s.io/v1` representation of a stored core/v1 Event.
pub fn to_events_v1(e: &Value) -> Value {
    let mut meta = e["metadata"].clone();
    if let Some(m) = meta.as_object_mut() {
        m.remove("managedFields");
    }
    let event_time = match e["eventTime"].as_str() {
        Some(t) => json!(t),
        None => e["firstTimestamp"]
            .as_str()
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
            .map(|t| json!(fmt_micro(t)))
            .unwrap_or(Value::Null),
    };
    let mut out = json!({
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": meta,
        "eventTime": event_time,
        "reportingController": e["reportingComponent"].as_str().filter(|s| !s.is_empty()).or(e["source"]["component"].as_str()).unwrap_or(""),
        "reportingInstance": e["reportingInstance"],
        "action": e["reason"],
        "reason": e["reason"],
        "regarding": e["involvedObject"],
        "note": e["message"],
        "type": e["type"],
        "deprecatedSource": e["source"],
        "deprecatedFirstTimestamp": e["firstTimestamp"],
        "deprecatedLastTimestamp": e["lastTimestamp"],
        "deprecatedCount": e["count"],
    });
    if out["reportingInstance"].is_null() {
        out["reportingInstance"] = json!("");
    }
    out
}

/// The core/v1 form of an `events.k8s.io/v1` Event written through that API.
pub fn from_events_v1(e: &Value) -> Value {
    json!({
        "metadata": e["metadata"],
        "involvedObject": e["regarding"],
        "reason": e["reason"],
        "message": e["note"],
        "type": e["type"],
        "eventTime": e["eventTime"],
        "firstTimestamp": e["deprecatedFirstTimestamp"],
        "lastTimestamp": e["deprecatedLastTimestamp"],
        "count": e["deprecatedCount"],
        "source": e["deprecatedSource"],
        "reportingComponent": e["reportingController"],
        "reportingInstance": e["reportingInstance"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::SimClock;

    #[test]
    fn repeated_events_are_counted_not_duplicated() {
        let mut s = Store::new(SimClock::new(1.0), 3, 100);
        s.create(Kind::Namespace, json!({"metadata": {"name": "ns"}}))
            .unwrap();
        let pod = s
            .create(
                Kind::Pod,
                json!({"metadata": {"name": "p", "namespace": "ns"}}),
            )
            .unwrap();
        let mut r = EventRecorder::default();
        for _ in 0..3 {
            r.record(
                &mut s,
                &pod,
                None,
                "Warning",
                "BackOff",
                "Back-off restarting failed container",
                "kubelet",
            );
        }
        let evs = s.list(Kind::Event, Some("ns"));
        assert_eq!(evs.len(), 1);
        assert_eq!(evs[0]["count"], 3);
        assert_eq!(evs[0]["involvedObject"]["name"], "p");
        let v1 = to_events_v1(&evs[0]);
        assert_eq!(v1["note"], "Back-off restarting failed container");
        assert_eq!(v1["regarding"]["kind"], "Pod");
        assert_eq!(from_events_v1(&v1)["message"], evs[0]["message"]);
    }
}
