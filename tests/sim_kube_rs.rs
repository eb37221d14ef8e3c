//! The console's own client (kube-rs 5) against the simulated cluster: a watcher
//! relists after a forced 410 Expired, bookmarks arrive on a raw watch, and a
//! watcher survives the server going away and coming back.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Cluster, eventually, kube_client};
use futures::StreamExt;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kdeck::sim::{self, Scenario, SimConfig};
use kube::api::{Api, PostParams, WatchEvent, WatchParams};
use kube::runtime::{WatchStreamExt, watcher};

#[derive(Default)]
struct Seen {
    inits: usize,
    names: Vec<String>,
}

fn spawn_namespace_watcher(
    client: kube::Client,
) -> (Arc<Mutex<Seen>>, tokio::task::JoinHandle<()>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let s = seen.clone();
    let task = tokio::spawn(async move {
        let api: Api<Namespace> = Api::all(client);
        let mut stream = watcher(api, watcher::Config::default())
            .default_backoff()
            .boxed();
        while let Some(ev) = stream.next().await {
            let Ok(ev) = ev else { continue };
            let mut s = s.lock().expect("lock");
            match ev {
                watcher::Event::Init => s.inits += 1,
                watcher::Event::InitApply(n) | watcher::Event::Apply(n) => {
                    s.names.push(n.metadata.name.unwrap_or_default());
                }
                _ => {}
            }
        }
    });
    (seen, task)
}

fn new_namespace(name: &str) -> Namespace {
    serde_json::from_value(serde_json::json!({"metadata": {"name": name}})).expect("namespace")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_relists_after_a_forced_410() {
    let c = Cluster::start(Scenario::Calm, 1.0).await;
    let client = kube_client(&c.kubeconfig).await;
    let (seen, task) = spawn_namespace_watcher(client.clone());
    eventually("initial list", Duration::from_secs(20), || async {
        seen.lock()
            .expect("lock")
            .names
            .iter()
            .any(|n| n == "flextime-production")
    })
    .await;
    assert_eq!(seen.lock().expect("lock").inits, 1);
    c.sim.expire_watches();
    let api: Api<Namespace> = Api::all(client);
    api.create(&PostParams::default(), &new_namespace("after-expiry"))
        .await
        .expect("create");
    eventually(
        "a relist that sees the new namespace",
        Duration::from_secs(30),
        || async {
            let s = seen.lock().expect("lock");
            s.inits >= 2 && s.names.iter().any(|n| n == "after-expiry")
        },
    )
    .await;
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bookmarks_reach_kube_rs() {
    let c = Cluster::start_with(SimConfig {
        scenario: Scenario::Calm,
        bookmark_interval: Duration::from_millis(200),
        ..SimConfig::default()
    })
    .await;
    let client = kube_client(&c.kubeconfig).await;
    let pods: Api<Pod> = Api::namespaced(client, "fleet-q");
    let list = pods.list(&Default::default()).await.expect("list");
    let rv = list
        .metadata
        .resource_version
        .expect("list has a resourceVersion");
    let mut stream = pods
        .watch(&WatchParams::default().timeout(3), &rv)
        .await
        .expect("watch")
        .boxed();
    let mut bookmarks = 0;
    let mut last_rv = String::new();
    while let Some(ev) = stream.next().await {
        if let WatchEvent::Bookmark(b) = ev.expect("event decodes") {
            bookmarks += 1;
            last_rv = b.metadata.resource_version;
        }
    }
    assert!(
        bookmarks >= 3,
        "only {bookmarks} bookmarks in 3 s at 200 ms"
    );
    assert!(!last_rv.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_survives_a_server_restart() {
    let c = Cluster::start(Scenario::Calm, 1.0).await;
    let addr = c.sim.addr;
    let client = kube_client(&c.kubeconfig).await;
    let (seen, task) = spawn_namespace_watcher(client.clone());
    eventually("initial list", Duration::from_secs(20), || async {
        seen.lock().expect("lock").inits == 1 && !seen.lock().expect("lock").names.is_empty()
    })
    .await;
    let Cluster { sim, dir, .. } = c;
    // The same cluster comes back: same address, same certificates.
    let tls = sim.tls().map_or(sim::Tls::Plain, sim::Tls::Given);
    sim.shutdown().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let again = Cluster::start_again(addr, tls).await;
    let api: Api<Namespace> = Api::all(client);
    eventually(
        "the new server answers",
        Duration::from_secs(20),
        || async {
            api.create(&PostParams::default(), &new_namespace("after-restart"))
                .await
                .is_ok()
        },
    )
    .await;
    eventually(
        "the watcher relists from the new server",
        Duration::from_secs(40),
        || async {
            let s = seen.lock().expect("lock");
            s.inits >= 2 && s.names.iter().any(|n| n == "after-restart")
        },
    )
    .await;
    task.abort();
    again.shutdown().await;
    drop(dir);
}
