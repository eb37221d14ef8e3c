//! Health probes against hostile and well-behaved loopback servers, configured the
//! way a person configures them (`[[endpoint]]` in config.toml): a server that never
//! answers, one that drips a byte a second, one that sends 10 MB, one that redirects
//! forever, one whose body carries terminal escape sequences — each is classified
//! within its deadline, and the console keeps drawing while they hang. A good
//! endpoint with JSON checks and a header from the environment is judged ok.

mod common;

use std::time::{Duration, Instant};

use kdeck::app::{Console, Event};
use kdeck::config::file::Config;
use kdeck::probe::Msg;
use kdeck::probe::targets::Settings;
use kdeck::probe::{ErrorClass, HealthState};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Copy)]
enum Behaviour {
    Silent,
    Drip,
    Huge,
    Redirect,
    Escapes,
    Good,
}

async fn read_request(s: &mut TcpStream) -> String {
    let mut buf = vec![0u8; 8192];
    let mut got = Vec::new();
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&got).to_string()
}

async fn serve(b: Behaviour) -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let req = read_request(&mut s).await;
                match b {
                    Behaviour::Silent => tokio::time::sleep(Duration::from_secs(600)).await,
                    Behaviour::Drip => {
                        let _ = s
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n")
                            .await;
                        for _ in 0..100 {
                            if s.write_all(b" ").await.is_err() {
                                return;
                            }
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                    Behaviour::Huge => {
                        let size = 10 * 1024 * 1024;
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {size}\r\n\r\n"
                        );
                        let _ = s.write_all(head.as_bytes()).await;
                        let chunk = vec![b'{'; 64 * 1024];
                        for _ in 0..(size / chunk.len()) {
                            if s.write_all(&chunk).await.is_err() {
                                return;
                            }
                        }
                    }
                    Behaviour::Redirect => {
                        // Keep-alive, as a real server: the client may send the next hop
                        // on this connection, and a server that closed it after one answer
                        // would race that request into a reset.
                        let mut req = req;
                        while !req.is_empty() {
                            if s
                                .write_all(b"HTTP/1.1 302 Found\r\nlocation: /again\r\ncontent-length: 0\r\n\r\n")
                                .await
                                .is_err()
                            {
                                return;
                            }
                            req = read_request(&mut s).await;
                        }
                    }
                    Behaviour::Escapes => {
                        let body = "{\"status\":\"degraded\",\"version\":\"\\u001b]0;owned\\u0007\\u001b[2J1.0\",\"checks\":{\"db\\u001b[31m\":{\"status\":\"down\",\"message\":\"\\u001b[?1049lgone\"}}}";
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                            body.len()
                        );
                        let _ = s.write_all(head.as_bytes()).await;
                        let _ = s.write_all(body.as_bytes()).await;
                    }
                    Behaviour::Good => {
                        let authorised = req
                            .lines()
                            .any(|l| l.eq_ignore_ascii_case("authorization: Bearer s3cret"));
                        let (code, body) = if authorised {
                            (
                                "200 OK",
                                r#"{"status":"healthy","version":"1.0.0","database_connected":true,"kafka_connected":true}"#,
                            )
                        } else {
                            ("401 Unauthorized", r#"{"error":"no token"}"#)
                        };
                        let head = format!(
                            "HTTP/1.1 {code}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                            body.len()
                        );
                        let _ = s.write_all(head.as_bytes()).await;
                        let _ = s.write_all(body.as_bytes()).await;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

const NAMES: [(&str, Behaviour); 6] = [
    ("silent", Behaviour::Silent),
    ("drip", Behaviour::Drip),
    ("huge", Behaviour::Huge),
    ("redirect", Behaviour::Redirect),
    ("escapes", Behaviour::Escapes),
    ("good", Behaviour::Good),
];

/// A config.toml naming every server as an `[[endpoint]]`.
async fn config() -> Config {
    let mut text = String::new();
    for (name, b) in NAMES {
        let url = serve(b).await;
        text.push_str(&format!(
            "[[endpoint]]\nname = \"{name}\"\nurl = \"{url}/health\"\ntimeout = \"2s\"\n"
        ));
        if name == "good" {
            text.push_str(
                "checks = { status = [\"healthy\", \"ok\"], kafka_connected = true }\nheaders = { Authorization = { env = \"KDECK_TEST_PROBE_TOKEN\", prefix = \"Bearer \" } }\n",
            );
        }
    }
    let (c, warnings) = Config::parse("config.toml", &text).expect("config parses");
    assert!(warnings.is_empty(), "{warnings:?}");
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_endpoints_are_classified_within_their_deadline() {
    // SAFETY: set before any probe reads it; no other test reads this variable.
    unsafe { std::env::set_var("KDECK_TEST_PROBE_TOKEN", "s3cret") };
    let cfg = config().await;
    let settings = Settings::from(&cfg.probes);
    let targets = kdeck::fleet::probing::configured(&cfg.endpoints, &settings, &[]);
    assert_eq!(targets.len(), NAMES.len());
    let clients = kdeck::probe::http::Clients {
        kube: Default::default(),
        direct: kdeck::probe::http::direct_client().expect("client"),
    };
    let start = Instant::now();
    let msgs = kdeck::probe::once::round(&targets, &[], &clients, &settings).await;
    let whole = start.elapsed();
    let mut verdicts = std::collections::HashMap::new();
    for m in msgs {
        if let Msg::Probed { id, verdict, .. } = m {
            verdicts.insert(id.0.name.to_string(), verdict);
        }
    }
    let v = |n: &str| {
        verdicts
            .get(n)
            .unwrap_or_else(|| panic!("no verdict for {n}"))
    };
    for (name, _) in NAMES {
        // Each answer is judged within its 2 s deadline (plus scheduling slack).
        assert!(v(name).latency_ms <= 3000, "{name}: {:?}", v(name));
    }
    assert!(whole < Duration::from_secs(10), "round took {whole:?}");
    let class = |n: &str| v(n).error.as_ref().map(|e| e.0);
    assert_eq!(
        (v("silent").state, class("silent")),
        (HealthState::Down, Some(ErrorClass::Timeout))
    );
    assert_eq!(class("drip"), Some(ErrorClass::Timeout), "{:?}", v("drip"));
    assert_eq!(class("huge"), Some(ErrorClass::TooLarge), "{:?}", v("huge"));
    assert_eq!(
        class("redirect"),
        Some(ErrorClass::Redirects),
        "{:?}",
        v("redirect")
    );
    // Escape sequences are data, never control: nothing kept holds a control char.
    let esc = v("escapes");
    assert_eq!(esc.state, HealthState::Degraded, "{esc:?}");
    let deep = esc.deep.as_ref().expect("deep health parsed");
    let mut texts = vec![esc.reason(), deep.version.clone().unwrap_or_default()];
    texts.extend(
        deep.checks
            .iter()
            .flat_map(|c| [c.name.clone(), c.detail.clone()]),
    );
    for t in &texts {
        assert!(!t.chars().any(|c| c.is_control()), "{t:?}");
    }
    let good = v("good");
    assert_eq!(
        (good.state, &good.error),
        (HealthState::Ok, &None),
        "{good:?}"
    );
    assert_eq!(
        good.status,
        Some(200),
        "the header came from the environment"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_keeps_drawing_while_probes_hang() {
    let cfg = config().await;
    let settings = Settings::from(&cfg.probes);
    let targets = kdeck::fleet::probing::configured(&cfg.endpoints, &settings, &[]);
    let clients = kdeck::probe::http::Clients {
        kube: Default::default(),
        direct: kdeck::probe::http::direct_client().expect("client"),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let (ttx, trx) = tokio::sync::watch::channel(std::sync::Arc::new(Vec::new()));
    let (_ftx, frx) =
        tokio::sync::watch::channel(std::sync::Arc::new(kdeck::probe::scheduler::Focus::new()));
    let cancel = tokio_util::sync::CancellationToken::new();
    tokio::spawn(kdeck::probe::scheduler::run(
        clients,
        settings,
        trx,
        frx,
        tx,
        cancel.clone(),
    ));
    ttx.send(std::sync::Arc::new(targets)).expect("targets");
    let mut s = Console::new(kdeck::app::State::new(
        Vec::new(),
        kdeck::config::keymap::Keymap::builtin("default").expect("keymap"),
        jiff::Timestamp::now().as_second(),
    ));
    let _ = s.step(Event::Command(kdeck::app::command::Command::ViewHealth));
    let theme = kdeck::config::theme::Theme::builtin("default").expect("theme");
    // Draw for five seconds as the loop would, taking verdicts as they come: the
    // frames never wait on a hanging server.
    let until = Instant::now() + Duration::from_secs(5);
    let mut frames = 0;
    let mut text = String::new();
    while Instant::now() < until {
        while let Ok(m) = rx.try_recv() {
            let _ = s.step(Event::Probe(m));
        }
        let _ = s.step(Event::Refresh);
        text = common::console::render_text(&mut s, 160, 48, &theme);
        frames += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    cancel.cancel();
    assert!(frames > 40, "only {frames} frames in 5 s");
    for (name, _) in NAMES {
        assert!(text.contains(name), "{name} missing:\n{text}");
    }
    assert!(text.contains("timeout"), "{text}");
    assert!(text.contains("too large"), "{text}");
    common::console::assert_inert(&ratatui::buffer::Buffer::with_lines(
        text.lines().collect::<Vec<_>>(),
    ));
}
