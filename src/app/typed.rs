//! The `:` command line: jump to a view (`:pods`, `:hpa`), narrow to a namespace or
//! context (`:ns flagwise`, `:ctx prod`, `:ns all`), quit (`:q`), help. Tab completes
//! the word under the cursor from views, namespaces and contexts.

use super::lists::ListView;

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
    if let Some(v) = ListView::from_command(first) {
        // `:pods flagwise` also narrows to a namespace, like k9s.
        return Ok(Typed::View(v, arg.map(|a| all_or(Some(a)))));
    }
    match first {
        "ns" | "namespace" => Ok(Typed::Namespace(all_or(arg))),
        "ctx" | "context" => Ok(Typed::Context(all_or(arg))),
        "q" | "quit" | "q!" => Ok(Typed::Quit),
        "audit" => Ok(Typed::Audit),
        "help" | "?" => Ok(Typed::Help),
        other => Err(format!(
            "unknown command {other:?} (try :pods, :overview, :ns NAME, :ctx NAME, :q)"
        )),
    }
}

/// Candidates for completing `line`: whole-line replacements.
pub fn complete(line: &str, namespaces: &[String], contexts: &[String]) -> Vec<String> {
    let trailing_space = line.ends_with(' ');
    let words: Vec<&str> = line.split_whitespace().collect();
    match (words.as_slice(), trailing_space) {
        ([], _) | ([_], false) => {
            let prefix = words.first().copied().unwrap_or("");
            let mut c: Vec<String> = ListView::ALL
                .iter()
                .map(|v| v.commands()[0])
                .chain(VERBS.iter().copied())
                .filter(|w| w.starts_with(prefix))
                .map(String::from)
                .collect();
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
        assert!(parse("frobnicate").unwrap_err().contains("unknown command"));
        assert!(parse("   ").is_err());
    }

    #[test]
    fn completion() {
        let ns = vec![
            "flagwise".to_string(),
            "fleet-q".to_string(),
            "production".to_string(),
        ];
        let ctx = vec!["kdeck-sim".to_string()];
        assert_eq!(complete("po", &ns, &ctx), vec!["pods"]);
        assert_eq!(
            complete("ns fl", &ns, &ctx),
            vec!["ns flagwise", "ns fleet-q"]
        );
        assert_eq!(
            common_prefix(&complete("ns fl", &ns, &ctx)).as_deref(),
            Some("ns fl")
        );
        assert_eq!(complete("ns ", &ns, &ctx).len(), 4);
        assert_eq!(complete("ctx k", &ns, &ctx), vec!["ctx kdeck-sim"]);
        assert!(complete("pods x y", &ns, &ctx).is_empty());
    }
}
