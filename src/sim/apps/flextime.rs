//! The FlexTime API (port 3005) and its health sidecar (port 3006): deep health with
//! database/redis/memory/cpu checks, liveness and readiness, `/api/status`,
//! Prometheus `/metrics`, and the circuit breaker with its reset endpoint.

use serde_json::{Value, json};

use super::load;
use super::{Ctx, HttpReq, HttpResp};
use crate::sim::clock::fmt_ts;
use crate::sim::obj;

fn uptime(ctx: &Ctx) -> i64 {
    let now = ctx.store.now();
    obj::str_at(ctx.pod, &["status", "startTime"])
        .and_then(|s| s.parse::<jiff::Timestamp>().ok())
        .map(|t| now.duration_since(t).as_secs().max(0))
        .unwrap_or(0)
}

/// The deep health document and whether the API counts as up.
fn deep_health(ctx: &Ctx) -> (Value, bool) {
    let now = ctx.store.now();
    let key = ctx.pod_key();
    let breaker = ctx.world.breaker(&key);
    let degraded = ctx.world.db_degraded();
    let usage = load::usage(ctx.world, ctx.pod, ctx.container, now);
    let mem_limit = obj::quantity_value(&ctx.container["resources"]["limits"]["memory"])
        .unwrap_or(4.0 * 1024f64.powi(3));
    let cpu_req =
        obj::quantity_value(&ctx.container["resources"]["requests"]["cpu"]).unwrap_or(0.5);
    let cpu_pct = (usage.cpu_cores / cpu_req * 100.0).round();
    let db = if degraded {
        json!({"status": "degraded", "latency_ms": 2340, "message": "timeout acquiring connection from pool (98/100 in use)"})
    } else {
        json!({"status": "ok", "latency_ms": 43})
    };
    let status = if breaker.open {
        "unhealthy"
    } else if degraded {
        "degraded"
    } else {
        "healthy"
    };
    let doc = json!({
        "status": status,
        "version": ctx.version(),
        "timestamp": fmt_ts(now),
        "uptime_seconds": uptime(ctx),
        "checks": {
            "database": db,
            "redis": {"status": "ok", "latency_ms": 2},
            "memory": {"status": if usage.mem_bytes > mem_limit * 0.85 { "warning" } else { "ok" }, "used_mb": (usage.mem_bytes / 1048576.0).round(), "limit_mb": (mem_limit / 1048576.0).round()},
            "cpu": {"status": if cpu_pct > 150.0 { "warning" } else { "ok" }, "usage_percent": cpu_pct},
        },
        "circuit_breaker": if breaker.open { "open" } else { "closed" },
        "circuit_breaker_failures": breaker.failures,
    });
    (doc, !breaker.open)
}

fn count(ctx: &mut Ctx, ok: bool) {
    let e = ctx.world.requests.entry(ctx.pod_key()).or_default();
    if ok {
        e.0 += 1;
    } else {
        e.1 += 1;
    }
}

pub fn api(ctx: &mut Ctx, req: &HttpReq) -> Option<HttpResp> {
    let path = req.path.trim_end_matches('/');
    let now = ctx.store.now();
    let resp = match (req.method, path) {
        ("GET" | "HEAD", "/health") => {
            let (doc, up) = deep_health(ctx);
            count(ctx, up);
            HttpResp::json(if up { 200 } else { 503 }, &doc)
        }
        ("GET" | "HEAD", "/health/live") => HttpResp::json(200, &json!({"status": "alive"})),
        ("GET" | "HEAD", "/health/ready") => HttpResp::json(200, &json!({"status": "ready"})),
        ("GET" | "HEAD", "/api/status") => {
            let (doc, up) = deep_health(ctx);
            count(ctx, up);
            let state = match doc["status"].as_str() {
                Some("healthy") => "operational",
                Some("degraded") => "degraded",
                _ => "outage",
            };
            HttpResp::json(
                if up { 200 } else { 503 },
                &json!({"service": "flextime-api", "status": state, "version": ctx.version(), "timestamp": fmt_ts(now)}),
            )
        }
        ("GET", "/metrics") => HttpResp {
            status: 200,
            content_type: "text/plain; version=0.0.4; charset=utf-8",
            body: metrics(ctx).into_bytes(),
        },
        ("POST", "/health/circuit-breaker/reset") => {
            let key = ctx.pod_key();
            let was = ctx.world.reset_breaker(&key, now);
            ctx.world.logs.push(
                &key,
                "api",
                now,
                r#"{"level":"warn","msg":"circuit breaker manually reset","breaker":"closed"}"#
                    .into(),
            );
            HttpResp::json(
                200,
                &json!({"circuit_breaker": "closed", "previous": if was { "open" } else { "closed" }, "reset_at": fmt_ts(now)}),
            )
        }
        (_, "/health/circuit-breaker/reset") => HttpResp::method_not_allowed(),
        ("GET", "/") => HttpResp::json(
            200,
            &json!({"service": "flextime-api", "version": ctx.version()}),
        ),
        (_, p) if p.starts_with("/api/") => {
            let (_, up) = deep_health(ctx);
            count(ctx, up);
            if up {
                HttpResp::json(200, &json!({"items": [], "path": p}))
            } else {
                HttpResp::json(
                    503,
                    &json!({"error": "service unavailable: circuit breaker open"}),
                )
            }
        }
        _ => HttpResp::not_found(),
    };
    Some(resp)
}

fn metrics(ctx: &Ctx) -> String {
    let (doc, _) = deep_health(ctx);
    let key = ctx.pod_key();
    let (ok, failed) = ctx.world.requests.get(&key).copied().unwrap_or_default();
    let mut out = String::new();
    out.push_str("# HELP flextime_health_check Health check status (1 = healthy)\n# TYPE flextime_health_check gauge\n");
    for check in ["database", "redis", "memory", "cpu"] {
        let up = doc["checks"][check]["status"] == "ok";
        out.push_str(&format!(
            "flextime_health_check{{check=\"{check}\"}} {}\n",
            up as u8
        ));
    }
    out.push_str("# HELP flextime_health_check_duration_seconds Duration of each health check\n# TYPE flextime_health_check_duration_seconds gauge\n");
    let db_s = doc["checks"]["database"]["latency_ms"]
        .as_f64()
        .unwrap_or(0.0)
        / 1000.0;
    out.push_str(&format!(
        "flextime_health_check_duration_seconds{{check=\"database\"}} {db_s:.3}\n"
    ));
    out.push_str("flextime_health_check_duration_seconds{check=\"redis\"} 0.002\n");
    out.push_str("# HELP flextime_circuit_breaker_open Whether the circuit breaker is open\n# TYPE flextime_circuit_breaker_open gauge\n");
    out.push_str(&format!(
        "flextime_circuit_breaker_open {}\n",
        (doc["circuit_breaker"] == "open") as u8
    ));
    out.push_str(
        "# HELP http_requests_total Requests served\n# TYPE http_requests_total counter\n",
    );
    out.push_str(&format!(
        "http_requests_total{{status=\"200\"}} {}\n",
        10_000 + ok
    ));
    out.push_str(&format!("http_requests_total{{status=\"503\"}} {failed}\n"));
    out.push_str(&format!(
        "flextime_error_rate_percent {:.1}\n",
        ctx.world.flex_error_now()
    ));
    out.push_str("flextime_workers_total 15\n");
    out
}

/// The health sidecar mirrors the API container's deep health on port 3006.
pub fn sidecar(ctx: &mut Ctx, req: &HttpReq) -> Option<HttpResp> {
    let path = req.path.trim_end_matches('/');
    let api = obj::at(ctx.pod, &["spec", "containers"])
        .as_array()
        .and_then(|cs| {
            cs.iter().find(|c| {
                super::app_for_image(c["image"].as_str().unwrap_or("")) == super::App::FlexApi
            })
        })
        .cloned();
    let resp = match (req.method, path, api) {
        ("GET" | "HEAD", "/health", Some(api)) => {
            let inner = Ctx {
                store: ctx.store,
                world: ctx.world,
                pod: ctx.pod,
                container: &api,
            };
            let (doc, up) = deep_health(&inner);
            HttpResp::json(
                if up { 200 } else { 503 },
                &json!({"status": doc["status"], "source": "health-sidecar", "api": doc}),
            )
        }
        ("GET" | "HEAD", "/health/live", _) => HttpResp::json(200, &json!({"status": "alive"})),
        ("GET" | "HEAD", "/health", None) => HttpResp::json(
            200,
            &json!({"status": "healthy", "source": "health-sidecar"}),
        ),
        _ => HttpResp::not_found(),
    };
    Some(resp)
}
