//! Hostile inputs shared by the property tests and the reliability report: the
//! strategies that generate them and what must hold for each parser (no panic, and
//! the parser's own promises).
#![allow(dead_code)]

use kdeck::app::command::Command;
use kdeck::config::file::Config;
use kdeck::config::keymap::Keymap;
use kdeck::config::theme::Theme;
use kdeck::util::sanitize;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use unicode_width::UnicodeWidthStr;

pub fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

/// Text that looks enough like the real thing to get past the first byte: pieces of
/// TOML/YAML/JSON syntax, known keys, escapes, controls, wide and invisible characters.
pub fn hostile(pieces: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(pieces).prop_map(str::to_string),
            1 => any::<String>(),
            1 => prop::sample::select(&[
                "\u{1b}[31m", "\u{1b}]0;x\u{7}", "\u{9b}2J", "\u{202e}", "\u{200d}", "\u{feff}",
                "漢字", "👩\u{200d}👩\u{200d}👧", "e\u{301}", "\n", "\r\n", "\t", "\0", "\"", "'",
                "[", "]", "{", "}", "=", ":", "#", "\\", "\u{7f}", "\u{85}",
            ][..]).prop_map(str::to_string),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

pub const TOML: &[&str] = &[
    "theme = ",
    "keymap = ",
    "readonly = true\n",
    "namespaces = [",
    "\"a\", ",
    "]\n",
    "[probes]\n",
    "interval = \"",
    "5s\"\n",
    "[context.x]\n",
    "protected = ",
    "[[endpoints]]\n",
    "url = \"http://x\"\n",
    "[actions]\n",
    "verify_timeout = \"2m\"\n",
    "[list]\n",
    "[global]\n",
    "\"q\" = \"quit\"\n",
    "\"ctrl-c\" = \"none\"\n",
    "\"x\" = \"actions\"\n",
    "inherits = \"light\"\n",
    "[styles]\n",
    "\"text\" = { fg = \"red\" }\n",
    "[palette]\n",
    "exec_timeout = \"3s\"\n",
];

pub const YAML: &[&str] = &[
    "apiVersion: v1\n",
    "kind: Config\n",
    "clusters:\n",
    "- name: c\n",
    "  cluster:\n",
    "    server: https://127.0.0.1:6443\n",
    "contexts:\n",
    "  context: {cluster: c, user: u}\n",
    "current-context: c\n",
    "users:\n",
    "  user:\n",
    "    token: t\n",
    "    exec: {command: x}\n",
    "    insecure-skip-tls-verify: true\n",
    "    certificate-authority-data: AAAA\n",
    "&a ",
    "*a",
    "!!binary ",
    "- ",
    "  ",
    ": ",
    "? ",
];

pub const BODY: &[&str] = &[
    "{",
    "}",
    "\"status\"",
    ":",
    "\"ok\"",
    "\"down\"",
    ",",
    "\"checks\"",
    "[",
    "]",
    "\"breaker\"",
    "\"open\"",
    "# HELP x\n",
    "# TYPE up gauge\n",
    "up 1\n",
    "up{job=\"x\"} 0\n",
    "NaN",
    "+Inf",
    "1e309",
    "-0",
    "\"version\"",
    "\"leader\"",
    "null",
    "true",
];

pub fn config_files_never_panic_and_name_real_lines(text: String) -> Result<(), TestCaseError> {
    let lines = text.lines().count().max(1) + 1;
    match Config::parse("config.toml", &text) {
        Ok((_, warnings)) => {
            for d in warnings {
                prop_assert!(d.line <= lines, "{d}")
            }
        }
        Err(errors) => {
            prop_assert!(!errors.is_empty());
            for d in errors {
                prop_assert!(d.line <= lines, "{d}")
            }
        }
    }
    let mut k = Keymap::<Command>::builtin("default").expect("keymap");
    let before = k.clone();
    if k.merge("keymap.toml", &text).is_err() {
        prop_assert!(k == before, "a failed merge changes nothing");
    }
    prop_assert_eq!(
        k.command(
            kdeck::config::keymap::Mode::List,
            &kdeck::config::keymap::Key::ctrl('c')
        ),
        Some(Command::Quit)
    );
    let _ = Theme::parse("mine.toml", &text, "mine", &|_| None, false);
    Ok(())
}

pub fn kubeconfigs_never_panic(text: String) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("kc.yaml");
    std::fs::write(&p, &text).expect("write");
    if let Ok(kc) = kdeck::cluster::contexts::load(Some(&p)) {
        let _ = kdeck::cluster::contexts::select(&kc, &[], &[]);
        let _ = kdeck::cluster::contexts::select(&kc, &["c".into(), "nope".into()], &[]);
    }
    Ok(())
}

pub fn health_bodies_and_alerts_never_panic(text: String, json: bool) -> Result<(), TestCaseError> {
    let ct = json.then_some("application/json");
    if let Ok(Some(d)) = kdeck::probe::body::parse(ct, text.as_bytes()) {
        let _ = d.state();
        prop_assert!(d.checks.len() <= 64);
    }
    let _ = kdeck::probe::alerts::parse(text.as_bytes());
    Ok(())
}

pub fn sanitised_text_is_inert_and_measures_as_drawn(
    s: String,
    max: usize,
) -> Result<(), TestCaseError> {
    let out = sanitize::line(&s, max);
    prop_assert!(!out.chars().any(|c| c.is_control()), "{out:?}");
    prop_assert!(
        !out.contains(['\u{200b}', '\u{200d}', '\u{2060}', '\u{feff}', '\u{202e}']),
        "{out:?}"
    );
    let graphemes =
        unicode_segmentation::UnicodeSegmentation::graphemes(out.as_str(), true).count();
    prop_assert!(
        graphemes <= max + 1,
        "{graphemes} graphemes for max {max}: {out:?}"
    );
    // Measured width equals the sum of what each grapheme occupies.
    let sum: usize = unicode_segmentation::UnicodeSegmentation::graphemes(out.as_str(), true)
        .map(|g| g.width())
        .sum();
    prop_assert_eq!(out.width(), sum, "{:?}", out);
    // Idempotent: clean text passes as it is.
    prop_assert_eq!(sanitize::line(&out, max + 1), out.clone());
    Ok(())
}

pub fn the_audit_reader_never_panics_and_never_calls_a_damaged_log_intact(
    n: u32,
    cut: prop::sample::Index,
    junk: String,
) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut log = kdeck::audit::AuditLog::open(dir.path()).expect("log");
    for i in 0..n {
        let mut r = kdeck::audit::Record::new(
            &format!("a{i}"),
            kdeck::audit::Phase::Intent,
            kdeck::audit::Actor::here("u", "c", "https://x"),
            "scale",
            "deploy/x",
        );
        r.params = serde_json::json!({ "replicas": i });
        log.append(r).expect("append");
    }
    let p = dir.path().join("audit.jsonl");
    let mut bytes = std::fs::read(&p).expect("read");
    // Replace one byte somewhere inside a record with junk.
    let at = cut.index(bytes.len());
    let original = bytes.clone();
    let junk = if junk.is_empty() {
        "x".to_string()
    } else {
        junk
    };
    bytes.splice(at..(at + 1).min(bytes.len()), junk.bytes());
    std::fs::write(&p, &bytes).expect("write");
    let r = kdeck::audit::verify::verify(dir.path()).expect("verify runs");
    if bytes != original && r.bad.is_none() && r.torn.is_empty() {
        // Only an edit JSON does not see (whitespace) can pass: the content is
        // what is hashed.
        let a: Vec<serde_json::Value> = String::from_utf8_lossy(&original)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let b: Vec<serde_json::Value> = String::from_utf8_lossy(&bytes)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        prop_assert_eq!(a, b, "a changed record verified as intact");
    }
    let _ = kdeck::audit::export::records(dir.path());
    Ok(())
}
