//! How the console reads a kind's initial state, as fast as the server allows: a
//! streaming list (WatchList) on a current server, one cached `resourceVersion=0`
//! list where streaming lists are refused, pages where the server pages anyway —
//! each proved by the requests the simulated cluster counted. The semantics the
//! simulated cluster serves are proved with real kubectl.

mod common;

use std::time::Duration;

use common::{Cluster, kube_client};
use kdeck::cluster::kinds::{Pod, ResKind};
use kdeck::cluster::link::{Link, ListMode};
use kdeck::cluster::msg::{FeedStatus, Msg};
use kdeck::sim::{ListSemantics, RequestClass, Scenario, SimConfig};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// 30 namespaces × 25 pods: 750 pods, more than one page of 500.
fn fleet(lists: ListSemantics) -> SimConfig {
    SimConfig {
        scenario: Scenario::Large {
            namespaces: 30,
            pods_per_namespace: 25,
            churn_per_sec: 0.0,
        },
        lists,
        ..SimConfig::default()
    }
}

fn count(c: &Cluster, class: RequestClass) -> u64 {
    c.sim
        .stats()
        .classes()
        .into_iter()
        .find(|(k, _)| *k == class)
        .map(|(_, n)| n)
        .unwrap_or(0)
}

/// Runs the console's pod watcher until its state arrives and it says live; returns
/// how many pods the listing held and the link (which learned the list mode).
async fn first_listing(c: &Cluster) -> (usize, Link) {
    let client = kube_client(&c.kubeconfig).await;
    let link = Link::ready(client);
    let (tx, mut rx) = mpsc::channel::<Msg>(64);
    let cancel = CancellationToken::new();
    let task = tokio::spawn(kdeck::cluster::watch::run::<Pod, Msg>(
        link.clone(),
        0,
        None,
        tx,
        cancel.clone(),
    ));
    let mut listed = None;
    let got = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(m) = rx.recv().await {
            match m {
                Msg::Relisted { listing, .. } => {
                    assert_eq!(listing.kind(), ResKind::Pod);
                    listed = Some(listing.len());
                }
                Msg::Feed {
                    status: FeedStatus::Live,
                    ..
                } if listed.is_some() => return,
                Msg::Feed {
                    status: FeedStatus::Live,
                    ..
                } => panic!("live before the state arrived"),
                Msg::Feed { status, .. } => panic!("the pod feed failed: {status:?}"),
                _ => {}
            }
        }
    })
    .await;
    cancel.cancel();
    let _ = task.await;
    assert!(got.is_ok(), "no listing within 30 s");
    (listed.unwrap_or(0), link)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_current_server_streams_the_initial_state_on_the_watch() {
    let c = Cluster::start_with(fleet(ListSemantics::Full)).await;
    let pods = c
        .sim
        .with_state(|s| s.store.list(kdeck::sim::kinds::Kind::Pod, None).len());
    assert!(pods > 500, "the fleet is more than one page: {pods}");
    let (lists_before, watches_before) = (
        count(&c, RequestClass::List),
        count(&c, RequestClass::Watch),
    );
    let (listed, link) = first_listing(&c).await;
    assert_eq!(listed, pods, "every pod arrived as initial events");
    assert_eq!(link.list_mode(), ListMode::Streaming);
    assert_eq!(
        count(&c, RequestClass::List) - lists_before,
        0,
        "no list request at all"
    );
    assert_eq!(
        count(&c, RequestClass::Watch) - watches_before,
        1,
        "one watch"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_streaming_lists_one_cached_list_replaces_the_pages() {
    let c = Cluster::start_with(fleet(ListSemantics::NoWatchList)).await;
    let pods = c
        .sim
        .with_state(|s| s.store.list(kdeck::sim::kinds::Kind::Pod, None).len());
    let lists_before = count(&c, RequestClass::List);
    let (listed, link) = first_listing(&c).await;
    assert_eq!(listed, pods);
    assert_eq!(link.list_mode(), ListMode::Cached, "stepped down once");
    assert_eq!(
        count(&c, RequestClass::List) - lists_before,
        1,
        "one request for {pods} pods, not pages of 500"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_ignores_streaming_lists_is_listed_once_it_goes_quiet() {
    let c = Cluster::start_with(fleet(ListSemantics::IgnoresWatchList)).await;
    let pods = c
        .sim
        .with_state(|s| s.store.list(kdeck::sim::kinds::Kind::Pod, None).len());
    let lists_before = count(&c, RequestClass::List);
    let t = std::time::Instant::now();
    let (listed, link) = first_listing(&c).await;
    assert_eq!(listed, pods, "the cached list, whole");
    assert_eq!(link.list_mode(), ListMode::Cached, "stepped down");
    assert_eq!(count(&c, RequestClass::List) - lists_before, 1);
    // The synthetic ADDED events alone never made a listing: it came after the
    // stream went quiet without the bookmark that ends a streaming list.
    assert!(t.elapsed() >= Duration::from_secs(5), "{:?}", t.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_busy_server_an_ignored_streaming_list_is_seen_by_its_first_change() {
    let mut cfg = fleet(ListSemantics::IgnoresWatchList);
    cfg.scenario = Scenario::Large {
        namespaces: 30,
        pods_per_namespace: 25,
        churn_per_sec: 20.0,
    };
    let c = Cluster::start_with(cfg).await;
    let t = std::time::Instant::now();
    let (listed, link) = first_listing(&c).await;
    assert!(listed > 500);
    assert_eq!(link.list_mode(), ListMode::Cached);
    // Changes never let the stream go quiet: the first MODIFIED before the end
    // bookmark gives it away, well before the quiet limit.
    assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_either_is_read_page_by_page() {
    let c = Cluster::start_with(fleet(ListSemantics::Paged)).await;
    let pods = c
        .sim
        .with_state(|s| s.store.list(kdeck::sim::kinds::Kind::Pod, None).len());
    let lists_before = count(&c, RequestClass::List);
    let (listed, link) = first_listing(&c).await;
    assert_eq!(listed, pods, "every page was read");
    assert_eq!(link.list_mode(), ListMode::Paged);
    assert_eq!(
        count(&c, RequestClass::List) - lists_before,
        1 + pods.div_ceil(500) as u64,
        "the refused cached list, then pages of 500"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_sees_the_list_semantics_of_a_real_server() {
    let c = Cluster::start_with(fleet(ListSemantics::Full)).await;
    let pods = c
        .sim
        .with_state(|s| s.store.list(kdeck::sim::kinds::Kind::Pod, None).len());
    for v in ["1.31", "1.33"] {
        let k = c.kubectl(v);
        // resourceVersion=0: from the cache, whole, `limit` not applied.
        let out = k
            .run(&["get", "--raw", "/api/v1/pods?resourceVersion=0&limit=10"])
            .await;
        let list: serde_json::Value = serde_json::from_str(out.out()).expect("json");
        assert_eq!(list["items"].as_array().map(Vec::len), Some(pods), "{v}");
        assert!(list["metadata"]["continue"].is_null(), "{v}");
        // Without it, `limit` pages.
        let out = k.run(&["get", "--raw", "/api/v1/pods?limit=10"]).await;
        let page: serde_json::Value = serde_json::from_str(out.out()).expect("json");
        assert_eq!(page["items"].as_array().map(Vec::len), Some(10), "{v}");
        assert!(page["metadata"]["continue"].is_string(), "{v}");
        // A streaming list: every pod as ADDED, then the bookmark that ends them.
        let out = k.run(&[
            "get",
            "--raw",
            "/api/v1/namespaces/team-0003/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1",
        ]).await;
        let events: Vec<serde_json::Value> = out
            .out()
            .lines()
            .map(|l| serde_json::from_str(l).expect("event line"))
            .collect();
        let added = events.iter().take_while(|e| e["type"] == "ADDED").count();
        assert_eq!(added, 25, "{v}: the namespace's pods first");
        let end = &events[added];
        assert_eq!(end["type"], "BOOKMARK", "{v}");
        assert_eq!(
            end["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"], "true",
            "{v}"
        );
        // Asked without resourceVersionMatch, as a real server refuses it.
        let out = k
            .run(&[
                "get",
                "--raw",
                "/api/v1/pods?watch=true&sendInitialEvents=true&allowWatchBookmarks=true",
            ])
            .await;
        assert!(
            out.err().contains("resourceVersionMatch"),
            "{v}: {}",
            out.stderr
        );
        // resourceVersionMatch on a plain watch is refused too.
        let out = k
            .run(&[
                "get",
                "--raw",
                "/api/v1/pods?watch=true&resourceVersion=0&resourceVersionMatch=NotOlderThan",
            ])
            .await;
        assert!(
            out.err().contains("forbidden for watch"),
            "{v}: {}",
            out.stderr
        );
    }
}
