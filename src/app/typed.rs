//! The `:` command line: jump to a view (`:pods`, `:hpa`) or to any resource by the
//! names `kubectl get` accepts (`:cm`, `:ingresses`, `:rollouts.argoproj.io`,
//! `:leases`), narrow to a namespace or context (`:ns flagwise`, `:ctx prod`,
//! `:ns all`), quit (`:q`), help, the audit log. Tab completes the word under the
//! cursor from views, resource names (including those the servers discovered),
//! namespaces and contexts.

use super::lists::ListView;
use crate::cluster::kinds::ResKind;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Typed {
    /// Switch to a view; `:pods flagwise` also narrows to a namespace (`Some(None)`:
    /// all namespaces).
    View(ListView, Option<Option<String>>),
    Namespace(Option<String>),
    Context(Option<String>),
    Quit,
    Help,
    /// The audit log view.
    Audit,
    /// `:timeline`.
    Timeline,
    /// The port-forwards view.
    Forwards,
    /// A resource kdeck has no view of its own for (a custom resource, leases…):
    /// browsed through the server's Table output once discovery resolves the name.
    Resource(String, Option<Option<String>>),
}

const VERBS: &[&str] = &[
    "ns",
    "namespace",
    "ctx",
    "context",
    "quit",
    "q",
    "help",
    "audit",
    "pf",
    "forwards",
];

fn all_or(arg: Option<&str>) -> Option<String> {
    match arg {
        None | Some("all") | Some("*") | Some("-A") => None,
        Some(a) => Some(a.to_string()),
    }
}

pub fn parse(line: &str) -> Result<Typed, String> {
    let mut words = line.split_whitespace();
    let Some(first) = words.next() else {
        return Err("empty command".into());
    };
    let arg = words.next();
    let ns = arg.map(|a| all_or(Some(a)));
    if let Some(v) = ListView::from_command(first) {
        // `:pods flagwise` also narrows to a namespace, like k9s.
        return Ok(Typed::View(v, ns));
    }
    match first {
        "ns" | "namespace" => return Ok(Typed::Namespace(all_or(arg))),
        "ctx" | "context" => return Ok(Typed::Context(all_or(arg))),
        "q" | "quit" | "q!" => return Ok(Typed::Quit),
        "audit" => return Ok(Typed::Audit),
        "timeline" | "tl" => return Ok(Typed::Timeline),
        "pf" | "forwards" | "portforwards" | "port-forwards" => return Ok(Typed::Forwards),
        "help" | "?" => return Ok(Typed::Help),
        _ => {}
    }
    if let Some(k) = ResKind::named(first) {
        return Ok(Typed::View(ListView::of_kind(k), ns));
    }
    let resource = first.to_ascii_lowercase();
    if resource
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return Ok(Typed::Resource(resource, ns));
    }
    Err(format!(
        "unknown command {first:?} (try :pods, :overview, :cm, :ns NAME, :ctx NAME, :q)"
    ))
}

/// Candidates for completing `line`: whole-line replacements. `resources`: names
/// the servers serve beyond kdeck's own views (their plurals).
pub fn complete(
    line: &str,
    namespaces: &[String],
    contexts: &[String],
    resources: &[String],
) -> Vec<String> {
    let trailing_space = line.ends_with(' ');
    let words: Vec<&str> = line.split_whitespace().collect();
    match (words.as_slice(), trailing_space) {
        ([], _) | ([_], false) => {
            let prefix = words.first().copied().unwrap_or("");
            let mut c: Vec<String> = ListView::ALL
                .iter()
                .map(|v| v.commands()[0])
                .chain(VERBS.iter().copied())
                .chain(ResKind::ALL.iter().map(|k| k.info().plural))
                .chain(resources.iter().map(String::as_str))
                .filter(|w| w.starts_with(prefix))
                .map(String::from)
                .collect();
            c.sort();
            c.dedup();
            c
        }
        ([verb], true) | ([verb, _], false) => {
            let prefix = if trailing_space { "" } else { words[1] };
            let pool: Vec<String> = match *verb {
                "ns" | "namespace" => std::iter::once("all".to_string())
                    .chain(namespaces.iter().cloned())
                    .collect(),
                "ctx" | "context" => std::iter::once("all".to_string())
                    .chain(contexts.iter().cloned())
                    .collect(),
                // A view or a kind takes a namespace too (`:pods flagwise`).
                v if ListView::from_command(v).is_some() || ResKind::named(v).is_some() => {
                    std::iter::once("all".to_string())
                        .chain(namespaces.iter().cloned())
                        .collect()
                }
                _ => Vec::new(),
            };
            pool.into_iter()
                .filter(|p| p.starts_with(prefix))
                .map(|p| format!("{verb} {p}"))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The names in `pool` closest to `word`, best first (at most 3): those it is a
/// prefix or a part of, then those a few edits away.
pub fn close_matches(word: &str, pool: &[String]) -> Vec<String> {
    let w = word.to_lowercase();
    let mut scored: Vec<(usize, &String)> = pool
        .iter()
        .filter_map(|p| {
            let l = p.to_lowercase();
            let score = if l.starts_with(&w) {
                0
            } else if l.contains(&w) {
                1
            } else {
                let d = edit_distance(&w, &l);
                if d > 3.max(w.len() / 3) {
                    return None;
                }
                2 + d
            };
            Some((score, p))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, p)| p.clone()).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Splits `-l SELECTOR` off a command line: (the rest, the selector).
pub fn label_selector(line: &str) -> (String, Option<String>) {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.iter().position(|w| *w == "-l" || *w == "--selector") {
        Some(i) => {
            let sel = words.get(i + 1).map(|s| s.to_string());
            let mut rest: Vec<&str> = words[..i].to_vec();
            rest.extend(words.iter().skip(i + 2));
            (rest.join(" "), sel.or(Some(String::new())))
        }
        None => (line.to_string(), None),
    }
}

/// The longest common prefix of candidates (what Tab inserts when ambiguous).
pub fn common_prefix(c: &[String]) -> Option<String> {
    let first = c.first()?;
    let mut len = first.len();
    for s in &c[1..] {
        len = len.min(
            first
                .bytes()
                .zip(s.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    Some(first[..first.floor_char_boundary(len)].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_and_label_selectors() {
        let pool: Vec<String> = [
            "flextime-production",
            "flextime-monitoring",
            "flagwise",
            "fleet-q",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            close_matches("flextime-p", &pool),
            vec!["flextime-production".to_string()]
        );
        assert_eq!(
            close_matches("flagwize", &pool),
            vec!["flagwise".to_string()]
        );
        assert!(close_matches("payments", &pool).is_empty());
        assert_eq!(
            label_selector("pods -l app=dashboard"),
            ("pods".to_string(), Some("app=dashboard".to_string()))
        );
        assert_eq!(
            label_selector("pods flagwise -l app=x,tier!=web"),
            (
                "pods flagwise".to_string(),
                Some("app=x,tier!=web".to_string())
            )
        );
        assert_eq!(label_selector("pods"), ("pods".to_string(), None));
        assert_eq!(
            complete("pods flex", &pool, &[], &[]),
            vec![
                "pods flextime-production".to_string(),
                "pods flextime-monitoring".to_string()
            ]
        );
    }

    #[test]
    fn commands_parse() {
        assert_eq!(parse("pods"), Ok(Typed::View(ListView::Pods, None)));
        assert_eq!(
            parse("po flagwise"),
            Ok(Typed::View(ListView::Pods, Some(Some("flagwise".into()))))
        );
        assert_eq!(
            parse("hpa all"),
            Ok(Typed::View(ListView::Hpas, Some(None)))
        );
        assert_eq!(
            parse("ns flagwise"),
            Ok(Typed::Namespace(Some("flagwise".into())))
        );
        assert_eq!(parse("ns all"), Ok(Typed::Namespace(None)));
        assert_eq!(parse("ns"), Ok(Typed::Namespace(None)));
        assert_eq!(parse("ctx prod"), Ok(Typed::Context(Some("prod".into()))));
        assert_eq!(parse("q"), Ok(Typed::Quit));
        assert_eq!(parse("audit"), Ok(Typed::Audit));
        assert_eq!(
            parse("frobnicate"),
            Ok(Typed::Resource("frobnicate".into(), None))
        );
        assert!(parse("fr*b").unwrap_err().contains("unknown command"));
        assert!(parse("   ").is_err());
        // First-class kinds by any name kubectl accepts; the fleet's own views first.
        assert_eq!(
            parse("cm"),
            Ok(Typed::View(ListView::Kind(ResKind::ConfigMap), None))
        );
        assert_eq!(
            parse("ingresses.networking.k8s.io team"),
            Ok(Typed::View(
                ListView::Kind(ResKind::Ingress),
                Some(Some("team".into()))
            ))
        );
        assert_eq!(
            parse("namespaces"),
            Ok(Typed::View(ListView::Kind(ResKind::Namespace), None))
        );
        assert_eq!(parse("svc"), Ok(Typed::View(ListView::Services, None)));
        assert_eq!(
            parse("rollouts.argoproj.io"),
            Ok(Typed::Resource("rollouts.argoproj.io".into(), None))
        );
    }

    #[test]
    fn completion() {
        let ns = vec![
            "flagwise".to_string(),
            "fleet-q".to_string(),
            "production".to_string(),
        ];
        let ctx = vec!["kdeck-sim".to_string()];
        assert_eq!(
            complete("po", &ns, &ctx, &[]),
            vec!["poddisruptionbudgets", "pods"]
        );
        assert_eq!(
            complete("ro", &ns, &ctx, &["rollouts".to_string()]),
            vec!["rollouts"]
        );
        assert_eq!(
            complete("ns fl", &ns, &ctx, &[]),
            vec!["ns flagwise", "ns fleet-q"]
        );
        assert_eq!(
            common_prefix(&complete("ns fl", &ns, &ctx, &[])).as_deref(),
            Some("ns fl")
        );
        assert_eq!(complete("ns ", &ns, &ctx, &[]).len(), 4);
        assert_eq!(complete("ctx k", &ns, &ctx, &[]), vec!["ctx kdeck-sim"]);
        assert!(complete("pods x y", &ns, &ctx, &[]).is_empty());
    }
}
