//! Exec in a container — one command with its output in a pane, or an interactive
//! shell the console suspends for — guarded as a change: `create pods/exec` is
//! checked, read-only disables it, protected scopes take the pod's name typed, a
//! configured deny list refuses commands that match, and the intent is recorded
//! before anything runs. The record holds who, where, the command (for a shell:
//! the shell), the exit code and the bytes each way — never keystrokes or output.

use serde_json::json;

use super::run::{self, Executed};
use super::{Plan, Progress, Request, Risk};
use crate::audit::{Outcome, Preflight};
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;

/// Longest a one-shot command may run before kdeck stops waiting.
pub const COMMAND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Splits a command line into words: spaces separate, single and double quotes
/// group, a backslash escapes the next character. An unclosed quote is an error.
pub fn words(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    in_word = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("unclosed quote".into());
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

/// Whether `command` matches one of the deny patterns (`*` matches anything, the
/// rest literally, case-insensitive). It is matched as typed, and also as parsed —
/// words joined by single spaces, the program by its base name (`/bin/rm`, `'rm'`
/// and `\rm` are `rm`) — and so is a script given to `sh -c` / `bash -c`. A guard
/// against mistakes at 3 a.m., not a security boundary: what is typed inside a
/// shell is not seen.
pub fn denied<'a>(command: &str, deny: &'a [String]) -> Option<&'a str> {
    let mut forms = vec![command.trim().to_lowercase()];
    let mut queue = vec![command.to_string()];
    let mut depth = 0;
    while let Some(line) = queue.pop() {
        depth += 1;
        if depth > 8 {
            break;
        }
        let Ok(mut w) = words(&line) else { continue };
        if let Some(first) = w.first_mut() {
            *first = first.rsplit('/').next().unwrap_or(first).to_string();
        }
        forms.push(w.join(" ").to_lowercase());
        if let [sh, flag, script, ..] = w.as_slice()
            && matches!(sh.as_str(), "sh" | "bash" | "ash" | "dash" | "zsh")
            && flag.starts_with('-')
            && flag.contains('c')
        {
            queue.push(script.clone());
        }
    }
    deny.iter()
        .find(|p| {
            let p = p.trim().to_lowercase();
            forms.iter().any(|f| glob(&p, f))
        })
        .map(String::as_str)
}

fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

fn pod_exists(d: &ClusterData, namespace: &str, pod: &str) -> bool {
    d.kinds
        .pods
        .contains_key(&(std::sync::Arc::from(namespace), std::sync::Arc::from(pod)))
}

/// Plans one command in `container` of `pod`.
pub fn plan_command(
    d: &ClusterData,
    ctx: CtxId,
    namespace: &str,
    pod: &str,
    container: &str,
    line: &str,
    deny: &[String],
) -> Result<Plan, String> {
    if !pod_exists(d, namespace, pod) {
        return Err(format!("pod/{pod} is gone"));
    }
    let command = words(line).map_err(|e| format!("command: {e}"))?;
    if command.is_empty() {
        return Err("type a command to run".into());
    }
    let mut p = Plan::new("exec", ctx, namespace, format!("pod/{pod}"));
    p.risk = Risk::Medium;
    p.before = format!("container {container}");
    p.after = format!("runs: {}", crate::util::sanitize::line(line, 200));
    p.blast = "one process in one container; it can change what that container holds".into();
    p.params = json!({"container": container, "command": command});
    p.warnings
        .push("the output is shown here and never recorded; the exit code is".into());
    p.warnings.push(
        "the command line is recorded as typed: keep passwords out of it (use the env)".into(),
    );
    if let Some(pattern) = denied(line, deny) {
        p.refused = Some(format!(
            "refused by the exec deny list (pattern {pattern:?} in config.toml)"
        ));
    }
    p.request = Some(Request::Exec {
        namespace: namespace.to_string(),
        pod: pod.to_string(),
        container: container.to_string(),
        command,
    });
    Ok(p)
}

/// Plans an interactive shell in `container` of `pod`.
pub fn plan_shell(
    d: &ClusterData,
    ctx: CtxId,
    namespace: &str,
    pod: &str,
    container: &str,
    shells: &[String],
    deny: &[String],
) -> Result<Plan, String> {
    if !pod_exists(d, namespace, pod) {
        return Err(format!("pod/{pod} is gone"));
    }
    let shells: Vec<String> = if shells.is_empty() {
        vec!["bash".into(), "sh".into()]
    } else {
        shells.to_vec()
    };
    let mut p = Plan::new("shell", ctx, namespace, format!("pod/{pod}"));
    p.risk = Risk::High;
    p.before = format!("container {container}");
    p.after = format!("an interactive shell ({})", shells.join(", then "));
    p.blast =
        "anything typed runs in the container; kdeck records the session, not what is typed".into();
    p.params = json!({"container": container, "shells": shells});
    p.warnings.push(
        "the console steps aside while the shell runs; leave the shell (exit) to come back".into(),
    );
    if let Some(pattern) = shells.iter().find_map(|s| denied(s, deny)) {
        p.refused = Some(format!(
            "refused by the exec deny list (pattern {pattern:?} in config.toml)"
        ));
    }
    p.request = Some(Request::Shell {
        namespace: namespace.to_string(),
        pod: pod.to_string(),
        container: container.to_string(),
        shells,
    });
    Ok(p)
}

/// The server check: may the person exec in the pod? (Nothing to dry-run.)
pub async fn preflight(client: &kube::Client, req: &Request) -> Vec<Preflight> {
    let a = req.access();
    let name = format!("access: {}", a.describe());
    let what = match req {
        Request::PortForward { .. } => "a port-forward changes nothing on the server",
        _ => "exec cannot be dry-run: what runs is confirmed by you",
    };
    vec![
        match run::review(client, &a).await {
            Ok(None) => run::check(&name, true, "allowed"),
            Ok(Some(why)) => run::check(&name, false, why),
            Err(e) => run::check(&name, false, format!("could not ask: {e}")),
        },
        run::check("dry run", true, what),
    ]
}

/// Runs the command (the intent is already on record).
pub async fn command(client: &kube::Client, req: &Request, mut done: Executed) -> Executed {
    let Request::Exec {
        namespace,
        pod,
        container,
        command,
    } = req
    else {
        done.outcome = Outcome::Failed;
        done.detail = "not an exec request".into();
        return done;
    };
    let ran = crate::cluster::exec::run(
        client.clone(),
        namespace,
        pod,
        container,
        command,
        COMMAND_TIMEOUT,
    )
    .await;
    done.sent = 1;
    done.outcome = match (ran.exit, &ran.error) {
        (Some(0), _) => Outcome::Succeeded,
        (Some(_), _) => Outcome::Failed,
        (None, _) => Outcome::Failed,
    };
    done.detail = ran.summary();
    done.ran = Some(ran);
    done
}

/// Known when it ends: nothing to watch for.
pub fn verify(_: &ClusterData, _: &Request) -> Progress {
    Progress::Done(String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_split_like_a_shell() {
        assert_eq!(
            words("curl -s localhost:3005/health"),
            Ok(vec![
                "curl".into(),
                "-s".into(),
                "localhost:3005/health".into()
            ])
        );
        assert_eq!(
            words(r#"psql -c "SELECT * FROM pg_stat_activity""#),
            Ok(vec![
                "psql".into(),
                "-c".into(),
                "SELECT * FROM pg_stat_activity".into()
            ])
        );
        assert_eq!(
            words("echo 'a  b' c\\ d"),
            Ok(vec!["echo".into(), "a  b".into(), "c d".into()])
        );
        assert_eq!(words("  "), Ok(vec![]));
        assert!(words("echo 'open").is_err());
    }

    #[test]
    fn the_deny_list_matches_globs() {
        let deny = vec!["rm *".to_string(), "*DROP*".to_string(), "bash".to_string()];
        assert_eq!(denied("rm -rf /data", &deny), Some("rm *"));
        assert_eq!(denied("psql -c 'DROP TABLE x'", &deny), Some("*DROP*"));
        assert_eq!(denied("bash", &deny), Some("bash"));
        assert_eq!(denied("bash -l", &deny), None);
        assert_eq!(denied("curl -s localhost:3005/health", &deny), None);
        assert_eq!(denied("anything", &[]), None);
        // Quoting, paths, a shell's script and case do not get around it.
        assert_eq!(denied("'rm' -rf /data", &deny), Some("rm *"));
        assert_eq!(denied("/bin/rm -rf /data", &deny), Some("rm *"));
        assert_eq!(denied("sh -c 'rm -rf /data'", &deny), Some("rm *"));
        assert_eq!(
            denied("bash -lc \"psql -c 'drop table x'\"", &deny),
            Some("*DROP*")
        );
    }
}
