//! The steps every action shares against the API server: building its writes (each
//! action's `writes`), the access review for each write's exact verb, resource and
//! subresource, the server-side dry run, and execution — which writes and fsyncs the
//! audit intent first and sends nothing if that fails. A 409 Conflict to an API
//! object's write means the server applied nothing: the object moved on between kdeck's read and its write
//! (a controller's status update does that many times a second during a rollout).
//! The writes are then built again from the live object — which checks again what
//! the plan saw, so a change there is a conflict, reported with what is there now —
//! and sent again, at most [`ATTEMPTS`] times in all (client-go's RetryOnConflict:
//! reason `Conflict` only, and only API objects' writes; see [`stale`]). Nothing else
//! is retried.

use std::time::Duration;

use http::Method;
use serde_json::{Value, json};

use super::Request;
use crate::audit::log::Sink;
use crate::audit::{Outcome, Preflight, Record};

/// Tries of one write whose resourceVersion went stale while what the plan saw
/// still held (the first and two more).
pub const ATTEMPTS: usize = 3;

/// Longest wait for one API request of an action.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// What a write needs permission for (a SelfSubjectAccessReview's attributes).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Access {
    pub verb: &'static str,
    pub group: &'static str,
    pub resource: &'static str,
    pub subresource: &'static str,
    pub namespace: String,
    pub name: String,
}

impl Access {
    pub fn new(
        verb: &'static str,
        group: &'static str,
        resource: &'static str,
        subresource: &'static str,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> Access {
        Access {
            verb,
            group,
            resource,
            subresource,
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// `patch deployments/scale`.
    pub fn describe(&self) -> String {
        if self.subresource.is_empty() {
            format!("{} {}", self.verb, self.resource)
        } else {
            format!("{} {}/{}", self.verb, self.resource, self.subresource)
        }
    }
}

/// One request an action sends.
#[derive(Clone, Debug, PartialEq)]
pub struct Write {
    pub method: Method,
    /// Path without query.
    pub path: String,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub access: Access,
    /// Whether the server can dry-run it (requests to a pod through the proxy cannot).
    pub dry_run: bool,
    /// For the person: `PATCH deploy/web/scale`, `POST pod/x :3005/reset`.
    pub what: String,
}

/// Why writes could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// What the plan was based on has changed: here is what is there now.
    Conflict(String),
    Failed(String),
}

impl Stop {
    /// The failed check it makes in a preflight.
    fn current_state(self) -> Preflight {
        let (Stop::Conflict(why) | Stop::Failed(why)) = self;
        check("current state", false, why)
    }
}

/// An API error, in the parts that matter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiFailure {
    pub code: u16,
    pub reason: String,
    pub message: String,
}

impl ApiFailure {
    fn text(&self) -> String {
        if self.code == 0 {
            self.message.clone()
        } else {
            format!("{} {}: {}", self.code, self.reason, self.message)
        }
    }
}

fn clean(s: &str) -> String {
    crate::util::sanitize::line(s, 400)
}

/// Sends one request (with `query`), reading the answer as text.
pub async fn request(
    client: &kube::Client,
    method: Method,
    path_and_query: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Result<String, ApiFailure> {
    let mut b = http::Request::builder().method(method).uri(path_and_query);
    if let Some(ct) = content_type {
        b = b.header(http::header::CONTENT_TYPE, ct);
    }
    let req = b.body(body).map_err(|e| ApiFailure {
        code: 0,
        reason: String::new(),
        message: e.to_string(),
    })?;
    match tokio::time::timeout(REQUEST_TIMEOUT, client.request_text(req)).await {
        Err(_) => Err(ApiFailure {
            code: 0,
            reason: "Timeout".into(),
            message: format!(
                "the API server did not answer within {} s",
                REQUEST_TIMEOUT.as_secs()
            ),
        }),
        Ok(Ok(t)) => Ok(t),
        Ok(Err(kube::Error::Api(s))) => Err(ApiFailure {
            code: s.code,
            reason: clean(&s.reason),
            message: clean(&s.message),
        }),
        Ok(Err(e)) => Err(ApiFailure {
            code: 0,
            reason: String::new(),
            message: clean(&crate::cluster::watch::short_error(&e)),
        }),
    }
}

/// `GET path` as JSON; a missing object or an unreadable answer stops the action.
pub async fn get_json(client: &kube::Client, path: &str) -> Result<Value, Stop> {
    let text = request(client, Method::GET, path, None, Vec::new())
        .await
        .map_err(|e| Stop::Failed(format!("reading {path}: {}", e.text())))?;
    serde_json::from_str(&text).map_err(|e| Stop::Failed(format!("reading {path}: {e}")))
}

/// A string at a JSON path, for conflict checks and messages.
pub fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

/// A JSON merge patch write with the object's resourceVersion as a precondition.
pub fn merge_patch(
    path: String,
    rv: &str,
    mut patch: Value,
    access: Access,
    what: String,
) -> Write {
    patch["metadata"]["resourceVersion"] = json!(rv);
    Write {
        method: Method::PATCH,
        path,
        content_type: "application/merge-patch+json",
        body: serde_json::to_vec(&patch).unwrap_or_default(),
        access,
        dry_run: true,
        what,
    }
}

/// Builds the writes for `req` from the live objects.
pub async fn writes(client: &kube::Client, req: &Request) -> Result<Vec<Write>, Stop> {
    match req {
        Request::Scale { .. } => super::scale::writes(client, req).await,
        Request::ScaleHpa { .. } => super::hpa::writes(client, req).await,
        Request::Rollback { .. } => super::rollback::writes(client, req).await,
        Request::Restart { .. } => super::restart::writes(client, req).await,
        Request::Pause { .. } => super::pause::writes(client, req).await,
        Request::SetImage { .. } => super::set_image::writes(client, req).await,
        Request::BreakerReset { .. } => super::breaker::writes(client, req).await,
        Request::SwitchTraffic { .. } => super::traffic::writes(client, req).await,
        Request::TriggerBackup { .. } => super::backup::writes(client, req).await,
        Request::RevealSecret { .. } => Ok(super::reveal::writes(req)),
        Request::Exec { .. } | Request::Shell { .. } | Request::PortForward { .. } => {
            Ok(Vec::new())
        }
    }
}

/// Asks the API server whether the person may do `a`: `Ok(None)` allowed, `Ok(Some(why))`
/// denied, `Err` when the question could not be asked.
pub async fn review(client: &kube::Client, a: &Access) -> Result<Option<String>, String> {
    let mut attrs = json!({
        "namespace": a.namespace, "verb": a.verb, "group": a.group, "resource": a.resource,
    });
    if !a.subresource.is_empty() {
        attrs["subresource"] = json!(a.subresource);
    }
    if !a.name.is_empty() {
        attrs["name"] = json!(a.name);
    }
    let body = json!({
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": attrs},
    });
    let text = request(
        client,
        Method::POST,
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        Some("application/json"),
        serde_json::to_vec(&body).unwrap_or_default(),
    )
    .await
    .map_err(|e| e.text())?;
    let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    if v["status"]["allowed"].as_bool() == Some(true) {
        return Ok(None);
    }
    let reason = v["status"]["reason"].as_str().unwrap_or("");
    Ok(Some(if reason.is_empty() {
        format!("not allowed to {} in {}", a.describe(), a.namespace)
    } else {
        format!(
            "not allowed to {} in {}: {}",
            a.describe(),
            a.namespace,
            clean(reason)
        )
    }))
}

/// Sends `w` with `query` added to its path.
async fn send(client: &kube::Client, w: &Write, query: &str) -> Result<String, ApiFailure> {
    let path = if query.is_empty() {
        w.path.clone()
    } else {
        with_query(&w.path, query)
    };
    request(
        client,
        w.method.clone(),
        &path,
        Some(w.content_type),
        w.body.clone(),
    )
    .await
}

fn with_query(path: &str, query: &str) -> String {
    if path.contains('?') {
        format!("{path}&{query}")
    } else {
        format!("{path}?{query}")
    }
}

/// The server-side checks of a planned action: its writes can be built (nothing it
/// relies on changed), each is allowed (access review) and each passes a dry run.
pub async fn preflight(client: &kube::Client, req: &Request) -> Vec<Preflight> {
    if let Request::RevealSecret { .. } = req {
        return super::reveal::preflight(client, req).await;
    }
    if matches!(
        req,
        Request::Exec { .. } | Request::Shell { .. } | Request::PortForward { .. }
    ) {
        return super::exec::preflight(client, req).await;
    }
    let mut out = Vec::new();
    let mut ws = match writes(client, req).await {
        Ok(w) => w,
        Err(stop) => {
            out.push(stop.current_state());
            return out;
        }
    };
    let mut reviewed = std::collections::HashSet::new();
    for w in &ws {
        if !reviewed.insert(w.access.clone()) {
            continue;
        }
        let name = format!("access: {}", w.access.describe());
        match review(client, &w.access).await {
            Ok(None) => out.push(check(&name, true, "allowed")),
            Ok(Some(why)) => out.push(check(&name, false, why)),
            Err(e) => out.push(check(&name, false, format!("could not ask: {e}"))),
        }
    }
    // Dry runs only for what is allowed.
    let mut tries = 1;
    'attempt: while !out.iter().any(|c| !c.ok) {
        let mut dry = Vec::new();
        for w in ws.iter().filter(|w| w.dry_run) {
            let name = format!("dry run: {}", w.what);
            match send(client, w, "dryRun=All&fieldManager=kdeck").await {
                Ok(_) => dry.push(check(&name, true, accepted(tries))),
                Err(e) if stale(req, w, &e) && tries < ATTEMPTS => {
                    // Stale read: build the writes again (what the plan saw is
                    // checked again) and dry-run them all again.
                    tries += 1;
                    match writes(client, req).await {
                        Ok(w) => ws = w,
                        Err(stop) => {
                            out.push(stop.current_state());
                            return out;
                        }
                    }
                    continue 'attempt;
                }
                Err(e) => dry.push(check(&name, false, e.text())),
            }
        }
        out.extend(dry);
        break;
    }
    if ws.iter().any(|w| !w.dry_run) {
        out.push(check(
            "dry run: pod requests",
            true,
            format!(
                "{} request{} through the pod proxy cannot be dry-run",
                ws.iter().filter(|w| !w.dry_run).count(),
                if ws.iter().filter(|w| !w.dry_run).count() == 1 {
                    ""
                } else {
                    "s"
                }
            ),
        ));
    }
    out
}

/// A 409 that only says the resourceVersion the write carried went stale: an API
/// object's write (not a pod's own answer through the proxy) refused with reason
/// `Conflict` (not `AlreadyExists`), for a request whose writes check again what the
/// plan saw (a roll back planned without a current revision has only the
/// resourceVersion to tell a change: its 409 stays a conflict).
fn stale(req: &Request, w: &Write, e: &ApiFailure) -> bool {
    e.code == 409
        && e.reason == "Conflict"
        && w.dry_run
        && !matches!(
            req,
            Request::Rollback {
                from_revision: None,
                ..
            }
        )
}

/// A dry run's pass, saying when the object had to be read again first.
fn accepted(tries: usize) -> String {
    match tries {
        1 => "accepted by the server".into(),
        n => format!(
            "accepted by the server (read again {} time{}: the object was updated in between, not what the plan saw)",
            n - 1,
            if n == 2 { "" } else { "s" }
        ),
    }
}

pub fn check(name: &str, ok: bool, detail: impl Into<String>) -> Preflight {
    Preflight {
        check: name.to_string(),
        ok,
        detail: detail.into(),
    }
}

/// What happened when an action was sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Executed {
    /// `Succeeded` means sent and accepted (verification follows); otherwise final.
    pub outcome: Outcome,
    pub detail: String,
    /// Per target (each pod of a breaker reset): one line each.
    pub results: Vec<String>,
    /// The intent record as written (absent when it could not be).
    pub intent: Option<Record>,
    /// Requests that reached the API server and were accepted.
    pub sent: usize,
    /// A revealed secret value (for the dialog only; never recorded).
    pub revealed: Option<super::reveal::Revealed>,
    /// A command's end: exit code, bytes, output (for the pane only; never recorded).
    pub ran: Option<crate::cluster::exec::Ran>,
    /// The intent is written: the front end may now open the shell.
    pub interactive: bool,
}

impl Executed {
    /// Not run at all (nothing recorded, nothing sent).
    pub fn not_run(detail: impl Into<String>) -> Executed {
        Executed {
            outcome: Outcome::Failed,
            detail: detail.into(),
            results: Vec::new(),
            intent: None,
            sent: 0,
            revealed: None,
            ran: None,
            interactive: false,
        }
    }
}

/// Writes the intent record (fsynced) and only then sends the action's writes.
/// Longest wait for the server's answer to an action's request.
pub const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// Writes and fsyncs the intent: `Err` (nothing may be sent) when it cannot be.
pub async fn write_intent(
    sink: std::sync::Arc<Sink>,
    intent: Record,
) -> Result<Executed, Executed> {
    let appended = tokio::task::spawn_blocking(move || sink.append(intent))
        .await
        .unwrap_or_else(|e| Err(format!("audit log: {e}")));
    match appended {
        Ok(r) => Ok(Executed {
            outcome: Outcome::Succeeded,
            detail: String::new(),
            results: Vec::new(),
            intent: Some(r),
            sent: 0,
            revealed: None,
            ran: None,
            interactive: false,
        }),
        Err(e) => Err(Executed::not_run(format!(
            "not run: the audit record could not be written ({e})"
        ))),
    }
}

pub async fn execute(
    client: &kube::Client,
    sink: std::sync::Arc<Sink>,
    intent: Record,
    req: &Request,
) -> Executed {
    let mut done = match write_intent(sink, intent).await {
        Ok(d) => d,
        Err(not_run) => return not_run,
    };
    match req {
        Request::RevealSecret { .. } => return super::reveal::fetch(client, req, done).await,
        Request::Exec { .. } => return super::exec::command(client, req, done).await,
        Request::Shell { .. } => {
            // The front end opens it (it owns the terminal); the intent is on record.
            done.interactive = true;
            done.detail = "shell opening".into();
            return done;
        }
        Request::PortForward { .. } => {
            done.detail = "forward starting".into();
            return done;
        }
        _ => {}
    }
    let mut ws = match built(client, req, &mut done).await {
        Some(w) => w,
        None => return done,
    };
    let mut many = ws.len() > 1;
    let mut failed = 0;
    let mut tries = 1;
    let mut i = 0;
    while let Some(w) = ws.get(i) {
        i += 1;
        // Pod proxy requests go to the pod: API query parameters are not theirs.
        let query = if w.dry_run { "fieldManager=kdeck" } else { "" };
        let answer = match tokio::time::timeout(SEND_TIMEOUT, send(client, w, query)).await {
            Ok(a) => a,
            Err(_) if !many => {
                // Sent, unanswered: it may have been applied. Not retried (a person
                // confirmed one request); the watch tells.
                done.sent += 1;
                done.outcome = Outcome::Unknown;
                done.detail = format!(
                    "no answer from the API server within {} s: it may or may not have been applied",
                    SEND_TIMEOUT.as_secs()
                );
                return done;
            }
            Err(_) => {
                failed += 1;
                done.results.push(format!(
                    "{}: no answer within {} s (may have been applied)",
                    w.what,
                    SEND_TIMEOUT.as_secs()
                ));
                continue;
            }
        };
        match answer {
            Ok(answer) => {
                done.sent += 1;
                if many {
                    done.results
                        .push(format!("{}: ok {}", w.what, clean_answer(&answer)));
                }
            }
            Err(e) if stale(req, w, &e) && done.sent == 0 && failed == 0 && tries < ATTEMPTS => {
                // Nothing applied, nothing sent before it: read again (what the plan
                // saw is checked again) and send the same intent again.
                tries += 1;
                let line = format!(
                    "{}: the object was updated in between (409); read again and sent again",
                    w.what
                );
                ws = match built(client, req, &mut done).await {
                    Some(w) => w,
                    None => return done,
                };
                done.results.push(line);
                many = ws.len() > 1;
                i = 0;
            }
            Err(e) if e.code == 409 => {
                done.outcome = Outcome::Conflict;
                done.detail = format!("changed by someone else: {}", e.message);
                return done;
            }
            Err(e) => {
                failed += 1;
                if many {
                    done.results
                        .push(format!("{}: failed: {}", w.what, e.text()));
                } else {
                    done.outcome = Outcome::Failed;
                    done.detail = e.text();
                    return done;
                }
            }
        }
    }
    if let Request::BreakerReset { .. } = req {
        done.results
            .extend(super::breaker::reprobe(client, req).await);
    }
    if failed > 0 {
        done.outcome = Outcome::Failed;
        done.detail = format!("{failed} of {} requests failed", ws.len());
    }
    done
}

/// The writes for `req` from the live objects, or the outcome (in `done`) that ends
/// the action: what the plan saw has changed (a conflict), or they cannot be built.
async fn built(client: &kube::Client, req: &Request, done: &mut Executed) -> Option<Vec<Write>> {
    match writes(client, req).await {
        Ok(w) => Some(w),
        Err(Stop::Conflict(why)) => {
            done.outcome = Outcome::Conflict;
            done.detail = format!("changed by someone else since the plan: {why}");
            None
        }
        Err(Stop::Failed(why)) => {
            done.outcome = Outcome::Failed;
            done.detail = why;
            None
        }
    }
}

/// A short, inert rendering of a pod's answer.
fn clean_answer(a: &str) -> String {
    let t = crate::util::sanitize::line(a.trim(), 120);
    if t.is_empty() {
        String::new()
    } else {
        format!("({t})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dry_run: bool) -> Write {
        Write {
            method: Method::PATCH,
            path: "/apis/apps/v1/namespaces/ns/deployments/web/scale".into(),
            content_type: "application/merge-patch+json",
            body: Vec::new(),
            access: Access::new("patch", "apps", "deployments", "scale", "ns", "web"),
            dry_run,
            what: "PATCH deploy/web/scale".into(),
        }
    }

    fn failure(reason: &str) -> ApiFailure {
        ApiFailure {
            code: 409,
            reason: reason.into(),
            message: "the object has been modified".into(),
        }
    }

    fn rollback(from_revision: Option<i64>) -> Request {
        Request::Rollback {
            namespace: "ns".into(),
            name: "web".into(),
            to_revision: 3,
            from_revision,
            images: "web:v1".into(),
        }
    }

    #[test]
    fn only_a_stale_resource_version_on_an_api_object_is_read_again() {
        let scale = Request::Scale {
            workload: super::super::Workload::Deployment,
            namespace: "ns".into(),
            name: "web".into(),
            replicas: 3,
            from: 2,
        };
        assert!(stale(&scale, &write(true), &failure("Conflict")));
        assert!(stale(
            &rollback(Some(4)),
            &write(true),
            &failure("Conflict")
        ));
        // AlreadyExists is a 409 too, and no read makes it go away.
        assert!(!stale(&scale, &write(true), &failure("AlreadyExists")));
        // A pod's own 409 through the proxy says nothing of what it did.
        assert!(!stale(&scale, &write(false), &failure("Conflict")));
        // Nothing but the resourceVersion tells a change to this roll back.
        assert!(!stale(&rollback(None), &write(true), &failure("Conflict")));
        let mut other = failure("Conflict");
        other.code = 422;
        assert!(!stale(&scale, &write(true), &other));
    }
}
