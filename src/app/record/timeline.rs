//! The incident's timeline as a postmortem wants it: one chronological list across
//! contexts of what was seen (health, backups, alerts going one way or the other) and
//! what was done (each audited action: by whom, its outcome, its audit hash), in UTC
//! and the recording's local time; as Markdown that pastes into a postmortem or an
//! issue, or as JSON. The same for a recording (`kdeck timeline`) and for the
//! session on screen (a key in the console).

use serde::Serialize;

use crate::app::transitions::{Stamped, Transition};
use crate::audit::{Phase, Record};

/// One line of the timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Item {
    /// Unix seconds.
    pub at: i64,
    pub utc: String,
    pub local: String,
    pub context: String,
    /// health, backup, alert or action.
    pub kind: &'static str,
    pub what: String,
    /// Who acted (`alice@bastion-2 as kube-admin`), for actions.
    pub by: Option<String>,
    pub outcome: Option<String>,
    /// The audit record's hash, for actions: the log can be checked against it.
    pub audit: Option<String>,
}

fn times(at: i64, tz: &jiff::tz::TimeZone) -> (String, String) {
    let Ok(t) = jiff::Timestamp::from_second(at) else {
        return (String::new(), String::new());
    };
    (
        t.strftime("%Y-%m-%d %H:%M:%S").to_string(),
        t.to_zoned(tz.clone()).strftime("%H:%M:%S %Z").to_string(),
    )
}

/// The items of `seen` (what the console noticed) and `done` (audit records), oldest
/// first. Actions come from the audit records (they carry the hash), not from what
/// their end noted. `contexts` names the contexts by id.
pub fn items(
    seen: &[Stamped],
    done: &[Record],
    contexts: &[String],
    tz: &jiff::tz::TimeZone,
) -> Vec<Item> {
    let name = |c: Option<usize>| {
        c.and_then(|c| contexts.get(c))
            .cloned()
            .unwrap_or_else(|| "-".into())
    };
    let mut out: Vec<Item> = Vec::new();
    for st in seen {
        let (kind, ctx) = match &st.what {
            Transition::Health { ctx, .. } => ("health", *ctx),
            Transition::Backup { ctx, .. } => ("backup", Some(*ctx)),
            Transition::AlertFired { ctx, .. } | Transition::AlertResolved { ctx, .. } => {
                ("alert", *ctx)
            }
            Transition::Action { .. } => continue,
        };
        let (utc, local) = times(st.at, tz);
        out.push(Item {
            at: st.at,
            utc,
            local,
            context: name(ctx),
            kind,
            what: crate::util::sanitize::line(&st.what.text(), 300),
            by: None,
            outcome: None,
            audit: None,
        });
    }
    for r in done.iter().filter(|r| r.phase == Phase::Outcome) {
        let at = r
            .time
            .parse::<jiff::Timestamp>()
            .map_or(0, |t| t.as_second());
        let (utc, local) = times(at, tz);
        let mut what = format!("{} {}", r.action, r.target);
        if !r.namespace.is_empty() {
            what.push_str(&format!(" in {}", r.namespace));
        }
        if let Some(e) = &r.error {
            what.push_str(&format!(": {e}"));
        }
        out.push(Item {
            at,
            utc,
            local,
            context: r.actor.context.clone(),
            kind: "action",
            what: crate::util::sanitize::line(&what, 300),
            by: Some(format!(
                "{}@{} as {}",
                r.actor.os_user, r.actor.host, r.actor.kube_user
            )),
            outcome: r.outcome.map(|o| o.label().to_string()),
            audit: Some(r.hash.clone()),
        });
    }
    sort(&mut out);
    out
}

/// Oldest first. Within a second, what was seen comes by kind and text (the same
/// moments always read the same, whatever order they were noticed in), then the
/// actions in the order they were done.
pub fn sort(items: &mut [Item]) {
    items.sort_by(|a, b| {
        let acted = |i: &Item| i.kind == "action";
        a.at.cmp(&b.at).then(acted(a).cmp(&acted(b))).then_with(|| {
            if acted(a) && acted(b) {
                std::cmp::Ordering::Equal
            } else {
                a.kind.cmp(b.kind).then(a.what.cmp(&b.what))
            }
        })
    });
}

/// Someone's published action (a `KdeckAction` event) as a timeline item.
pub fn published(
    p: &crate::fleet::published::Published,
    context: &str,
    tz: &jiff::tz::TimeZone,
) -> Item {
    let (utc, local) = times(p.at, tz);
    Item {
        at: p.at,
        utc,
        local,
        context: context.to_string(),
        kind: "action",
        what: crate::util::sanitize::line(
            &format!("{} {} in {}", p.action, p.target, p.namespace),
            300,
        ),
        by: Some(crate::util::sanitize::line(&p.who, 120)),
        outcome: Some(crate::util::sanitize::line(&p.outcome, 40)),
        audit: None,
    }
}

/// A table cell: one line, pipes escaped.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|")
}

/// The timeline as Markdown: a heading with its span and where it was recorded,
/// then a table.
pub fn markdown(items: &[Item], title: &str, about: &str) -> String {
    let mut out = format!("## {title}\n\n{about}\n\n");
    out.push_str("| UTC | Local | Context | Kind | What | By | Outcome | Audit |\n");
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for i in items {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            i.utc,
            i.local,
            cell(&i.context),
            i.kind,
            cell(&i.what),
            i.by.as_deref().map(cell).unwrap_or_default(),
            i.outcome.as_deref().unwrap_or(""),
            i.audit
                .as_deref()
                .map(|h| format!("`{}`", &h[..h.len().min(12)]))
                .unwrap_or_default(),
        ));
    }
    if items.is_empty() {
        out.push_str("| | | | | nothing happened | | | |\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_rows_stay_rows_whatever_the_text() {
        let tz = jiff::tz::TimeZone::UTC;
        let seen = vec![Stamped {
            at: 1_764_626_400,
            what: Transition::AlertFired {
                ctx: Some(0),
                name: "FlexTimeAPIDown".into(),
                namespace: "flextime-production".into(),
                severity: "critical".into(),
                summary: "a | pipe\nand a newline".into(),
            },
        }];
        let items = items(&seen, &[], &["prod-eu".into()], &tz);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].utc, "2025-12-01 22:00:00");
        assert_eq!(items[0].context, "prod-eu");
        let md = markdown(&items, "t", "a");
        let row = md.lines().last().unwrap_or_default();
        assert!(row.starts_with("| 2025-12-01 22:00:00 |"), "{md}");
        assert!(row.contains("a \\| pipe"), "{md}");
        assert_eq!(md.lines().count(), 7, "one row, no line broken: {md}");
    }
}
