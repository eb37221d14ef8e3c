//! Hostile and malformed requests to the simulated API server get the right Status
//! (400, 404, 413, 415, 422) and the server keeps serving.

mod common;

use common::{Cluster, http};
use kdeck::sim::Scenario;
use serde_json::Value;

async fn status_of(resp: reqwest::Response) -> (u16, Value) {
    let code = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    (code, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_the_right_status_and_the_server_keeps_serving() {
    let c = Cluster::start_with(kdeck::sim::SimConfig {
        scenario: Scenario::Calm,
        tls: kdeck::sim::Tls::Plain,
        ..kdeck::sim::SimConfig::default()
    })
    .await;
    let base = c.sim.server_url();
    let h = http();
    let deployments = format!("{base}/apis/apps/v1/namespaces/flagwise/deployments");
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (h.post(&deployments).header("content-type", "application/json").body("{not json"), 400, "BadRequest"),
        (h.post(&deployments).header("content-type", "application/json").body("[1, 2]"), 400, "BadRequest"),
        (h.post(&deployments).header("content-type", "text/plain").body("hello"), 415, "UnsupportedMediaType"),
        (
            h.patch(format!("{deployments}/flagwise-web")).header("content-type", "application/x-weird-patch").body("{}"),
            415,
            "UnsupportedMediaType",
        ),
        (
            h.post(format!("{base}/apis/apps/v1/namespaces/flagwise/widgets")).header("content-type", "application/json").body("{}"),
            404,
            "NotFound",
        ),
        (
            h.post(&deployments).header("content-type", "application/json").body(r#"{"apiVersion":"apps/v1","kind":"Widget","metadata":{"name":"w"}}"#),
            400,
            "BadRequest",
        ),
        (
            h.post(&deployments).header("content-type", "application/vnd.kubernetes.protobuf").body(vec![0xde, 0xad, 0xbe, 0xef]),
            400,
            "BadRequest",
        ),
        (
            h.post(&deployments).header("content-type", "application/json").body(vec![b' '; 4 * 1024 * 1024]),
            413,
            "RequestEntityTooLarge",
        ),
        (
            h.post(&deployments)
                .header("content-type", "application/json")
                .body(r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"Bad Name!"},"spec":{}}"#),
            422,
            "Invalid",
        ),
        (
            h.patch(format!("{deployments}/flagwise-web"))
                .header("content-type", "application/json-patch+json")
                .body(r#"[{"op":"replace","path":"/spec/nope","value":1}]"#),
            422,
            "Invalid",
        ),
        (
            h.get(format!("{base}/api/v1/pods?watch=true&resourceVersion=notanumber")),
            400,
            "BadRequest",
        ),
    ];
    for (req, code, reason) in cases {
        let (got, body) = status_of(req.send().await.expect("request answered")).await;
        assert_eq!(got, code, "{body}");
        assert_eq!(body["kind"], "Status", "{body}");
        assert_eq!(body["reason"], reason, "{body}");
        assert_eq!(body["code"], code, "{body}");
        // Still serving.
        let v = h
            .get(format!("{base}/version"))
            .send()
            .await
            .expect("version");
        assert_eq!(v.status().as_u16(), 200);
    }
    let ok = h.get(&deployments).send().await.expect("list");
    let list: Value = ok.json().await.expect("json");
    assert_eq!(list["kind"], "DeploymentList");
    assert!(
        !list["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or("")
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_watch_is_an_in_stream_410() {
    let c = Cluster::start_with(kdeck::sim::SimConfig {
        scenario: Scenario::Calm,
        tls: kdeck::sim::Tls::Plain,
        ..kdeck::sim::SimConfig::default()
    })
    .await;
    let h = http();
    let resp = h
        .get(format!(
            "{}/api/v1/namespaces?watch=true&resourceVersion=5",
            c.sim.server_url()
        ))
        .send()
        .await
        .expect("watch answered");
    assert_eq!(
        resp.status().as_u16(),
        200,
        "expiry is reported in-stream, not as HTTP 410"
    );
    let text = resp.text().await.expect("stream closes");
    let ev: Value =
        serde_json::from_str(text.lines().next().expect("one event")).expect("json event");
    assert_eq!(ev["type"], "ERROR");
    assert_eq!(ev["object"]["reason"], "Expired");
    assert_eq!(ev["object"]["code"], 410);
}
