//! The audit log: every guarded action's intent (written and fsynced before anything is
//! sent) and its outcome, as JSON Lines in the data directory (mode 0600), each record
//! chained to the previous one by SHA-256 over its canonical JSON, so an edited,
//! deleted, reordered or forged record is found by `kdeck audit verify`. Files rotate
//! by size and the chain continues across them.

pub mod chain;
pub mod export;
pub mod log;
pub mod record;
pub mod verify;

pub use log::AuditLog;
pub use record::{Actor, Outcome, Phase, Preflight, Record};

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::path::Path;

    fn rec(i: u32) -> Record {
        let mut r = Record::new(
            &format!("a{i}"),
            Phase::Intent,
            Actor::here("alice", "prod", "https://k8s.example"),
            "scale",
            "deploy/api",
        );
        r.namespace = "payments".into();
        r.params = serde_json::json!({"replicas": i});
        r
    }

    fn fill(dir: &Path, n: u32, rotate: u64) -> AuditLog {
        let mut log = AuditLog::open_with(dir, rotate).unwrap();
        for i in 1..=n {
            log.append(rec(i)).unwrap();
        }
        log
    }

    fn current(dir: &Path) -> std::path::PathBuf {
        dir.join(log::CURRENT)
    }

    fn edit_lines(dir: &Path, f: impl FnOnce(&mut Vec<String>)) {
        let p = current(dir);
        let mut ls: Vec<String> = fs::read_to_string(&p)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        f(&mut ls);
        fs::write(&p, ls.join("\n") + "\n").unwrap();
    }

    #[test]
    fn an_intact_log_verifies_and_is_private() {
        let d = tempfile::tempdir().unwrap();
        fill(d.path(), 5, log::ROTATE_BYTES);
        let r = verify::verify(d.path()).unwrap();
        assert_eq!((r.records, r.bad, r.torn.len()), (5, None, 0));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(current(d.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Reopening continues the chain.
        let mut log = AuditLog::open(d.path()).unwrap();
        assert_eq!(log.append(rec(6)).unwrap().seq, 6);
        assert_eq!(verify::verify(d.path()).unwrap().records, 6);
    }

    #[test]
    fn an_edited_record_is_found() {
        let d = tempfile::tempdir().unwrap();
        fill(d.path(), 5, log::ROTATE_BYTES);
        edit_lines(d.path(), |ls| {
            ls[2] = ls[2].replace("\"replicas\":3", "\"replicas\":30");
        });
        let bad = verify::verify(d.path()).unwrap().bad.unwrap();
        assert_eq!((bad.line, bad.seq), (3, Some(3)));
        assert!(bad.reason.contains("edited or forged"), "{}", bad.reason);
    }

    #[test]
    fn a_deleted_record_is_found() {
        let d = tempfile::tempdir().unwrap();
        fill(d.path(), 5, log::ROTATE_BYTES);
        edit_lines(d.path(), |ls| {
            ls.remove(1);
        });
        let bad = verify::verify(d.path()).unwrap().bad.unwrap();
        assert_eq!(bad.line, 2);
        assert!(bad.reason.contains("deleted"), "{}", bad.reason);
    }

    #[test]
    fn reordered_records_are_found() {
        let d = tempfile::tempdir().unwrap();
        fill(d.path(), 5, log::ROTATE_BYTES);
        edit_lines(d.path(), |ls| ls.swap(2, 3));
        let bad = verify::verify(d.path()).unwrap().bad.unwrap();
        assert_eq!(bad.line, 3);
        assert!(
            bad.reason
                .contains("records reordered: 4 comes before 3, which is at audit.jsonl:4"),
            "{}",
            bad.reason
        );
    }

    #[test]
    fn a_complete_garbage_last_line_is_not_a_torn_write() {
        let d = tempfile::tempdir().unwrap();
        fill(d.path(), 3, log::ROTATE_BYTES);
        let p = current(d.path());
        let mut bytes = fs::read(&p).unwrap();
        bytes.extend_from_slice(b"this is not json\n");
        fs::write(&p, bytes).unwrap();
        let r = verify::verify(d.path()).unwrap();
        let bad = r.bad.expect("an error, not a torn write");
        assert_eq!((bad.line, r.torn.len()), (4, 0));
        assert!(bad.reason.contains("not a torn write"), "{}", bad.reason);
    }

    #[test]
    fn a_forged_record_with_a_recomputed_hash_breaks_the_chain() {
        let d = tempfile::tempdir().unwrap();
        fill(d.path(), 4, log::ROTATE_BYTES);
        edit_lines(d.path(), |ls| {
            let mut v: serde_json::Value = serde_json::from_str(&ls[1]).unwrap();
            v["target"] = "deploy/other".into();
            v["hash"] = chain::hash_value(&v).into();
            ls[1] = serde_json::to_string(&v).unwrap();
        });
        let bad = verify::verify(d.path()).unwrap().bad.unwrap();
        assert_eq!(
            bad.line, 3,
            "the next record no longer chains: {}",
            bad.reason
        );
        assert!(
            bad.reason.contains("replaced or inserted"),
            "{}",
            bad.reason
        );
    }

    #[test]
    fn a_torn_tail_is_reported_as_such_and_never_appended_after() {
        let d = tempfile::tempdir().unwrap();
        fill(d.path(), 3, log::ROTATE_BYTES);
        // A crash mid-write: half a line, no newline.
        let p = current(d.path());
        let mut bytes = fs::read(&p).unwrap();
        bytes.extend_from_slice(b"{\"v\":1,\"seq\":4,\"time\":\"2026-");
        fs::write(&p, bytes).unwrap();
        let r = verify::verify(d.path()).unwrap();
        assert_eq!(
            (r.records, r.bad.clone(), r.torn.len()),
            (3, None, 1),
            "{r:?}"
        );
        // Opening again rotates; the chain continues from the last whole record.
        let mut log = AuditLog::open(d.path()).unwrap();
        assert_eq!(log.append(rec(4)).unwrap().seq, 4);
        let r = verify::verify(d.path()).unwrap();
        assert_eq!((r.records, r.bad, r.torn.len()), (4, None, 1));
        // A file truncated inside the chain (records lost) is not a torn tail.
        edit_lines(d.path(), |ls| ls.clear());
        assert_eq!(log::files(d.path()).len(), 2);
    }

    #[test]
    fn rotation_keeps_the_chain_and_finds_tampering_across_files() {
        let d = tempfile::tempdir().unwrap();
        fill(d.path(), 30, 2_000);
        let files = log::files(d.path());
        assert!(files.len() >= 3, "{files:?}");
        let r = verify::verify(d.path()).unwrap();
        assert_eq!((r.records, r.bad), (30, None));
        // Deleting a whole rotated file breaks the chain at the next file's first line.
        fs::remove_file(&files[1]).unwrap();
        let bad = verify::verify(d.path()).unwrap().bad.unwrap();
        assert_eq!(bad.file, files[2]);
        assert_eq!(bad.line, 1);
        assert!(bad.reason.contains("deleted"), "{}", bad.reason);
    }

    #[test]
    fn an_unwritable_log_is_an_error_not_a_silent_drop() {
        let d = tempfile::tempdir().unwrap();
        let blocker = d.path().join("file");
        fs::write(&blocker, "x").unwrap();
        // A directory that cannot exist (its parent is a file).
        assert!(AuditLog::open(&blocker.join("audit")).is_err());
        // The log file cannot be opened for writing (something else is in its
        // place): append fails and says where, even for root.
        let mut log = AuditLog::open(d.path()).unwrap();
        fs::create_dir(current(d.path())).unwrap();
        let err = log.append(rec(1)).unwrap_err();
        assert!(err.contains("audit.jsonl"), "{err}");
        assert_eq!(log.last_seq(), 0, "nothing counted as written");
    }

    #[test]
    fn exports_for_people() {
        let d = tempfile::tempdir().unwrap();
        fill(d.path(), 2, log::ROTATE_BYTES);
        let rs = export::records(d.path()).unwrap();
        assert_eq!(rs.len(), 2);
        // One readable line per record (the parameters stay in --json).
        let mut r = rs[0].clone();
        r.before = serde_json::json!("3 replicas");
        r.after = serde_json::json!({"planned": "2 replicas"});
        r.error = Some("refused: forbidden".into());
        let l = export::line(&r);
        assert!(
            l.contains("scale payments/deploy/api (3 replicas → 2 replicas) — refused: forbidden"),
            "{l}"
        );
        assert!(!l.contains('{'), "{l}");
        let md = export::markdown(&rs);
        assert!(md.starts_with("| time (UTC) |"));
        assert!(
            md.contains("| scale | payments/deploy/api | intent |"),
            "{md}"
        );
        let now = jiff::Timestamp::now();
        let t = export::since("2h", now).unwrap();
        assert_eq!(export::after(rs.clone(), Some(t)).len(), 2);
        let future = now
            .checked_add(jiff::SignedDuration::from_hours(1))
            .unwrap();
        assert!(export::after(rs, Some(future)).is_empty());
        assert!(export::since("yesterday", now).is_err());
    }
}
