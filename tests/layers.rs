//! The layers only go down: every `crate::…` path in the library's code (not its
//! test modules and fixtures) names a module of a lower layer than its own file's.
//!
//! ```text
//! cli → ui → app → actions → fleet → probe → {cluster, audit, config} → util
//!                                                        sim → util (only cli uses sim)
//! ```
//! `cluster`, `audit` and `config` are peers and import none of each other.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each top-level module and the modules it may import.
fn allowed() -> BTreeMap<&'static str, Vec<&'static str>> {
    let base = ["util", "alloc"];
    let ground = ["cluster", "audit", "config"];
    let mut m: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    m.insert("util", vec![]);
    m.insert("alloc", vec![]);
    for g in ground {
        m.insert(g, base.to_vec());
    }
    let mut below: Vec<&str> = base.iter().chain(ground.iter()).copied().collect();
    for layer in ["probe", "fleet", "actions", "app", "ui"] {
        m.insert(layer, below.clone());
        below.push(layer);
    }
    m.insert("sim", base.to_vec());
    let mut all = below.clone();
    all.push("sim");
    m.insert("cli", all);
    m
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments and without its test module.
fn code(text: &str) -> String {
    if text.contains("#![cfg(test)]") {
        return String::new();
    }
    let body = match text.find("#[cfg(test)]\nmod ") {
        Some(i) => &text[..i],
        None => text,
    };
    body.lines()
        .map(|l| {
            // Cut a `//` comment that is not inside a string literal.
            let mut in_str = false;
            let b = l.as_bytes();
            for i in 0..b.len() {
                match b[i] {
                    b'"' if i == 0 || b[i - 1] != b'\\' => in_str = !in_str,
                    b'/' if !in_str && b.get(i + 1) == Some(&b'/') => return &l[..i],
                    _ => {}
                }
            }
            l
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let allowed = allowed();
    let mut bad = Vec::new();
    let mut checked = 0;
    for f in files {
        let rel = f.strip_prefix(&src).expect("under src");
        let mut parts = rel.components();
        let first = parts
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or("")
            .trim_end_matches(".rs")
            .to_string();
        if first == "lib" || first == "main" || rel.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let Some(may) = allowed.get(first.as_str()) else {
            bad.push(format!(
                "{}: a top-level module the layers do not name",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&f).expect("read");
        let code = code(&text);
        for (n, line) in code.lines().enumerate() {
            for (i, _) in line.match_indices("crate::") {
                let rest = &line[i + 7..];
                let target: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if target.is_empty() || target == first {
                    continue;
                }
                checked += 1;
                if !may.contains(&target.as_str()) {
                    bad.push(format!(
                        "{}:{}: {first} imports {target}, a layer above it or a peer: {}",
                        rel.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        checked > 200,
        "only {checked} imports seen: is the source tree there?"
    );
    assert!(
        bad.is_empty(),
        "{} upward imports:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn the_check_catches_an_upward_import() {
    // The rule itself, on a made-up file: probe reaching up into fleet is caught.
    let text = "use crate::fleet::Fleet; // a comment crate::ui\n";
    let stripped = code(text);
    assert!(stripped.contains("crate::fleet"));
    assert!(!stripped.contains("crate::ui"), "comments are not imports");
    assert!(!allowed()["probe"].contains(&"fleet"));
    assert!(allowed()["fleet"].contains(&"probe"));
    assert!(
        !allowed()["cluster"].contains(&"config"),
        "peers stay apart"
    );
    assert!(
        !allowed()["app"].contains(&"sim"),
        "only the command line reaches the simulator"
    );
    let test_module =
        "use crate::cluster::X;\n#[cfg(test)]\nmod tests {\n use crate::app::testkit;\n}\n";
    assert!(!code(test_module).contains("crate::app"));
}
