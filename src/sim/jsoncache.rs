//! Each stored object's JSON, written once: a real API server's watch cache keeps
//! every object's encoding beside it (the apiserver's `cachingObject`), so a list or
//! a watch's initial events of 50,000 pods is a copy of bytes, not 50,000
//! serialisations. Stored objects never change in place (an update stores a new
//! `Arc`), so an entry is keyed by the object's address and checked against a weak
//! handle that keeps that address from being reused while the entry lives.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use bytes::Bytes;
use serde_json::Value;

/// Inserts between sweeps of entries whose objects are gone.
const SWEEP_EVERY: usize = 65_536;

#[derive(Default)]
pub struct JsonCache {
    map: Mutex<HashMap<usize, (Weak<Value>, Bytes)>>,
    inserts: AtomicUsize,
}

impl JsonCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<usize, (Weak<Value>, Bytes)>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn cached(&self, v: &Arc<Value>) -> Option<Bytes> {
        let map = self.lock();
        let (w, b) = map.get(&(Arc::as_ptr(v) as usize))?;
        // A live weak handle at this address is this very object.
        (w.strong_count() > 0 && std::ptr::eq(w.as_ptr(), Arc::as_ptr(v))).then(|| b.clone())
    }

    /// The object's JSON, written now if it was not yet.
    pub fn json(&self, v: &Arc<Value>) -> Bytes {
        if let Some(b) = self.cached(v) {
            return b;
        }
        let b = Bytes::from(serde_json::to_vec(&**v).unwrap_or_else(|_| b"null".to_vec()));
        let mut map = self.lock();
        map.insert(Arc::as_ptr(v) as usize, (Arc::downgrade(v), b.clone()));
        if self.inserts.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            map.retain(|_, (w, _)| w.strong_count() > 0);
        }
        b
    }

    /// Appends the object's JSON to `buf`.
    pub fn write(&self, v: &Arc<Value>, buf: &mut Vec<u8>) {
        buf.extend_from_slice(&self.json(v));
    }

    /// Writes every object of `objects` ahead of its first request, on `threads`
    /// threads (the server's first lists are then copies too).
    pub fn warm(&self, objects: &[Arc<Value>], threads: usize) {
        let per = objects.len().div_ceil(threads.max(1)).max(1);
        std::thread::scope(|s| {
            for part in objects.chunks(per) {
                s.spawn(move || {
                    for v in part {
                        self.json(v);
                    }
                });
            }
        });
    }

    /// Entries held (tests).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_object_is_written_once_and_a_new_one_anew() {
        let c = JsonCache::default();
        let a = Arc::new(json!({"metadata": {"name": "a"}}));
        assert_eq!(&c.json(&a)[..], br#"{"metadata":{"name":"a"}}"#);
        assert_eq!(c.len(), 1);
        assert_eq!(&c.json(&a)[..], br#"{"metadata":{"name":"a"}}"#);
        assert_eq!(c.len(), 1, "the second time is a copy");
        // An update is a new object: it is written anew, never served the old bytes.
        let b = Arc::new(json!({"metadata": {"name": "a", "labels": {"x": "1"}}}));
        assert_eq!(c.json(&b), serde_json::to_vec(&*b).expect("json"));
        assert_ne!(c.json(&b), c.json(&a));
        drop(a);
        // The old entry's object is gone: its address may be reused, and a new
        // object there is written anew.
        let d = Arc::new(json!({"kind": "Pod"}));
        assert_eq!(&c.json(&d)[..], br#"{"kind":"Pod"}"#);
    }

    #[test]
    fn warming_writes_every_object() {
        let c = JsonCache::default();
        let objs: Vec<Arc<Value>> = (0..100).map(|i| Arc::new(json!({"i": i}))).collect();
        c.warm(&objs, 3);
        assert_eq!(c.len(), 100);
        assert_eq!(&c.json(&objs[42])[..], br#"{"i":42}"#);
    }
}
