//! The applications running inside simulated pods: which image is which app, how it
//! behaves when started (serves, crash-loops, fails to pull), how long a batch Job
//! runs, and the HTTP endpoints it answers through the pod and service proxy.

pub mod load;
pub mod logs;
pub mod shell;
pub mod world;

mod flextime;
mod monitoring;
mod services;

use bytes::Bytes;
use serde_json::Value;

pub use world::World;

use super::store::Store;

/// Which application an image runs.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum App {
    FlexApi,
    HealthSidecar,
    Constraints,
    FleetQ,
    FlagwiseApi,
    FlagwiseWeb,
    FlagwiseConsumer,
    Dashboard,
    TeamService,
    Prometheus,
    Grafana,
    Alertmanager,
    Redis,
    Postgres,
    BackupTool,
    Generic,
}

fn repo_and_tag(image: &str) -> (&str, &str) {
    let last_slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[last_slash..].rfind(':') {
        Some(i) => (&image[..last_slash + i], &image[last_slash + i + 1..]),
        None => (image, "latest"),
    }
}

pub fn app_for_image(image: &str) -> App {
    let (repo, _) = repo_and_tag(image);
    let repo = repo.rsplit_once("docker.io/").map_or(repo, |(_, r)| r);
    match repo {
        "flextime/api" => App::FlexApi,
        "flextime/health-sidecar" => App::HealthSidecar,
        "flextime/constraints" => App::Constraints,
        "fleet-q" | "fleet-q/fleet-q" => App::FleetQ,
        "flagwise/api" => App::FlagwiseApi,
        "flagwise/web" => App::FlagwiseWeb,
        "flagwise/consumer" => App::FlagwiseConsumer,
        "team-dashboard/dashboard" => App::Dashboard,
        r if r.starts_with("team-dashboard/") => App::TeamService,
        "prom/prometheus" => App::Prometheus,
        "grafana/grafana" => App::Grafana,
        "prom/alertmanager" => App::Alertmanager,
        "redis" => App::Redis,
        "postgres" => App::Postgres,
        "flextime/backup-tools" => App::BackupTool,
        _ => App::Generic,
    }
}

/// What happens when a container with this image starts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Behaviour {
    Serves,
    CrashLoop,
    PullError,
}

/// Images known to be broken: the incident's release, and anything tagged as such.
pub fn behaviour(image: &str) -> Behaviour {
    let (repo, tag) = repo_and_tag(image);
    if image.trim().is_empty()
        || image.contains(' ')
        || tag == "does-not-exist"
        || tag.starts_with("missing")
        || repo.ends_with("/does-not-exist")
    {
        return Behaviour::PullError;
    }
    if (repo == "flextime/api" && tag == "v2.4.0")
        || tag.contains("crash")
        || tag.contains("broken")
    {
        return Behaviour::CrashLoop;
    }
    Behaviour::Serves
}

/// How a batch container runs: simulated seconds, and whether it succeeds.
pub fn job_run(image: &str, pod_name: &str) -> (f64, bool) {
    match app_for_image(image) {
        App::BackupTool => {
            if pod_name.starts_with("volume-snapshot") {
                (40.0, true)
            } else if pod_name.starts_with("application-backup") {
                (30.0, true)
            } else {
                (55.0, true)
            }
        }
        _ => {
            let (_, tag) = repo_and_tag(image);
            (20.0, !(tag.contains("fail") || tag.contains("broken")))
        }
    }
}

/// A request arriving at a pod through the proxy.
pub struct HttpReq<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub body: &'a Bytes,
}

/// A pod's answer; `None` from [`serve`] means nothing listens on that port.
pub struct HttpResp {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl HttpResp {
    pub fn json(status: u16, v: &Value) -> HttpResp {
        HttpResp {
            status,
            content_type: "application/json",
            body: serde_json::to_vec(v).unwrap_or_default(),
        }
    }
    pub fn text(status: u16, s: impl Into<String>) -> HttpResp {
        HttpResp {
            status,
            content_type: "text/plain; charset=utf-8",
            body: s.into().into_bytes(),
        }
    }
    pub fn not_found() -> HttpResp {
        HttpResp::text(404, "404 page not found\n")
    }
    pub fn method_not_allowed() -> HttpResp {
        HttpResp::text(405, "Method Not Allowed\n")
    }
}

/// Everything a pod's handler may look at.
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub world: &'a mut World,
    pub pod: &'a Value,
    pub container: &'a Value,
}

impl Ctx<'_> {
    pub fn pod_key(&self) -> String {
        format!(
            "{}/{}",
            super::obj::namespace(self.pod),
            super::obj::name(self.pod)
        )
    }
    pub fn image(&self) -> &str {
        self.container["image"].as_str().unwrap_or("")
    }
    pub fn version(&self) -> String {
        let (_, tag) = repo_and_tag(self.image());
        tag.trim_start_matches('v').to_string()
    }
}

/// Dispatches a request to the app in `ctx.container` on `port`.
pub fn serve(ctx: &mut Ctx, port: u16, req: &HttpReq) -> Option<HttpResp> {
    let app = app_for_image(ctx.image());
    match app {
        App::FlexApi => flextime::api(ctx, req),
        App::HealthSidecar => flextime::sidecar(ctx, req),
        App::Alertmanager | App::Prometheus | App::Grafana => monitoring::serve(app, ctx, req),
        App::Redis | App::Postgres | App::BackupTool => None,
        _ => services::serve(app, ctx, port, req),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_map_to_apps_and_behaviours() {
        assert_eq!(app_for_image("flextime/api:v2.3.0"), App::FlexApi);
        assert_eq!(app_for_image("docker.io/redis:7-alpine"), App::Redis);
        assert_eq!(app_for_image("localhost:5000/thing"), App::Generic);
        assert_eq!(behaviour("flextime/api:v2.3.0"), Behaviour::Serves);
        assert_eq!(behaviour("flextime/api:v2.4.0"), Behaviour::CrashLoop);
        assert_eq!(behaviour("nginx:does-not-exist"), Behaviour::PullError);
        assert_eq!(behaviour("nginx"), Behaviour::Serves);
        assert_eq!(
            repo_and_tag("localhost:5000/x/y:1.2"),
            ("localhost:5000/x/y", "1.2")
        );
    }
}
