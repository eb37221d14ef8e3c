//! Reading the log for people: records since a time, as lines, as JSON, or as a
//! Markdown table that pastes into a postmortem.

use std::path::Path;

use super::log::lines;
use super::record::{Phase, Record};

/// Records in order (torn or garbled lines are skipped; `verify` reports them).
pub fn records(dir: &Path) -> Result<Vec<Record>, String> {
    Ok(lines(dir)?
        .into_iter()
        .filter_map(|(_, _, text, _)| serde_json::from_str::<Record>(&text).ok())
        .collect())
}

/// `--since`: an RFC 3339 time or a span back from now (`2h`, `30m`).
pub fn since(s: &str, now: jiff::Timestamp) -> Result<jiff::Timestamp, String> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    let d = crate::util::duration::parse(s)
        .map_err(|e| format!("--since {s:?}: not a time (RFC 3339) or a span: {e}"))?;
    let d = jiff::SignedDuration::try_from(d).map_err(|e| e.to_string())?;
    now.checked_sub(d).map_err(|e| e.to_string())
}

pub fn after(rs: Vec<Record>, t: Option<jiff::Timestamp>) -> Vec<Record> {
    match t {
        None => rs,
        Some(t) => rs
            .into_iter()
            .filter(|r| r.time.parse::<jiff::Timestamp>().is_ok_and(|x| x >= t))
            .collect(),
    }
}

fn what(r: &Record) -> String {
    match (&r.phase, r.outcome) {
        (Phase::Intent, _) => "intent".into(),
        (Phase::Outcome, Some(o)) => o.label().into(),
        (Phase::Outcome, None) => "outcome".into(),
    }
}

/// One line per record.
pub fn line(r: &Record) -> String {
    // One readable line: what, by whom, where, from → to, and why it did not happen
    // (the whole record stays in `--json`).
    let text = |v: &serde_json::Value| -> Option<String> {
        match v {
            serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
            serde_json::Value::Object(m) => m
                .get("planned")
                .or_else(|| m.get("observed"))
                .and_then(|p| p.as_str())
                .map(str::to_string),
            _ => None,
        }
    };
    let mut s = format!(
        "{} #{} {} {}@{} {} {}/{}",
        r.time,
        r.seq,
        what(r),
        r.actor.os_user,
        r.actor.context,
        r.action,
        r.namespace,
        r.target,
    );
    match (text(&r.before), text(&r.after)) {
        (Some(b), Some(a)) => s.push_str(&format!(" ({b} → {a})")),
        (Some(b), None) => s.push_str(&format!(" (was {b})")),
        _ => {}
    }
    if let Some(e) = &r.error {
        s.push_str(&format!(" — {e}"));
    }
    crate::util::sanitize::line(&s, 1000)
}

fn md_cell(s: &str) -> String {
    crate::util::sanitize::line(s, 300).replace('|', "\\|")
}

/// A Markdown table for a postmortem.
pub fn markdown(rs: &[Record]) -> String {
    let mut out = String::from(
        "| time (UTC) | # | who | context | action | target | result | detail |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in rs {
        let detail = r
            .error
            .clone()
            .or_else(|| (!r.params.is_null()).then(|| r.params.to_string()))
            .unwrap_or_default();
        out.push_str(&format!(
            "| {} | {} | {}@{} | {} | {} | {}/{} | {} | {} |\n",
            md_cell(&r.time),
            r.seq,
            md_cell(&r.actor.os_user),
            md_cell(&r.actor.host),
            md_cell(&r.actor.context),
            md_cell(&r.action),
            md_cell(&r.namespace),
            md_cell(&r.target),
            what(r),
            md_cell(&detail)
        ));
    }
    out
}
