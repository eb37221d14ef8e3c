//! Appending to the audit log: one record per line, the file opened for append with
//! mode 0600 in a 0700 directory, each write followed by `fsync` — and an error (never
//! a silent drop) when any of it fails, so the caller does not act. Files rotate by
//! size (`audit.jsonl` → `audit-000001.jsonl`, …) and the chain runs on across them. A
//! torn last line left by a crash is never appended after: the file is rotated, so
//! the torn line stays visible (and reported) as the end of its file.

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use super::chain::{GENESIS, hash_of, hash_value};
use super::record::Record;

/// Rotate when the current file would grow past this.
pub const ROTATE_BYTES: u64 = 8 * 1024 * 1024;
pub const CURRENT: &str = "audit.jsonl";
const LOCK: &str = "audit.lock";

pub struct AuditLog {
    dir: PathBuf,
    rotate_bytes: u64,
    last_seq: u64,
    last_hash: String,
}

/// Every log file in chain order: rotated ones by number, then the current one.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut rotated: Vec<(u64, PathBuf)> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let n = name
                .strip_prefix("audit-")?
                .strip_suffix(".jsonl")?
                .parse()
                .ok()?;
            Some((n, e.path()))
        })
        .collect();
    rotated.sort();
    let mut out: Vec<PathBuf> = rotated.into_iter().map(|(_, p)| p).collect();
    let cur = dir.join(CURRENT);
    if cur.exists() {
        out.push(cur);
    }
    out
}

/// This log's name where its heads are published: the host and the log's directory,
/// hashed (the same log always has the same id; another machine's log another).
pub fn log_id(dir: &Path) -> String {
    use sha2::Digest;
    let host = super::record::Actor::here("", "", "").host;
    let dir = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let d = sha2::Sha256::digest(format!("{host}\n{}", dir.display()).as_bytes());
    hex::encode(&d[..8])
}

fn io(what: &str, p: &Path, e: std::io::Error) -> String {
    format!("audit log: cannot {what} {}: {e}", p.display())
}

/// The last complete record of a file, and whether the file ends in a torn line.
fn tail(p: &Path) -> Result<(Option<serde_json::Value>, bool), String> {
    let f = File::open(p).map_err(|e| io("read", p, e))?;
    let mut last = None;
    let mut torn = false;
    for line in BufReader::new(f).split(b'\n') {
        let line = line.map_err(|e| io("read", p, e))?;
        if line.is_empty() {
            continue;
        }
        match serde_json::from_slice::<serde_json::Value>(&line) {
            Ok(v) => {
                last = Some(v);
                torn = false;
            }
            Err(_) => torn = true,
        }
    }
    let ends_clean = fs::read(p)
        .map(|b| b.is_empty() || b.ends_with(b"\n"))
        .unwrap_or(true);
    Ok((last, torn || !ends_clean))
}

impl AuditLog {
    /// Opens (creating) the log in `dir`, finding where the chain ends.
    pub fn open(dir: &Path) -> Result<AuditLog, String> {
        AuditLog::open_with(dir, ROTATE_BYTES)
    }

    pub fn open_with(dir: &Path, rotate_bytes: u64) -> Result<AuditLog, String> {
        fs::create_dir_all(dir).map_err(|e| io("create", dir, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
                .map_err(|e| io("protect", dir, e))?;
        }
        let mut log = AuditLog {
            dir: dir.to_path_buf(),
            rotate_bytes,
            last_seq: 0,
            last_hash: GENESIS.into(),
        };
        let _lock = log.lock()?;
        log.find_end()?;
        Ok(log)
    }

    /// Takes the log's lock file (another kdeck may append to the same log): held
    /// while the end of the chain is read and the next record written.
    fn lock(&self) -> Result<File, String> {
        let p = self.dir.join(LOCK);
        let mut opts = OpenOptions::new();
        opts.create(true).truncate(false).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let f = opts.open(&p).map_err(|e| io("open", &p, e))?;
        f.lock().map_err(|e| io("lock", &p, e))?;
        Ok(f)
    }

    /// Finds where the chain ends (the last complete record of the newest file that
    /// has one); a torn current file is rotated so nothing is appended after it.
    fn find_end(&mut self) -> Result<(), String> {
        self.last_seq = 0;
        self.last_hash = GENESIS.into();
        let all = files(&self.dir);
        let mut torn_current = false;
        for (i, p) in all.iter().enumerate().rev() {
            let (last, torn) = tail(p)?;
            if i == all.len() - 1 && p.ends_with(CURRENT) {
                torn_current = torn;
            }
            if let Some(v) = last {
                self.last_seq = v["seq"].as_u64().unwrap_or(0);
                self.last_hash = v["hash"]
                    .as_str()
                    .map(String::from)
                    .unwrap_or_else(|| hash_value(&v));
                break;
            }
        }
        if torn_current {
            self.rotate()?;
        }
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    fn rotate(&mut self) -> Result<(), String> {
        let cur = self.dir.join(CURRENT);
        if !cur.exists() {
            return Ok(());
        }
        let next = files(&self.dir)
            .iter()
            .filter_map(|p| {
                p.file_name()?
                    .to_str()?
                    .strip_prefix("audit-")?
                    .strip_suffix(".jsonl")?
                    .parse::<u64>()
                    .ok()
            })
            .max()
            .unwrap_or(0)
            + 1;
        let to = self.dir.join(format!("audit-{next:06}.jsonl"));
        fs::rename(&cur, &to).map_err(|e| io("rotate", &cur, e))?;
        sync_dir(&self.dir)
    }

    /// Appends `r` (setting its `seq`, `time`, `prev` and `hash`) and fsyncs it. On
    /// error nothing may be assumed written: the caller must not act.
    pub fn append(&mut self, mut r: Record) -> Result<Record, String> {
        let _lock = self.lock()?;
        self.find_end()?;
        r.seq = self.last_seq + 1;
        // Microseconds, truncated: an intent's time is never after the request it
        // precedes.
        r.time = jiff::Timestamp::now()
            .round(
                jiff::TimestampRound::new()
                    .smallest(jiff::Unit::Microsecond)
                    .mode(jiff::RoundMode::Trunc),
            )
            .map(|t| t.to_string())
            .unwrap_or_else(|_| jiff::Timestamp::now().to_string());
        r.prev = self.last_hash.clone();
        r.hash = hash_of(&r);
        let mut line = serde_json::to_string(&r).map_err(|e| format!("audit log: {e}"))?;
        line.push('\n');
        let cur = self.dir.join(CURRENT);
        let size = fs::metadata(&cur).map(|m| m.len()).unwrap_or(0);
        if size > 0 && size + line.len() as u64 > self.rotate_bytes {
            self.rotate()?;
        }
        let created = !cur.exists();
        let mut opts = OpenOptions::new();
        opts.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&cur).map_err(|e| io("open", &cur, e))?;
        f.write_all(line.as_bytes())
            .map_err(|e| io("write", &cur, e))?;
        f.sync_all().map_err(|e| io("sync", &cur, e))?;
        if created {
            sync_dir(&self.dir)?;
        }
        self.last_seq = r.seq;
        self.last_hash = r.hash.clone();
        Ok(r)
    }
}

fn sync_dir(dir: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io("sync", dir, e))?;
    }
    Ok(())
}

/// Every record line of the log in chain order: (file, line number, text).
pub fn lines(dir: &Path) -> Result<Vec<(PathBuf, usize, String, bool)>, String> {
    let mut out = Vec::new();
    for p in files(dir) {
        let bytes = fs::read(&p).map_err(|e| io("read", &p, e))?;
        let ends_clean = bytes.is_empty() || bytes.ends_with(b"\n");
        let text = String::from_utf8_lossy(&bytes).to_string();
        let parts: Vec<&str> = text.split('\n').collect();
        let n = parts.len();
        for (i, l) in parts.into_iter().enumerate() {
            if l.is_empty() {
                continue;
            }
            // The last piece of a file without a final newline was cut mid-write.
            let unterminated = i == n - 1 && !ends_clean;
            out.push((p.clone(), i + 1, l.to_string(), unterminated));
        }
    }
    Ok(out)
}

/// The log as the console shares it between action tasks: opened on first use (and
/// again after a failure), so a directory that becomes writable later works, and one
/// that is not writable fails every append — and with it every action.
pub struct Sink {
    dir: PathBuf,
    log: std::sync::Mutex<Option<AuditLog>>,
}

impl Sink {
    pub fn new(dir: PathBuf) -> Sink {
        Sink {
            dir,
            log: std::sync::Mutex::new(None),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends and fsyncs `r`; blocking (call from a blocking task).
    pub fn append(&self, r: Record) -> Result<Record, String> {
        let mut guard = self.log.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(AuditLog::open(&self.dir)?);
        }
        let Some(log) = guard.as_mut() else {
            return Err("audit log: not open".into());
        };
        let out = log.append(r);
        if out.is_err() {
            *guard = None;
        }
        out
    }
}
