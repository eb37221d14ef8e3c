//! The simulated cluster's object store: objects by kind and key, one global
//! resourceVersion, a bounded change history for watches (older versions are
//! "expired"), an owner index for garbage collection, and the feed controllers read.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use jiff::Timestamp;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::clock::{SimClock, fmt_ts};
use super::kinds::Kind;
use super::obj;
use super::status::{ApiError, ApiResult};

/// (namespace, name); namespace is empty for cluster-scoped kinds.
pub type Key = (String, String);

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ChangeType {
    Added,
    Modified,
    Deleted,
}

impl ChangeType {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeType::Added => "ADDED",
            ChangeType::Modified => "MODIFIED",
            ChangeType::Deleted => "DELETED",
        }
    }
}

/// The retained changes after a resourceVersion, and a receiver for the live ones.
pub type WatchStart = (Vec<Arc<Change>>, broadcast::Receiver<Arc<Change>>);

/// One committed change, as watches and controllers see it.
#[derive(Debug)]
pub struct Change {
    pub rv: u64,
    pub kind: Kind,
    pub ty: ChangeType,
    pub obj: Arc<Value>,
    pub old: Option<Arc<Value>>,
}

pub fn key_of(v: &Value) -> Key {
    (obj::namespace(v).to_string(), obj::name(v).to_string())
}

/// Characters Kubernetes uses for generated name suffixes.
const SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

pub struct Store {
    clock: SimClock,
    rv: u64,
    compacted: u64,
    objects: HashMap<Kind, BTreeMap<Key, Arc<Value>>>,
    owners: HashMap<String, BTreeSet<(Kind, Key)>>,
    history: VecDeque<Arc<Change>>,
    history_cap: usize,
    tx: broadcast::Sender<Arc<Change>>,
    pending: Vec<Arc<Change>>,
    rng: ChaCha8Rng,
    /// The custom APIs the stored CustomResourceDefinitions define.
    apis: super::crd::Apis,
}

impl Store {
    pub fn new(clock: SimClock, seed: u64, history_cap: usize) -> Self {
        // Start resourceVersions at the wall clock in microseconds: a restarted server
        // always answers a client's old resourceVersion as expired (so it relists),
        // never as "from the future".
        let base = u64::try_from(Timestamp::now().as_microsecond()).unwrap_or(1);
        let (tx, _) = broadcast::channel(4096);
        Store {
            clock,
            rv: base,
            compacted: base,
            objects: HashMap::new(),
            owners: HashMap::new(),
            history: VecDeque::new(),
            history_cap: history_cap.max(16),
            tx,
            pending: Vec::new(),
            rng: ChaCha8Rng::seed_from_u64(seed),
            apis: super::crd::Apis::default(),
        }
    }

    pub fn clock(&self) -> &SimClock {
        &self.clock
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn now_str(&self) -> String {
        fmt_ts(self.now())
    }

    pub fn current_rv(&self) -> u64 {
        self.rv
    }

    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }

    pub fn rng_u32(&mut self) -> u32 {
        self.rng.random()
    }

    /// A Kubernetes-style random suffix (`7d9f8`).
    pub fn suffix(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| SUFFIX_ALPHABET[self.rng.random_range(0..SUFFIX_ALPHABET.len())] as char)
            .collect()
    }

    pub fn new_uid(&mut self) -> String {
        let b: [u8; 16] = self.rng.random();
        format!(
            "{}-{}-4{}-{}{}-{}",
            hex::encode(&b[0..4]),
            hex::encode(&b[4..6]),
            &hex::encode(&b[6..8])[1..],
            ["8", "9", "a", "b"][(b[8] & 3) as usize],
            &hex::encode(&b[8..10])[1..],
            hex::encode(&b[10..16])
        )
    }

    pub fn get(&self, kind: Kind, ns: &str, name: &str) -> Option<Arc<Value>> {
        self.objects
            .get(&kind)?
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
    }

    pub fn exists(&self, kind: Kind, ns: &str, name: &str) -> bool {
        self.get(kind, ns, name).is_some()
    }

    /// Objects of `kind`, in key order, optionally in one namespace.
    pub fn list(&self, kind: Kind, ns: Option<&str>) -> Vec<Arc<Value>> {
        self.list_from(kind, ns, None, usize::MAX).0
    }

    /// A page of objects of `kind` strictly after `after`, at most `limit`; the second
    /// value is the last key returned when more remain.
    pub fn list_from(
        &self,
        kind: Kind,
        ns: Option<&str>,
        after: Option<&Key>,
        limit: usize,
    ) -> (Vec<Arc<Value>>, Option<Key>) {
        self.page(kind, ns, after, limit, |_| true)
    }

    /// Like [`Store::list_from`], keeping only objects `keep` accepts: at most `limit`,
    /// and the last key returned when more matching objects remain.
    pub fn page(
        &self,
        kind: Kind,
        ns: Option<&str>,
        after: Option<&Key>,
        limit: usize,
        keep: impl Fn(&Value) -> bool,
    ) -> (Vec<Arc<Value>>, Option<Key>) {
        let Some(map) = self.objects.get(&kind) else {
            return (Vec::new(), None);
        };
        let iter: Box<dyn Iterator<Item = (&Key, &Arc<Value>)>> = match (ns, after) {
            (_, Some(k)) => Box::new(map.range((
                std::ops::Bound::Excluded(k.clone()),
                std::ops::Bound::Unbounded,
            ))),
            (Some(ns), None) => Box::new(map.range((ns.to_string(), String::new())..)),
            (None, None) => Box::new(map.iter()),
        };
        let mut out: Vec<Arc<Value>> = Vec::new();
        for (k, v) in iter {
            if let Some(ns) = ns
                && k.0 != ns
            {
                if k.0.as_str() > ns {
                    break;
                }
                continue;
            }
            if !keep(v) {
                continue;
            }
            if out.len() == limit {
                let last = out.last().map(|v| key_of(v));
                return (out, last);
            }
            out.push(v.clone());
        }
        (out, None)
    }

    /// The custom APIs served (from the stored CustomResourceDefinitions).
    pub fn apis(&self) -> &super::crd::Apis {
        &self.apis
    }

    /// Every kind that has objects.
    pub fn kinds(&self) -> Vec<Kind> {
        self.objects
            .iter()
            .filter(|(_, m)| !m.is_empty())
            .map(|(k, _)| *k)
            .collect()
    }

    /// After a definition changed: serve what the definitions now define, set their
    /// status, and remove the objects of kinds no longer defined.
    fn sync_crds(&mut self) {
        let crds = self.list(Kind::Crd, None);
        let (statuses, gone) = self.apis.sync(&crds);
        for (name, status) in statuses {
            self.modify(Kind::Crd, "", &name, |c| c["status"] = status);
        }
        for kind in gone {
            for v in self.list(kind, None) {
                self.remove(kind, obj::namespace(&v), obj::name(&v));
            }
        }
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.objects.get(&kind).map_or(0, |m| m.len())
    }

    /// Objects that name `owner_uid` in their ownerReferences.
    pub fn dependents(&self, owner_uid: &str) -> Vec<(Kind, Key)> {
        self.owners
            .get(owner_uid)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Dependents of one kind, as objects.
    pub fn owned(&self, owner_uid: &str, kind: Kind) -> Vec<Arc<Value>> {
        self.owners
            .get(owner_uid)
            .map(|s| {
                s.iter()
                    .filter(|(k, _)| *k == kind)
                    .filter_map(|(k, key)| self.get(*k, &key.0, &key.1))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn index_owners(&mut self, kind: Kind, v: &Value, add: bool) {
        let key = key_of(v);
        for uid in obj::owner_uids(v) {
            if add {
                self.owners
                    .entry(uid.to_string())
                    .or_default()
                    .insert((kind, key.clone()));
            } else if let Some(set) = self.owners.get_mut(uid) {
                set.remove(&(kind, key.clone()));
                if set.is_empty() {
                    self.owners.remove(uid);
                }
            }
        }
    }

    fn commit(&mut self, kind: Kind, ty: ChangeType, obj: Arc<Value>, old: Option<Arc<Value>>) {
        let change = Arc::new(Change {
            rv: self.rv,
            kind,
            ty,
            obj,
            old,
        });
        self.history.push_back(change.clone());
        while self.history.len() > self.history_cap {
            if let Some(c) = self.history.pop_front() {
                self.compacted = c.rv;
            }
        }
        self.pending.push(change.clone());
        let _ = self.tx.send(change);
    }

    fn bump_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    /// Stores a new object: assigns uid, creationTimestamp, resourceVersion and
    /// generation. Fails if it exists or its namespace does not.
    pub fn create(&mut self, kind: Kind, mut v: Value) -> ApiResult<Arc<Value>> {
        let surface = kind.native();
        let (ns, name) = key_of(&v);
        if name.is_empty() {
            return Err(ApiError::invalid(
                surface,
                "",
                vec![super::status::Cause::required("metadata.name")],
            ));
        }
        if kind.namespaced() {
            if ns.is_empty() {
                return Err(ApiError::bad_request(
                    "the namespace of the object must be set",
                ));
            }
            match self.get(Kind::Namespace, "", &ns) {
                None => return Err(ApiError::namespace_not_found(&ns)),
                Some(n) if obj::is_terminating(&n) => {
                    return Err(ApiError::new(
                        403,
                        "Forbidden",
                        format!(
                            "{} \"{}\" is forbidden: unable to create new content in namespace {} because it is being terminated",
                            surface.qualified(),
                            name,
                            ns
                        ),
                    ));
                }
                _ => {}
            }
        }
        if self.exists(kind, &ns, &name) {
            return Err(ApiError::already_exists(surface, &name));
        }
        let rv = self.bump_rv();
        let uid = match obj::uid(&v) {
            "" => self.new_uid(),
            u => u.to_string(),
        };
        let created = match obj::str_at(&v, &["metadata", "creationTimestamp"]) {
            Some(t) if !t.is_empty() => t.to_string(),
            _ => self.now_str(),
        };
        obj::set(&mut v, &["metadata", "uid"], json!(uid));
        obj::set(&mut v, &["metadata", "creationTimestamp"], json!(created));
        obj::set(
            &mut v,
            &["metadata", "resourceVersion"],
            json!(rv.to_string()),
        );
        if kind.has_generation() {
            obj::set(&mut v, &["metadata", "generation"], json!(1));
        }
        obj::set(&mut v, &["apiVersion"], json!(kind.api_version()));
        obj::set(&mut v, &["kind"], json!(kind.kind_name()));
        let v = Arc::new(v);
        self.index_owners(kind, &v, true);
        self.objects
            .entry(kind)
            .or_default()
            .insert((ns, name), v.clone());
        self.commit(kind, ChangeType::Added, v.clone(), None);
        if kind == Kind::Crd {
            self.sync_crds();
        }
        Ok(v)
    }

    /// Replaces an existing object. A non-empty resourceVersion in `v` must match
    /// the stored one (else Conflict); uid and creationTimestamp are kept; generation
    /// is bumped when anything outside metadata and status changed.
    pub fn update(&mut self, kind: Kind, mut v: Value) -> ApiResult<Arc<Value>> {
        let surface = kind.native();
        let (ns, name) = key_of(&v);
        let Some(old) = self.get(kind, &ns, &name) else {
            return Err(ApiError::not_found(surface, &name));
        };
        let want_rv = obj::resource_version(&v);
        if !want_rv.is_empty() && want_rv != obj::resource_version(&old) {
            return Err(ApiError::conflict(surface, &name));
        }
        obj::set(&mut v, &["metadata", "uid"], old["metadata"]["uid"].clone());
        obj::set(
            &mut v,
            &["metadata", "creationTimestamp"],
            old["metadata"]["creationTimestamp"].clone(),
        );
        obj::set(&mut v, &["apiVersion"], json!(kind.api_version()));
        obj::set(&mut v, &["kind"], json!(kind.kind_name()));
        if !old["metadata"]["deletionTimestamp"].is_null() {
            obj::set(
                &mut v,
                &["metadata", "deletionTimestamp"],
                old["metadata"]["deletionTimestamp"].clone(),
            );
        }
        if kind.has_generation() {
            let gen_old = obj::i64_at(&old, &["metadata", "generation"]).unwrap_or(1);
            let changed = spec_part(&old) != spec_part(&v);
            obj::set(
                &mut v,
                &["metadata", "generation"],
                json!(if changed { gen_old + 1 } else { gen_old }),
            );
        }
        // Unchanged objects are not rewritten (no new resourceVersion, no event).
        obj::set(
            &mut v,
            &["metadata", "resourceVersion"],
            old["metadata"]["resourceVersion"].clone(),
        );
        if *old == v {
            return Ok(old);
        }
        let rv = self.bump_rv();
        obj::set(
            &mut v,
            &["metadata", "resourceVersion"],
            json!(rv.to_string()),
        );
        let v = Arc::new(v);
        self.index_owners(kind, &old, false);
        self.index_owners(kind, &v, true);
        self.objects
            .entry(kind)
            .or_default()
            .insert((ns, name), v.clone());
        let redefined = kind == Kind::Crd && spec_part(&old) != spec_part(&v);
        self.commit(kind, ChangeType::Modified, v.clone(), Some(old));
        if redefined {
            self.sync_crds();
        }
        Ok(v)
    }

    /// Applies `f` to a copy of the stored object and writes it back if it changed.
    pub fn modify(
        &mut self,
        kind: Kind,
        ns: &str,
        name: &str,
        f: impl FnOnce(&mut Value),
    ) -> Option<Arc<Value>> {
        let cur = self.get(kind, ns, name)?;
        let mut v = (*cur).clone();
        f(&mut v);
        if v == *cur {
            return Some(cur);
        }
        self.update(kind, v).ok()
    }

    /// Removes an object now; the Deleted event carries a fresh resourceVersion.
    pub fn remove(&mut self, kind: Kind, ns: &str, name: &str) -> Option<Arc<Value>> {
        let old = self
            .objects
            .get_mut(&kind)?
            .remove(&(ns.to_string(), name.to_string()))?;
        self.index_owners(kind, &old, false);
        let rv = self.bump_rv();
        let mut gone = (*old).clone();
        obj::set(
            &mut gone,
            &["metadata", "resourceVersion"],
            json!(rv.to_string()),
        );
        let gone = Arc::new(gone);
        self.commit(kind, ChangeType::Deleted, gone.clone(), Some(old));
        if kind == Kind::Crd {
            self.sync_crds();
        }
        Some(gone)
    }

    /// Changes committed since the last call (the controllers' feed).
    pub fn drain_pending(&mut self) -> Vec<Arc<Change>> {
        std::mem::take(&mut self.pending)
    }

    /// Starts a watch of `kind` from `from_rv`: the retained changes after it, then a
    /// live receiver. `Err` when `from_rv` is older than the retained history.
    pub fn watch_from(&self, kind: Kind, from_rv: u64) -> Result<WatchStart, ApiError> {
        if from_rv < self.compacted {
            return Err(ApiError::expired(format!(
                "too old resource version: {} ({})",
                from_rv,
                self.compacted + 1
            )));
        }
        let backlog = self
            .history
            .iter()
            .filter(|c| c.rv > from_rv && c.kind == kind)
            .cloned()
            .collect();
        Ok((backlog, self.tx.subscribe()))
    }

    /// Forgets the retained history, so every watch from an earlier resourceVersion
    /// expires (what etcd compaction does; tests use it to force a relist).
    pub fn compact_all(&mut self) {
        self.history.clear();
        self.compacted = self.rv;
    }
}

/// The part of an object whose change bumps `metadata.generation`.
fn spec_part(v: &Value) -> Value {
    let mut c = v.clone();
    if let Some(m) = c.as_object_mut() {
        m.remove("metadata");
        m.remove("status");
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        let mut s = Store::new(SimClock::new(1.0), 7, 100);
        s.create(Kind::Namespace, json!({"metadata": {"name": "ns"}}))
            .unwrap();
        s
    }

    fn dep(name: &str) -> Value {
        json!({"metadata": {"name": name, "namespace": "ns"}, "spec": {"replicas": 1}})
    }

    #[test]
    fn create_assigns_metadata_and_rejects_duplicates() {
        let mut s = store();
        let d = s.create(Kind::Deployment, dep("a")).unwrap();
        assert!(!obj::uid(&d).is_empty());
        assert_eq!(d["metadata"]["generation"], 1);
        assert_eq!(d["apiVersion"], "apps/v1");
        let e = s.create(Kind::Deployment, dep("a")).unwrap_err();
        assert_eq!(e.reason, "AlreadyExists");
        let e = s
            .create(
                Kind::Deployment,
                json!({"metadata": {"name": "b", "namespace": "missing"}}),
            )
            .unwrap_err();
        assert_eq!(e.code, 404);
    }

    #[test]
    fn update_checks_resource_version_and_bumps_generation() {
        let mut s = store();
        let d = s.create(Kind::Deployment, dep("a")).unwrap();
        let mut stale = (*d).clone();
        stale["spec"]["replicas"] = json!(3);
        let d2 = s.update(Kind::Deployment, stale.clone()).unwrap();
        assert_eq!(d2["metadata"]["generation"], 2);
        // Same stale rv again: conflict.
        stale["spec"]["replicas"] = json!(4);
        assert_eq!(
            s.update(Kind::Deployment, stale).unwrap_err().reason,
            "Conflict"
        );
        // Status-only change keeps the generation.
        let mut st = (*d2).clone();
        st["status"] = json!({"replicas": 3});
        let d3 = s.update(Kind::Deployment, st).unwrap();
        assert_eq!(d3["metadata"]["generation"], 2);
    }

    #[test]
    fn watch_history_expires() {
        let mut s = Store::new(SimClock::new(1.0), 1, 16);
        s.create(Kind::Namespace, json!({"metadata": {"name": "ns"}}))
            .unwrap();
        let start = s.current_rv();
        for i in 0..40 {
            s.create(Kind::Deployment, dep(&format!("d{i}"))).unwrap();
        }
        assert!(s.watch_from(Kind::Deployment, start).is_err());
        let recent = s.current_rv() - 3;
        let (backlog, _) = s.watch_from(Kind::Deployment, recent).unwrap();
        assert_eq!(backlog.len(), 3);
    }

    #[test]
    fn paging_and_namespace_lists() {
        let mut s = store();
        s.create(Kind::Namespace, json!({"metadata": {"name": "zz"}}))
            .unwrap();
        for i in 0..5 {
            s.create(Kind::Deployment, dep(&format!("d{i}"))).unwrap();
        }
        s.create(
            Kind::Deployment,
            json!({"metadata": {"name": "other", "namespace": "zz"}}),
        )
        .unwrap();
        let (page, next) = s.list_from(Kind::Deployment, None, None, 2);
        assert_eq!(page.len(), 2);
        let next = next.unwrap();
        let (rest, more) = s.list_from(Kind::Deployment, None, Some(&next), 10);
        assert_eq!(rest.len(), 4);
        assert!(more.is_none());
        assert_eq!(s.list(Kind::Deployment, Some("ns")).len(), 5);
        assert_eq!(s.list(Kind::Deployment, Some("zz")).len(), 1);
    }

    #[test]
    fn owner_index_follows_writes() {
        let mut s = store();
        let owner = s.create(Kind::Deployment, dep("own")).unwrap();
        let mut rs = json!({"metadata": {"name": "rs", "namespace": "ns"}});
        rs["metadata"]["ownerReferences"] = json!([obj::owner_ref(&owner)]);
        s.create(Kind::ReplicaSet, rs).unwrap();
        assert_eq!(s.owned(obj::uid(&owner), Kind::ReplicaSet).len(), 1);
        s.remove(Kind::ReplicaSet, "ns", "rs");
        assert!(s.dependents(obj::uid(&owner)).is_empty());
    }
}
