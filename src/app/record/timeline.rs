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
    /// The context's place in the console (not in exports).
    #[serde(skip)]
    pub ctx: Option<crate::cluster::msg::CtxId>,
    /// health, backup, alert, rollout, hpa, crash, warning, mark or action.
    pub kind: &'static str,
    /// The namespace it is about (empty: none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// The object it is about, as kubectl names it (`deploy/flextime-api`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub what: String,
    /// Who acted (`alice@bastion-2 as kube-admin`), for actions.
    pub by: Option<String>,
    pub outcome: Option<String>,
    /// The audit record's hash, for actions: the log can be checked against it.
    pub audit: Option<String>,
    /// A revision's pod template changes (`-`/`+` lines).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diff: Vec<String>,
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
        if matches!(st.what, Transition::Action { .. }) {
            continue;
        }
        let (utc, local) = times(st.at, tz);
        out.push(Item {
            at: st.at,
            utc,
            local,
            context: name(st.what.ctx()),
            ctx: st.what.ctx(),
            kind: st.what.kind(),
            namespace: st.what.namespace().to_string(),
            object: st
                .what
                .object()
                .map(|(k, n)| crate::app::transitions::object(k, &n)),
            what: crate::util::sanitize::line(&st.what.text(), 300),
            by: None,
            outcome: None,
            audit: None,
            diff: match &st.what {
                Transition::Revision { diff, .. } => diff.clone(),
                _ => Vec::new(),
            },
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
            ctx: contexts.iter().position(|c| *c == r.actor.context),
            kind: "action",
            namespace: r.namespace.clone(),
            object: Some(r.target.clone()),
            what: crate::util::sanitize::line(&what, 300),
            by: Some(format!(
                "{}@{} as {}",
                r.actor.os_user, r.actor.host, r.actor.kube_user
            )),
            outcome: r.outcome.map(|o| o.label().to_string()),
            audit: Some(r.hash.clone()),
            diff: Vec::new(),
        });
    }
    sort(&mut out);
    out
}

/// Oldest first. Within a second, what was seen comes by kind and text (the same
/// moments always read the same, whatever order they were noticed in), then the
/// actions in the order they were done; a span's marks enclose the second.
pub fn sort(items: &mut [Item]) {
    // Within its second a mark that starts a span comes first and one that ends it
    // last: a span holds all of the seconds it was open in.
    let rank = |i: &Item| match i.kind {
        "mark" if i.what.starts_with("mark: started") => 0,
        "mark" => 3,
        "action" => 2,
        _ => 1,
    };
    items.sort_by(|a, b| {
        let acted = |i: &Item| i.kind == "action";
        a.at.cmp(&b.at).then(rank(a).cmp(&rank(b))).then_with(|| {
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
    ctx: crate::cluster::msg::CtxId,
    context: &str,
    tz: &jiff::tz::TimeZone,
) -> Item {
    let (utc, local) = times(p.at, tz);
    Item {
        at: p.at,
        utc,
        local,
        context: context.to_string(),
        ctx: Some(ctx),
        kind: "action",
        namespace: p.namespace.clone(),
        object: Some(p.target.clone()),
        what: crate::util::sanitize::line(
            &format!("{} {} in {}", p.action, p.target, p.namespace),
            300,
        ),
        by: Some(crate::util::sanitize::line(&p.who, 120)),
        outcome: Some(crate::util::sanitize::line(&p.outcome, 40)),
        audit: None,
        diff: Vec::new(),
    }
}

/// Whether `item` passes `filter`: every word must hold — `kind:K` (the kind
/// starts with K), `ctx:C`, `ns:N`, `obj:O` (those contain it), or a free word found
/// anywhere in the entry. Case does not matter.
pub fn matches(item: &Item, filter: &str) -> bool {
    filter.split_whitespace().all(|word| {
        let w = word.to_lowercase();
        let has = |field: &str, want: &str| field.to_lowercase().contains(want);
        match w.split_once(':') {
            Some(("kind", k)) => item.kind.starts_with(k),
            Some(("ctx" | "context", c)) => has(&item.context, c),
            Some(("ns" | "namespace", n)) => has(&item.namespace, n),
            Some(("obj" | "object" | "workload", o)) => {
                item.object.as_deref().is_some_and(|x| has(x, o))
            }
            _ => {
                has(&item.what, &w)
                    || has(&item.context, &w)
                    || item.object.as_deref().is_some_and(|x| has(x, &w))
                    || item.by.as_deref().is_some_and(|x| has(x, &w))
                    || item.outcome.as_deref().is_some_and(|x| has(x, &w))
            }
        }
    })
}

/// The items within the person's marked spans (`M` starts one and ends it; a span
/// still open runs to the end), the marks included. `None`: nothing was marked.
pub fn marked(items: &[Item]) -> Option<Vec<Item>> {
    if !items.iter().any(|i| i.kind == "mark") {
        return None;
    }
    let mut on = false;
    let mut out = Vec::new();
    for i in items {
        if i.kind == "mark" {
            on = i.what.starts_with("mark: started");
            out.push(i.clone());
        } else if on {
            out.push(i.clone());
        }
    }
    Some(out)
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
                .map(|h| format!("`{}`", cell(&h.chars().take(12).collect::<String>())))
                .unwrap_or_default(),
        ));
    }
    if items.is_empty() {
        out.push_str("| | | | | nothing happened | | | |\n");
    }
    // What each new revision changed in its pod template, under the table.
    let changed: Vec<&Item> = items.iter().filter(|i| !i.diff.is_empty()).collect();
    if !changed.is_empty() {
        out.push_str("\n### Template changes\n");
        for i in changed {
            out.push_str(&format!(
                "\n{} UTC, {}{}:\n\n```diff\n",
                i.utc,
                if i.namespace.is_empty() {
                    String::new()
                } else {
                    format!("{}/", crate::util::sanitize::line(&i.namespace, 120))
                },
                crate::util::sanitize::line(i.object.as_deref().unwrap_or("?"), 200)
            ));
            for l in &i.diff {
                // Inert already; a fence inside cannot end the block.
                out.push_str(&l.replace("```", "` ` `"));
                out.push('\n');
            }
            out.push_str("```\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: &'static str, ns: &str, obj: &str, what: &str) -> Item {
        Item {
            at: 0,
            utc: String::new(),
            local: String::new(),
            context: "prod-eu".into(),
            ctx: Some(0),
            kind,
            namespace: ns.into(),
            object: Some(obj.into()),
            what: what.into(),
            by: None,
            outcome: None,
            audit: None,
            diff: Vec::new(),
        }
    }

    #[test]
    fn a_filter_holds_every_word_it_is_given() {
        let r = item(
            "rollout",
            "flextime-production",
            "deploy/flextime-api",
            "rollout x stalled",
        );
        assert!(matches(&r, ""));
        assert!(matches(&r, "kind:roll"));
        assert!(matches(&r, "KIND:rollout ns:flextime obj:api ctx:eu"));
        assert!(matches(&r, "stalled"));
        assert!(!matches(&r, "kind:health"));
        assert!(!matches(&r, "kind:rollout ns:team"), "every word must hold");
        assert!(!matches(&r, "obj:dashboard"));
        assert!(matches(&r, "flextime-api"), "a free word finds the object");
    }

    #[test]
    fn the_marked_spans_keep_what_happened_inside_them() {
        let mark = |on: bool| {
            let t = Transition::Mark { on };
            item("mark", "", "", &t.text())
        };
        let x = |w: &str| item("health", "ns", "deploy/a", w);
        assert_eq!(marked(&[x("a"), x("b")]), None, "nothing marked");
        let all = vec![
            x("before"),
            mark(true),
            x("in"),
            mark(false),
            x("after"),
            mark(true),
            x("open"),
        ];
        let kept: Vec<String> = marked(&all)
            .unwrap_or_default()
            .into_iter()
            .map(|i| i.what)
            .collect();
        assert_eq!(
            kept,
            vec![
                "mark: started a marked span",
                "in",
                "mark: ended the marked span",
                "mark: started a marked span",
                "open"
            ]
        );
    }

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
