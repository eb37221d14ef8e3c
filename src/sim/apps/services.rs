//! The fleet's other HTTP services: FLEET-Q (`/health`, `/admin/leader`,
//! `/admin/queue`), FlagWise (`database_connected`/`kafka_connected` health), the team
//! dashboard and its services, FlexTime constraints (`/health`, `/ready`), and a
//! generic app for images the simulator does not know.

use serde_json::json;

use super::load::external_metric;
use super::world::is_ready;
use super::{App, Ctx, HttpReq, HttpResp};
use crate::sim::clock::fmt_ts;
use crate::sim::kinds::Kind;
use crate::sim::obj;

fn fleet_q_leader(ctx: &Ctx) -> Option<String> {
    let ns = obj::namespace(ctx.pod);
    let mut ready: Vec<String> = ctx
        .store
        .list(Kind::Pod, Some(ns))
        .iter()
        .filter(|p| {
            obj::label(p, "app") == Some("fleet-q") && is_ready(p) && !obj::is_terminating(p)
        })
        .map(|p| obj::name(p).to_string())
        .collect();
    ready.sort();
    ready.into_iter().next()
}

pub fn serve(app: App, ctx: &mut Ctx, _port: u16, req: &HttpReq) -> Option<HttpResp> {
    let path = req.path.trim_end_matches('/');
    let path = if path.is_empty() { "/" } else { path };
    let now = ctx.store.now();
    let get = matches!(req.method, "GET" | "HEAD");
    let resp = match (app, path) {
        (App::FleetQ, "/health") if get => {
            let leader = fleet_q_leader(ctx);
            let me = obj::name(ctx.pod);
            HttpResp::json(200, &json!({
                "status": "healthy",
                "snowflake": "connected",
                "is_leader": leader.as_deref() == Some(me),
                "version": ctx.version(),
            }))
        }
        (App::FleetQ, "/admin/leader") if get => {
            let leader = fleet_q_leader(ctx);
            let me = obj::name(ctx.pod);
            HttpResp::json(200, &json!({
                "leader": leader,
                "is_leader": leader.as_deref() == Some(me),
                "pod": me,
                "term": 7,
                "lease_expires": fmt_ts(now + jiff::SignedDuration::from_secs(15)),
            }))
        }
        (App::FleetQ, "/admin/queue") if get => {
            let pending = external_metric(ctx.world, "fleet_q_pending_steps", obj::namespace(ctx.pod), now).unwrap_or(0.0);
            HttpResp::json(200, &json!({
                "pending_steps": pending as u64,
                "running_steps": 6,
                "completed_last_hour": 1840,
                "dead_letter": 0,
            }))
        }
        (App::FlagwiseApi, "/health") if get => HttpResp::json(200, &json!({
            "status": "healthy",
            "timestamp": fmt_ts(now),
            "version": ctx.version(),
            "database_connected": true,
            "kafka_connected": true,
        })),
        (App::FlagwiseWeb, "/") if get => HttpResp {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: b"<!doctype html><html><head><title>FlagWise</title></head><body><div id=\"root\"></div></body></html>\n".to_vec(),
        },
        (App::FlagwiseWeb, "/health") if get => HttpResp::text(200, "ok\n"),
        (App::Constraints, "/health") if get => HttpResp::json(200, &json!({"status": "ok", "uptime": 86400})),
        (App::Constraints, "/ready") if get => HttpResp::json(200, &json!({"ready": true})),
        (App::Dashboard, "/api/health" | "/health") if get => HttpResp::json(200, &json!({
            "status": "ok",
            "version": ctx.version(),
            "slot": obj::label(ctx.pod, "slot"),
            "checks": {"postgres": "ok", "redis": "ok"},
        })),
        (App::Dashboard, "/") if get => HttpResp {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: format!("<!doctype html><title>Team Dashboard {}</title>\n", ctx.version()).into_bytes(),
        },
        (App::TeamService | App::FlagwiseConsumer, "/health") if get => HttpResp::json(200, &json!({"status": "ok", "version": ctx.version()})),
        (App::Generic, _) if get => HttpResp::json(200, &json!({"status": "ok", "path": path})),
        (App::Generic, _) => HttpResp::json(200, &json!({"status": "ok", "method": req.method})),
        _ if !get => HttpResp::method_not_allowed(),
        _ => HttpResp::not_found(),
    };
    Some(resp)
}
