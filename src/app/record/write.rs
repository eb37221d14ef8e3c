//! Writing a recording without holding up the loop: entries go over a bounded
//! channel to a writer thread, which batches them (at most a second apart) into one
//! gzip member each, appended to the current file. The flight recorder rotates files
//! (segments) by size and age and drops the oldest segments once the whole exceeds
//! its limits; `--record FILE` writes one file. A full channel drops entries and says
//! how many in the file (never blocks the console).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::time::{Duration, Instant};

use flate2::Compression;
use flate2::write::GzEncoder;

use super::{Entry, Header, Timed};

/// Where and how much.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// The always-on flight recorder: segments in `dir`, the whole kept under
    /// `max_bytes` and `max_age` seconds (oldest segments dropped first).
    Flight {
        dir: PathBuf,
        max_bytes: u64,
        max_age: i64,
    },
    /// One recording at a chosen place.
    File(PathBuf),
}

/// Entries waiting for the writer before new ones are dropped. Each waits boxed: the
/// channel allocates and touches every slot up front, and a slot holding an entry
/// itself would cost 30 MB of memory for an empty queue.
const QUEUE: usize = 65_536;

/// The console's end of a recording.
pub struct Recorder {
    tx: Option<SyncSender<Box<Timed>>>,
    dropped: u64,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Set by the writer when it starts a new segment: the console then records a
    /// checkpoint (everything it knows, as full lists), so a segment replays on its
    /// own once the ones before it are dropped.
    checkpoint: Arc<AtomicBool>,
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

impl Recorder {
    /// Starts writing to `target`; the header is the first line of every file.
    pub fn start(target: Target, header: Header) -> std::io::Result<Recorder> {
        Self::start_with(target, header, MIN_SEGMENT)
    }

    /// As `start`, with segments at least `min_segment` apart.
    fn start_with(
        target: Target,
        header: Header,
        min_segment: Duration,
    ) -> std::io::Result<Recorder> {
        let mut w = Writer::open(target, header)?;
        w.min_segment = min_segment;
        let checkpoint = w.checkpoint.clone();
        let (tx, rx) = sync_channel::<Box<Timed>>(QUEUE);
        let thread = std::thread::Builder::new()
            .name("kdeck-recorder".into())
            .spawn(move || {
                // Compressing is background work: it yields to the console.
                crate::util::thread::background();
                w.run(rx)
            })?;
        Ok(Recorder {
            tx: Some(tx),
            dropped: 0,
            thread: Some(thread),
            checkpoint,
        })
    }

    /// Whether a new segment has started since last asked (the console records a
    /// checkpoint then).
    pub fn wants_checkpoint(&self) -> bool {
        self.checkpoint.swap(false, Ordering::Relaxed)
    }

    /// Records `e` now (never waits: a full queue drops it, and says so later).
    pub fn record(&mut self, e: Entry) {
        let Some(tx) = &self.tx else {
            return;
        };
        if self.dropped > 0 {
            let d = Box::new(Timed {
                t: now_ms(),
                e: Entry::Dropped {
                    count: self.dropped,
                },
            });
            if tx.try_send(d).is_ok() {
                self.dropped = 0;
            }
        }
        match tx.try_send(Box::new(Timed { t: now_ms(), e })) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => self.dropped += 1,
            Err(TrySendError::Disconnected(_)) => self.tx = None,
        }
    }

    /// Writes what is queued and closes the file (on quit).
    pub fn finish(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.finish();
    }
}

struct Writer {
    target: Target,
    header: Header,
    file: File,
    path: PathBuf,
    written: u64,
    opened: Instant,
    checkpoint: Arc<AtomicBool>,
    min_segment: Duration,
}

/// Segments are at least this far apart: each starts with a checkpoint of
/// everything known, which a small size limit must not turn into one a second.
const MIN_SEGMENT: Duration = Duration::from_secs(60);

/// A segment's name: when it started, sortable.
fn segment_name(t: i64) -> String {
    format!("flight-{t:013}.kdrec")
}

impl Writer {
    fn open(target: Target, header: Header) -> std::io::Result<Writer> {
        let path = match &target {
            Target::Flight { dir, .. } => {
                std::fs::create_dir_all(dir)?;
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
                }
                dir.join(segment_name(now_ms()))
            }
            Target::File(p) => p.clone(),
        };
        let file = create(&path)?;
        let mut w = Writer {
            target,
            header,
            file,
            path,
            written: 0,
            opened: Instant::now(),
            checkpoint: Arc::new(AtomicBool::new(false)),
            min_segment: MIN_SEGMENT,
        };
        w.write_header()?;
        Ok(w)
    }

    fn write_header(&mut self) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(&self.header).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.member(&line)
    }

    /// Appends one gzip member holding `bytes`.
    fn member(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let mut gz = GzEncoder::new(
            Vec::with_capacity(bytes.len() / 4 + 64),
            Compression::fast(),
        );
        gz.write_all(bytes)?;
        let out = gz.finish()?;
        self.file.write_all(&out)?;
        self.written += out.len() as u64;
        Ok(())
    }

    fn run(&mut self, rx: Receiver<Box<Timed>>) {
        // The batch is compressed as it is written: a 50,000-pod list is held as
        // its gzip bytes, never as one JSON text.
        let mut batch = GzEncoder::new(Vec::new(), Compression::fast());
        let mut lines = 0usize;
        // One entry's line, whole before it joins the batch (a failed one never
        // leaves half a line to merge with the next).
        let mut line: Vec<u8> = Vec::new();
        let mut since = Instant::now();
        loop {
            let got = rx.recv_timeout(Duration::from_millis(250));
            let closed = matches!(got, Err(RecvTimeoutError::Disconnected));
            if let Ok(t) = got {
                if matches!(t.e, Entry::Relisted { .. }) {
                    // A whole list (50,000 pods are 37 MB of JSON) is compressed as it is
                    // written, into a gzip member of its own after the batch so far: only
                    // its compressed bytes are ever held, and one that fails to write is
                    // dropped whole.
                    if lines > 0 && !self.flush(&mut batch, &mut lines, &mut since) {
                        return;
                    }
                    let mut member =
                        std::io::BufWriter::new(GzEncoder::new(Vec::new(), Compression::fast()));
                    let ok = serde_json::to_writer(&mut member, &*t).is_ok()
                        && member.write_all(b"\n").is_ok();
                    drop(t);
                    let out = member
                        .into_inner()
                        .map_err(|e| e.into_error())
                        .and_then(GzEncoder::finish);
                    if ok && let Ok(out) = out {
                        if self.file.write_all(&out).is_err() {
                            return;
                        }
                        self.written += out.len() as u64;
                        let _ = self.rotate();
                    }
                } else {
                    line.clear();
                    let ok = serde_json::to_writer(&mut line, &*t).is_ok();
                    drop(t);
                    if ok {
                        line.push(b'\n');
                        if batch.write_all(&line).is_ok() {
                            lines += 1;
                        }
                    }
                    if line.capacity() > 1 << 20 {
                        // A big list's line is not kept for the small ones after it.
                        line = Vec::new();
                    }
                }
            }
            if lines > 0
                && (closed
                    || since.elapsed() >= Duration::from_secs(1)
                    || batch.get_ref().len() > 256 << 10)
                && !self.flush(&mut batch, &mut lines, &mut since)
            {
                return;
            }
            if closed {
                let _ = self.file.sync_all();
                return;
            }
        }
    }

    /// Appends the batch as one gzip member and starts the next; false when the file
    /// cannot be written (a full or vanished disk: the console goes on unrecorded).
    fn flush(
        &mut self,
        batch: &mut GzEncoder<Vec<u8>>,
        lines: &mut usize,
        since: &mut Instant,
    ) -> bool {
        let full = std::mem::replace(batch, GzEncoder::new(Vec::new(), Compression::fast()));
        let written = full.finish().and_then(|out| {
            self.file.write_all(&out)?;
            self.written += out.len() as u64;
            Ok(())
        });
        if written.is_err() {
            return false;
        }
        *lines = 0;
        *since = Instant::now();
        let _ = self.rotate();
        true
    }

    /// A new segment when this one is big or old enough; the oldest dropped while
    /// the whole is over its limits.
    fn rotate(&mut self) -> std::io::Result<()> {
        let Target::Flight {
            dir,
            max_bytes,
            max_age,
        } = &self.target
        else {
            return Ok(());
        };
        let (dir, max_bytes, max_age) = (dir.clone(), *max_bytes, *max_age);
        let seg_bytes = (max_bytes / 8).max(64 << 10);
        if (self.written < seg_bytes && self.opened.elapsed() < Duration::from_secs(3600))
            || self.opened.elapsed() < self.min_segment
        {
            return Ok(());
        }
        let _ = self.file.sync_all();
        self.path = dir.join(segment_name(now_ms()));
        self.file = create(&self.path)?;
        self.written = 0;
        self.opened = Instant::now();
        self.header.started = jiff::Timestamp::now().as_second();
        self.write_header()?;
        self.checkpoint.store(true, Ordering::Relaxed);
        prune(&dir, max_bytes, max_age, &self.path);
        Ok(())
    }
}

fn create(path: &Path) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// The flight recorder's segments, oldest first.
pub fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("flight-") && n.ends_with(".kdrec"))
        })
        .collect();
    v.sort();
    v
}

/// Drops the oldest segments (never `keep`) while the whole is over `max_bytes` or a
/// segment is older than `max_age` seconds.
pub fn prune(dir: &Path, max_bytes: u64, max_age: i64, keep: &Path) {
    let segs = segments(dir);
    let size = |p: &PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mut total: u64 = segs.iter().map(size).sum();
    let oldest_ok = now_ms() - max_age * 1000;
    for p in &segs {
        if p == keep {
            break;
        }
        let started = p
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| {
                n.strip_prefix("flight-")?
                    .strip_suffix(".kdrec")?
                    .parse::<i64>()
                    .ok()
            })
            .unwrap_or(0);
        if total <= max_bytes && started >= oldest_ok {
            break;
        }
        total = total.saturating_sub(size(p));
        let _ = std::fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_segment_asks_for_a_checkpoint_and_starts_with_a_header() {
        let dir = tempfile::tempdir().expect("tempdir");
        let flight = dir.path().join("recordings");
        let header = Header::new(Vec::new(), Vec::new(), 0);
        let mut r = Recorder::start_with(
            Target::Flight {
                dir: flight.clone(),
                max_bytes: 512 << 10,
                max_age: 3600,
            },
            header,
            Duration::ZERO,
        )
        .expect("starts");
        assert!(
            !r.wants_checkpoint(),
            "the first segment has the first lists"
        );
        // Names that do not compress, past a 64 KiB segment.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let name: String = (0..12)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    format!("{:x}", x & 0xffff_ffff)
                })
                .collect();
            r.record(Entry::Deleted {
                ctx: 0,
                kind: crate::cluster::kinds::ResKind::Pod,
                namespace: "ns".into(),
                name,
            });
        }
        let t = Instant::now();
        while segments(&flight).len() < 2 && t.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let segs = segments(&flight);
        assert!(segs.len() >= 2, "{segs:?}");
        assert!(r.wants_checkpoint(), "a new segment wants a checkpoint");
        assert!(!r.wants_checkpoint(), "once");
        r.finish();
        let last = super::super::read::read(segs.last().expect("a segment")).expect("reads");
        assert!(last.header.is_some(), "each segment starts with the header");
    }

    #[test]
    fn a_whole_list_between_small_entries_reads_back_whole_and_in_order() {
        use crate::cluster::kinds::{Labels, Listing, NamespaceRec, ResKind};
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("one.kdrec");
        let mut r = Recorder::start(
            Target::File(file.clone()),
            Header::new(Vec::new(), Vec::new(), 0),
        )
        .expect("starts");
        let deleted = |name: &str| Entry::Deleted {
            ctx: 0,
            kind: ResKind::Pod,
            namespace: "ns".into(),
            name: name.into(),
        };
        r.record(deleted("before"));
        let recs: Vec<_> = (0..5000)
            .map(|i| {
                Arc::new(NamespaceRec {
                    name: format!("team-{i:04}").into(),
                    terminating: false,
                    labels: Labels::default(),
                    created: 0,
                })
            })
            .collect();
        r.record(Entry::Relisted {
            ctx: 0,
            scope: None,
            listing: Listing::Namespace(recs),
        });
        r.record(deleted("after"));
        r.finish();
        let got = super::super::read::read(&file).expect("reads");
        assert!(!got.cut, "nothing was cut");
        assert_eq!(got.skipped, 0);
        let what: Vec<String> = got
            .entries
            .iter()
            .map(|t| match &t.e {
                Entry::Deleted { name, .. } => name.clone(),
                Entry::Relisted { listing, .. } => format!("list of {}", listing.len()),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(what, ["before", "list of 5000", "after"]);
    }
}
