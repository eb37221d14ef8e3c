//! Checking the chain: every record's hash matches its content, its `prev` is the
//! previous record's hash and its `seq` follows on, across rotated files. The first
//! bad record is reported with its file, line and what is wrong; a line cut short at
//! the end of a file (a crash mid-write) is reported as torn, not as tampering.

use std::path::{Path, PathBuf};

use super::chain::{GENESIS, hash_value};
use super::log::lines;

#[derive(Clone, Debug, PartialEq)]
pub struct Bad {
    pub file: PathBuf,
    pub line: usize,
    pub seq: Option<u64>,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub records: usize,
    /// Lines cut short at the end of a file: (file, line).
    pub torn: Vec<(PathBuf, usize)>,
    pub bad: Option<Bad>,
}

pub fn verify(dir: &Path) -> Result<Report, String> {
    let all = lines(dir)?;
    let mut report = Report::default();
    let mut prev = GENESIS.to_string();
    let mut expect = 1u64;
    for (i, (file, line, text, unterminated)) in all.iter().enumerate() {
        let last_of_file = all.get(i + 1).is_none_or(|n| &n.0 != file);
        let bad = |reason: String, seq: Option<u64>| Bad {
            file: file.clone(),
            line: *line,
            seq,
            reason,
        };
        let v: serde_json::Value = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) if v.is_object() => v,
            // Unreadable and the last line of its file: cut short by a crash (the log
            // rotates rather than append after a torn line).
            // Only a last line without its newline can be a torn write: each record
            // is written whole, newline included, in one append.
            _ if last_of_file && *unterminated => {
                report.torn.push((file.clone(), *line));
                continue;
            }
            _ => {
                report.bad = Some(bad(
                    "not a record (a garbled line, complete with its newline: not a torn write)"
                        .into(),
                    None,
                ));
                return Ok(report);
            }
        };
        let seq = v["seq"].as_u64();
        let stored = v["hash"].as_str().unwrap_or("");
        if hash_value(&v) != stored {
            report.bad = Some(bad(
                "its content does not match its hash: the record was edited or forged".into(),
                seq,
            ));
            return Ok(report);
        }
        let Some(seq) = seq else {
            report.bad = Some(bad("no sequence number".into(), None));
            return Ok(report);
        };
        if v["prev"].as_str() != Some(prev.as_str()) || seq != expect {
            // The missing record further on: moved, not deleted.
            let later = all[i + 1..].iter().find(|(_, _, t, _)| {
                serde_json::from_str::<serde_json::Value>(t)
                    .is_ok_and(|v| v["seq"].as_u64() == Some(expect))
            });
            let reason = if let (true, Some((f, l, _, _))) = (seq > expect, later) {
                format!(
                    "records reordered: {seq} comes before {expect}, which is at {}:{l}",
                    f.file_name().map_or_else(
                        || f.display().to_string(),
                        |n| n.to_string_lossy().into_owned()
                    )
                )
            } else if seq > expect {
                format!(
                    "sequence jumps from {} to {seq}: record(s) deleted",
                    expect - 1
                )
            } else if seq < expect {
                format!(
                    "sequence goes back from {} to {seq}: records reordered or replayed",
                    expect - 1
                )
            } else {
                "it does not chain to the record before it (prev differs): a record was replaced or inserted".into()
            };
            report.bad = Some(bad(reason, Some(seq)));
            return Ok(report);
        }
        prev = stored.to_string();
        expect = seq + 1;
        report.records += 1;
    }
    Ok(report)
}

/// Checks heads published elsewhere (seq, hash, where it was found) against the local
/// chain: each must still be there, with the same hash. Returns what does not match.
pub fn against(dir: &Path, heads: &[(u64, String, String)]) -> Result<Vec<String>, String> {
    let mut local = std::collections::BTreeMap::new();
    for (_, _, text, _) in lines(dir)? {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
            && let (Some(seq), Some(hash)) = (v["seq"].as_u64(), v["hash"].as_str())
        {
            local.insert(seq, hash.to_string());
        }
    }
    let last = local.keys().next_back().copied().unwrap_or(0);
    let mut out = Vec::new();
    for (seq, hash, at) in heads {
        match local.get(seq) {
            Some(h) if h == hash => {}
            Some(_) => out.push(format!(
                "record {seq} differs from the head published in {at}: the chain was rewritten"
            )),
            None if *seq > last => out.push(format!(
                "record {seq} was published in {at} but the log ends at {last}: the newest records were deleted"
            )),
            None => out.push(format!(
                "record {seq} was published in {at} but is not in the log: records were deleted"
            )),
        }
    }
    Ok(out)
}
