//! Reads and writes of resources: list (with selectors and paging), get, create,
//! update, the three patch types, delete (graceful for pods, orphan/background
//! propagation), the `scale` and `status` subresources, access reviews and
//! `dryRun=All` (validated, not stored).

use std::sync::Arc;

use http::{Method, Response};
use serde_json::{Value, json};

use super::route::Target;
use super::{Body, Req, error_response, json_response, table_response};
use crate::sim::controllers::events::{from_events_v1, to_events_v1};
use crate::sim::kinds::{Kind, Repr, Surface};
use crate::sim::selectors::{FieldSelector, FromValue, LabelSelector, MatchValue};
use crate::sim::status::{ApiError, ApiResult};
use crate::sim::store::{Key, Store, key_of};
use crate::sim::table::{Include, table};
use crate::sim::{Shared, defaults, obj, patch, protobuf, validate};

pub fn handle(shared: &Arc<Shared>, r: &Req, t: &Target) -> Response<Body> {
    let res = match t.surface.repr {
        Repr::AccessReview => review(shared, r),
        Repr::PodMetrics | Repr::NodeMetrics => super::metrics::handle(shared, r, t),
        _ => resource(shared, r, t),
    };
    match res {
        Ok(resp) => resp,
        Err(e) => error_response(&e),
    }
}

fn kind_of(t: &Target) -> ApiResult<Kind> {
    t.surface.stored.ok_or_else(ApiError::no_route)
}

fn resource(shared: &Arc<Shared>, r: &Req, t: &Target) -> ApiResult<Response<Body>> {
    let kind = kind_of(t)?;
    let sub = t.sub.as_deref();
    match (&r.method, t.name.as_deref(), sub) {
        (&Method::GET | &Method::HEAD, None, None) => list(shared, r, t, kind),
        (&Method::GET | &Method::HEAD, Some(name), s) => get(shared, r, t, kind, name, s),
        (&Method::POST, None, None) => create(shared, r, t, kind),
        (&Method::PUT, Some(name), s) => {
            let body = parse_object(r)?;
            write(shared, r, t, kind, name, s, body)
        }
        (&Method::PATCH, Some(name), s) => patch_object(shared, r, t, kind, name, s),
        (&Method::DELETE, Some(name), None) => delete(shared, r, t, kind, name),
        (&Method::DELETE, None, None) => delete_collection(shared, r, t, kind),
        (m, _, _) => Err(ApiError::method_not_allowed(format!(
            "the server does not allow this method on the requested resource ({m})"
        ))),
    }
}

/// Parses a request body as JSON, YAML or protobuf.
pub fn parse_object(r: &Req) -> ApiResult<Value> {
    let ct = r
        .content_type()
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let v: Value = match ct.as_str() {
        "" | "application/json" | "*/*" => serde_json::from_slice(&r.body).map_err(|e| {
            ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
        })?,
        "application/yaml" | "application/x-yaml" => {
            let text = std::str::from_utf8(&r.body)
                .map_err(|_| ApiError::bad_request("request body is not UTF-8"))?;
            serde_saphyr::from_str(text)
                .map_err(|e| ApiError::bad_request(format!("yaml parse error: {e}")))?
        }
        "application/vnd.kubernetes.protobuf" => {
            protobuf::decode(&r.body).map_err(ApiError::bad_request)?
        }
        other => return Err(ApiError::unsupported_media_type(other)),
    };
    if !v.is_object() {
        return Err(ApiError::bad_request(
            "the body of the request must be a JSON object",
        ));
    }
    Ok(v)
}

fn check_type(t: &Target, v: &Value) -> ApiResult<()> {
    let want_av = t.surface.api_version();
    if let Some(av) = v["apiVersion"].as_str()
        && !av.is_empty()
        && av != want_av
    {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({av}) does not match the expected API version ({want_av})"
        )));
    }
    if let Some(k) = v["kind"].as_str()
        && !k.is_empty()
        && k != t.surface.kind
    {
        return Err(ApiError::bad_request(format!(
            "the kind in the data ({k}) does not match the expected kind ({})",
            t.surface.kind
        )));
    }
    Ok(())
}

/// Sets or checks the namespace of a body against the URL.
fn place(t: &Target, v: &mut Value) -> ApiResult<()> {
    if !t.surface.namespaced {
        return Ok(());
    }
    let url_ns = t.namespace.clone().unwrap_or_default();
    match obj::str_at(v, &["metadata", "namespace"]) {
        Some(ns) if !ns.is_empty() && ns != url_ns => Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        )),
        _ => {
            obj::set(v, &["metadata", "namespace"], json!(url_ns));
            Ok(())
        }
    }
}

/// The stored form of a body written through `surface` (events.k8s.io → core).
fn to_stored(surface: &Surface, v: Value) -> Value {
    if surface.repr == Repr::EventsV1 {
        from_events_v1(&v)
    } else {
        v
    }
}

/// The served form of a stored object (a custom resource read through another of
/// its definition's versions carries that version).
pub fn to_served(surface: &Surface, v: &Value) -> Value {
    if surface.repr == Repr::EventsV1 {
        to_events_v1(v)
    } else if matches!(surface.stored, Some(Kind::Custom(_)))
        && v["apiVersion"].as_str() != Some(surface.api_version().as_str())
    {
        let mut out = v.clone();
        out["apiVersion"] = json!(surface.api_version());
        out
    } else {
        v.clone()
    }
}

fn respond_object(r: &Req, t: &Target, store: &Store, v: &Value, code: u16) -> Response<Body> {
    if r.wants_table() && code == 200 {
        let served = to_served(t.surface, v);
        let tbl = table(
            t.surface,
            &[served],
            obj::resource_version(v),
            None,
            store.now(),
            Include::parse(r.query.get("includeObject")),
            true,
        );
        return table_response(&tbl);
    }
    json_response(code, &to_served(t.surface, v))
}

pub struct Filters {
    pub labels: LabelSelector,
    pub fields: FieldSelector,
}

impl Filters {
    pub fn from_query(r: &Req) -> ApiResult<Filters> {
        let labels = LabelSelector::parse(r.query.get("labelSelector").unwrap_or(""))
            .map_err(|e| ApiError::bad_request(format!("unable to parse requirement: {e}")))?;
        let fields = FieldSelector::parse(r.query.get("fieldSelector").unwrap_or(""))
            .map_err(ApiError::bad_request)?;
        Ok(Filters { labels, fields })
    }

    pub fn matches(&self, surface: &Surface, v: &Value) -> bool {
        if !self.labels.matches(v) {
            return false;
        }
        if self.fields.is_empty() {
            return true;
        }
        // Field selectors on events.k8s.io use that API's field names.
        if surface.repr == Repr::EventsV1 {
            self.fields.matches(&to_events_v1(v))
        } else {
            self.fields.matches(v)
        }
    }
}

fn encode_continue(k: &Key) -> String {
    hex::encode(format!("{}\u{0}{}", k.0, k.1))
}

fn decode_continue(s: &str) -> ApiResult<Key> {
    let bad = || {
        ApiError::bad_request("continue key is not valid: incorrect encoded start resourceVersion")
    };
    let raw = hex::decode(s).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (ns, name) = text.split_once('\u{0}').ok_or_else(bad)?;
    Ok((ns.to_string(), name.to_string()))
}

fn list(shared: &Arc<Shared>, r: &Req, t: &Target, kind: Kind) -> ApiResult<Response<Body>> {
    let filters = Filters::from_query(r)?;
    let rv_param = r.query.get("resourceVersion").unwrap_or("");
    match r.query.get("resourceVersionMatch").unwrap_or("") {
        "" => {}
        _ if shared.cfg.lists == crate::sim::ListSemantics::Paged => {
            return Err(ApiError::bad_request(
                "resourceVersionMatch is not supported by this server",
            ));
        }
        _ if rv_param.is_empty() => {
            return Err(ApiError::bad_request(
                "resourceVersionMatch is forbidden unless resourceVersion is provided",
            ));
        }
        "NotOlderThan" | "Exact" => {}
        other => {
            return Err(ApiError::bad_request(format!(
                "resourceVersionMatch: Unsupported value: {other:?}: supported values: \"Exact\", \"NotOlderThan\""
            )));
        }
    }
    if !rv_param.is_empty() && r.query.get("continue").is_some_and(|c| !c.is_empty()) {
        return Err(ApiError::bad_request(
            "specifying resource version is not allowed when using continue",
        ));
    }
    // `resourceVersion=0` is answered from the watch cache, whole: `limit` does not
    // apply there (as on a real server), unless this server has no cache.
    let cached = rv_param == "0" && shared.cfg.lists != crate::sim::ListSemantics::Paged;
    let limit = r
        .query
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0 && !cached)
        .unwrap_or(usize::MAX);
    let after = match r.query.get("continue").filter(|c| !c.is_empty()) {
        Some(c) => Some(decode_continue(c)?),
        None => None,
    };
    let st = shared.lock();
    if let Some(ns) = &t.namespace
        && kind != Kind::Namespace
        && !st.store.exists(Kind::Namespace, "", ns)
    {
        // Listing in a missing namespace is an empty list, as on a real server.
    }
    let (items, more) = st
        .store
        .page(kind, t.namespace.as_deref(), after.as_ref(), limit, |v| {
            filters.matches(t.surface, v)
        });
    let rv = st.store.current_rv().to_string();
    let now = st.store.now();
    drop(st);
    let cont = more.as_ref().map(encode_continue);
    if r.wants_table() {
        let served: Vec<Value> = items.iter().map(|v| to_served(t.surface, v)).collect();
        let tbl = table(
            t.surface,
            &served,
            &rv,
            cont.as_deref(),
            now,
            Include::parse(r.query.get("includeObject")),
            true,
        );
        return Ok(table_response(&tbl));
    }
    // Items are written straight from the stored objects (no copy of the list).
    let mut meta = json!({"resourceVersion": rv});
    if let Some(c) = cont {
        meta["continue"] = json!(c);
    }
    let mut buf: Vec<u8> = Vec::with_capacity(256 + items.len() * 2048);
    let head = json!({"kind": format!("{}List", t.surface.kind), "apiVersion": t.surface.api_version(), "metadata": meta});
    let head = serde_json::to_vec(&head).map_err(|e| ApiError::internal(e.to_string()))?;
    buf.extend_from_slice(&head[..head.len() - 1]);
    buf.extend_from_slice(br#","items":["#);
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        if t.surface.repr == Repr::EventsV1 {
            serde_json::to_writer(&mut buf, &to_events_v1(v))
                .map_err(|e| ApiError::internal(e.to_string()))?;
        } else {
            shared.json.write(v, &mut buf);
        }
    }
    buf.extend_from_slice(b"]}");
    Ok(super::bytes_response(200, "application/json", buf))
}

/// The `autoscaling/v1 Scale` view of a workload.
pub fn scale_view(v: &Value) -> Value {
    let selector = LabelSelector::from_value(obj::at(v, &["spec", "selector"])).to_query();
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": obj::name(v),
            "namespace": obj::namespace(v),
            "uid": obj::uid(v),
            "resourceVersion": obj::resource_version(v),
            "creationTimestamp": v["metadata"]["creationTimestamp"],
        },
        "spec": {"replicas": obj::i64_at(v, &["spec", "replicas"]).unwrap_or(0)},
        "status": {"replicas": obj::i64_at(v, &["status", "replicas"]).unwrap_or(0), "selector": selector},
    })
}

fn lookup(store: &Store, t: &Target, kind: Kind, name: &str) -> ApiResult<Arc<Value>> {
    let ns = t.namespace.as_deref().unwrap_or("");
    store
        .get(kind, ns, name)
        .ok_or_else(|| ApiError::not_found(t.surface, name))
}

fn get(
    shared: &Arc<Shared>,
    r: &Req,
    t: &Target,
    kind: Kind,
    name: &str,
    sub: Option<&str>,
) -> ApiResult<Response<Body>> {
    let st = shared.lock();
    let v = lookup(&st.store, t, kind, name)?;
    match sub {
        Some("scale") => Ok(json_response(200, &scale_view(&v))),
        _ => Ok(respond_object(r, t, &st.store, &v, 200)),
    }
}

fn review(shared: &Arc<Shared>, r: &Req) -> ApiResult<Response<Body>> {
    if r.method != Method::POST {
        return Err(ApiError::method_not_allowed(
            "only create is supported for selfsubjectaccessreviews",
        ));
    }
    let body = parse_object(r)?;
    let st = shared.lock();
    let out = st.rules.review(&r.user, &body);
    shared
        .stats
        .access_reviews
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(json_response(201, &out))
}

fn create(shared: &Arc<Shared>, r: &Req, t: &Target, kind: Kind) -> ApiResult<Response<Body>> {
    let mut v = parse_object(r)?;
    check_type(t, &v)?;
    place(t, &mut v)?;
    let mut v = to_stored(t.surface, v);
    let dry = r.query.dry_run();
    let mut st = shared.lock();
    let store = &mut st.store;
    if obj::name(&v).is_empty()
        && let Some(prefix) = obj::str_at(&v, &["metadata", "generateName"]).map(String::from)
    {
        let n = format!("{prefix}{}", store.suffix(5));
        obj::set(&mut v, &["metadata", "name"], json!(n));
    }
    if kind.has_status_subresource()
        && !matches!(kind, Kind::Namespace | Kind::Node | Kind::VolumeSnapshot)
    {
        obj::remove(&mut v, &["status"]);
    }
    obj::remove(&mut v, &["metadata", "resourceVersion"]);
    defaults::apply(store, kind, &mut v, None);
    let causes = validate::check(kind, &v, None);
    if !causes.is_empty() {
        return Err(ApiError::invalid(t.surface, obj::name(&v), causes));
    }
    if dry {
        let (ns, name) = key_of(&v);
        if store.exists(kind, &ns, &name) {
            return Err(ApiError::already_exists(t.surface, &name));
        }
        if kind.namespaced() && !store.exists(Kind::Namespace, "", &ns) {
            return Err(ApiError::namespace_not_found(&ns));
        }
        if obj::uid(&v).is_empty() {
            let uid = store.new_uid();
            obj::set(&mut v, &["metadata", "uid"], json!(uid));
        }
        obj::set(
            &mut v,
            &["metadata", "creationTimestamp"],
            json!(store.now_str()),
        );
        obj::set(&mut v, &["apiVersion"], json!(kind.api_version()));
        obj::set(&mut v, &["kind"], json!(kind.kind_name()));
        return Ok(json_response(201, &to_served(t.surface, &v)));
    }
    let created = store.create(kind, v)?;
    Ok(json_response(201, &to_served(t.surface, &created)))
}

/// The object a write to `sub` of `old` produces from `body`.
fn merged(kind: Kind, old: &Value, body: Value, sub: Option<&str>) -> ApiResult<Value> {
    match sub {
        None => {
            let mut v = body;
            if kind.has_status_subresource() && !matches!(kind, Kind::Namespace | Kind::Node) {
                obj::set(&mut v, &["status"], old["status"].clone());
                if old["status"].is_null() {
                    obj::remove(&mut v, &["status"]);
                }
            }
            Ok(v)
        }
        Some("status") => {
            let mut v = old.clone();
            obj::set(&mut v, &["status"], body["status"].clone());
            obj::set(
                &mut v,
                &["metadata", "resourceVersion"],
                body["metadata"]["resourceVersion"].clone(),
            );
            Ok(v)
        }
        Some("scale") => {
            let causes = validate::check_scale(&body);
            if !causes.is_empty() {
                return Err(ApiError::invalid(kind.native(), obj::name(old), causes));
            }
            let mut v = old.clone();
            if let Some(n) = obj::at(&body, &["spec", "replicas"]).as_i64() {
                obj::set(&mut v, &["spec", "replicas"], json!(n));
            }
            obj::set(
                &mut v,
                &["metadata", "resourceVersion"],
                body["metadata"]["resourceVersion"].clone(),
            );
            Ok(v)
        }
        Some(other) => Err(ApiError::method_not_allowed(format!(
            "subresource {other} does not support writes"
        ))),
    }
}

/// Validates and stores a write of `body` to `name` (or its `sub`resource) with the
/// state already locked; returns the served result.
#[allow(clippy::too_many_arguments)]
fn write_locked(
    store: &mut Store,
    r: &Req,
    t: &Target,
    kind: Kind,
    name: &str,
    sub: Option<&str>,
    body: Value,
) -> ApiResult<Value> {
    let mut body = body;
    if sub != Some("scale") {
        check_type(t, &body)?;
        place(t, &mut body)?;
        match obj::str_at(&body, &["metadata", "name"]) {
            Some(n) if n != name => {
                return Err(ApiError::bad_request(format!(
                    "the name of the object ({n}) does not match the name on the URL ({name})"
                )));
            }
            None => obj::set(&mut body, &["metadata", "name"], json!(name)),
            _ => {}
        }
    }
    let body = if sub.is_none() {
        to_stored(t.surface, body)
    } else {
        body
    };
    let old = lookup(store, t, kind, name)?;
    let want_rv = obj::str_at(&body, &["metadata", "resourceVersion"])
        .unwrap_or("")
        .to_string();
    if !want_rv.is_empty() && want_rv != obj::resource_version(&old) {
        return Err(ApiError::conflict(t.surface, name));
    }
    let mut v = merged(kind, &old, body, sub)?;
    defaults::apply(store, kind, &mut v, Some(&old));
    let causes = validate::check(kind, &v, Some(&old));
    if !causes.is_empty() {
        return Err(ApiError::invalid(t.surface, name, causes));
    }
    obj::set(
        &mut v,
        &["metadata", "resourceVersion"],
        json!(obj::resource_version(&old)),
    );
    if r.query.dry_run() {
        return Ok(if sub == Some("scale") {
            scale_view(&v)
        } else {
            to_served(t.surface, &v)
        });
    }
    let updated = store.update(kind, v)?;
    Ok(if sub == Some("scale") {
        scale_view(&updated)
    } else {
        to_served(t.surface, &updated)
    })
}

#[allow(clippy::too_many_arguments)]
fn write(
    shared: &Arc<Shared>,
    r: &Req,
    t: &Target,
    kind: Kind,
    name: &str,
    sub: Option<&str>,
    body: Value,
) -> ApiResult<Response<Body>> {
    let mut st = shared.lock();
    race(shared, &mut st.store, t, kind, name);
    let out = write_locked(&mut st.store, r, t, kind, name, sub, body)?;
    Ok(json_response(200, &out))
}

/// The `racing_writes` fault: a controller rewrites the object's status just before
/// this write is applied (its resourceVersion moves on; its spec does not).
fn race(shared: &Shared, store: &mut Store, t: &Target, kind: Kind, name: &str) {
    if shared.faults.take_race() {
        let ns = t.namespace.as_deref().unwrap_or("");
        // A count, so that two races in one second are two changes.
        store.modify(kind, ns, name, |o| {
            let n = o["status"]["kdeckSimRaced"].as_u64().unwrap_or(0);
            o["status"]["kdeckSimRaced"] = json!(n + 1);
        });
    }
}

fn patch_object(
    shared: &Arc<Shared>,
    r: &Req,
    t: &Target,
    kind: Kind,
    name: &str,
    sub: Option<&str>,
) -> ApiResult<Response<Body>> {
    let ct = r
        .content_type()
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let patch_doc: Value = match ct.as_str() {
        "application/merge-patch+json"
        | "application/json-patch+json"
        | "application/strategic-merge-patch+json" => serde_json::from_slice(&r.body)
            .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?,
        other => return Err(ApiError::unsupported_media_type(other)),
    };
    if ct == "application/strategic-merge-patch+json"
        && t.surface.group == "snapshot.storage.k8s.io"
    {
        return Err(ApiError::unsupported_media_type(&ct));
    }
    // Read, apply and write under one lock: a patch that names a resourceVersion
    // conflicts if it is stale; one that does not applies to the current object.
    let mut st = shared.lock();
    race(shared, &mut st.store, t, kind, name);
    let base = lookup(&st.store, t, kind, name)?;
    let mut doc = match sub {
        Some("scale") => scale_view(&base),
        _ => to_served(t.surface, &base),
    };
    match ct.as_str() {
        "application/merge-patch+json" => patch::merge_patch(&mut doc, &patch_doc),
        "application/strategic-merge-patch+json" => patch::strategic_merge(&mut doc, &patch_doc),
        _ => {
            patch::json_patch(&mut doc, &patch_doc).map_err(|e| ApiError::new(422, "Invalid", e))?
        }
    }
    if !doc.is_object() {
        return Err(ApiError::bad_request("the patch result is not an object"));
    }
    let out = write_locked(&mut st.store, r, t, kind, name, sub, doc)?;
    Ok(json_response(200, &out))
}

fn delete(
    shared: &Arc<Shared>,
    r: &Req,
    t: &Target,
    kind: Kind,
    name: &str,
) -> ApiResult<Response<Body>> {
    let opts: Value = if r.body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(&r.body)
            .map_err(|e| ApiError::bad_request(format!("invalid DeleteOptions: {e}")))?
    };
    let mut st = shared.lock();
    let store = &mut st.store;
    let v = lookup(store, t, kind, name)?;
    let pre = &opts["preconditions"];
    if let Some(uid) = pre["uid"].as_str()
        && uid != obj::uid(&v)
    {
        return Err(ApiError::conflict_msg(
            t.surface,
            name,
            &format!(
                "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                obj::uid(&v)
            ),
        ));
    }
    if let Some(rv) = pre["resourceVersion"].as_str()
        && rv != obj::resource_version(&v)
    {
        return Err(ApiError::conflict_msg(
            t.surface,
            name,
            &format!(
                "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                obj::resource_version(&v)
            ),
        ));
    }
    if r.query.dry_run() {
        return Ok(json_response(200, &to_served(t.surface, &v)));
    }
    let policy = opts["propagationPolicy"]
        .as_str()
        .or(r.query.get("propagationPolicy"))
        .unwrap_or("Background")
        .to_string();
    let ns = t.namespace.clone().unwrap_or_default();
    if policy == "Orphan" {
        let uid = obj::uid(&v).to_string();
        for (k, (dns, dname)) in store.dependents(&uid) {
            store.modify(k, &dns, &dname, |d| {
                if let Some(refs) = d["metadata"]["ownerReferences"].as_array_mut() {
                    refs.retain(|o| o["uid"] != uid.as_str());
                }
            });
        }
    }
    let now = store.now();
    match kind {
        Kind::Pod => {
            let grace = opts["gracePeriodSeconds"]
                .as_i64()
                .or_else(|| {
                    r.query
                        .get("gracePeriodSeconds")
                        .and_then(|g| g.parse().ok())
                })
                .or_else(|| obj::i64_at(&v, &["spec", "terminationGracePeriodSeconds"]))
                .unwrap_or(30);
            if grace <= 0 || obj::str_at(&v, &["spec", "nodeName"]).is_none() {
                let gone = store.remove(kind, &ns, name).unwrap_or(v);
                return Ok(json_response(200, &gone));
            }
            let when = crate::sim::clock::fmt_ts(now + jiff::SignedDuration::from_secs(grace));
            let updated = store.modify(kind, &ns, name, |p| {
                if p["metadata"]["deletionTimestamp"].is_null() {
                    p["metadata"]["deletionTimestamp"] = json!(when);
                    p["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
                }
            });
            Ok(json_response(
                200,
                &updated.map(|u| (*u).clone()).unwrap_or_default(),
            ))
        }
        Kind::Namespace => {
            let when = crate::sim::clock::fmt_ts(now);
            let updated = store.modify(kind, "", name, |n| {
                n["metadata"]["deletionTimestamp"] = json!(when);
                n["status"]["phase"] = json!("Terminating");
            });
            Ok(json_response(
                200,
                &updated.map(|u| (*u).clone()).unwrap_or_default(),
            ))
        }
        _ => {
            store.remove(kind, &ns, name);
            let mut details = json!({"name": name, "kind": t.surface.plural, "uid": obj::uid(&v)});
            if !t.surface.group.is_empty() {
                details["group"] = json!(t.surface.group);
            }
            Ok(json_response(
                200,
                &json!({
                    "kind": "Status", "apiVersion": "v1", "metadata": {},
                    "status": "Success", "details": details,
                }),
            ))
        }
    }
}

fn delete_collection(
    shared: &Arc<Shared>,
    r: &Req,
    t: &Target,
    kind: Kind,
) -> ApiResult<Response<Body>> {
    let filters = Filters::from_query(r)?;
    let mut st = shared.lock();
    let items = st.store.list(kind, t.namespace.as_deref());
    let mut removed = Vec::new();
    for v in items.iter().filter(|v| filters.matches(t.surface, v)) {
        if !r.query.dry_run() {
            st.store.remove(kind, obj::namespace(v), obj::name(v));
        }
        removed.push(to_served(t.surface, v));
    }
    Ok(json_response(
        200,
        &json!({
            "kind": format!("{}List", t.surface.kind),
            "apiVersion": t.surface.api_version(),
            "metadata": {"resourceVersion": st.store.current_rv().to_string()},
            "items": removed,
        }),
    ))
}
