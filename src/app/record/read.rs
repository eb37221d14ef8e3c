//! Reading a recording back: its header, then every complete entry in order. A file
//! cut mid-member (a crash, SIGKILL, a full disk) reads up to its last complete line
//! and says it was cut; a line that is not an entry (a newer kdeck's kind, garbage)
//! is counted and skipped, never a panic.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use super::{FORMAT, Header, Timed};

/// What a recording holds.
#[derive(Debug, Default)]
pub struct Recording {
    pub header: Option<Header>,
    pub entries: Vec<Timed>,
    /// The file ended inside an entry (it was cut): everything before it is here.
    pub cut: bool,
    /// Lines that were not entries.
    pub skipped: usize,
}

/// Most bytes read from one file (a bound on hostile or runaway input).
const MAX_BYTES: u64 = 4 << 30;

/// Reads one recording file, or every segment of a flight recorder directory in order.
pub fn read(path: &Path) -> Result<Recording, String> {
    let files: Vec<PathBuf> = if path.is_dir() {
        super::write::segments(path)
    } else {
        vec![path.to_path_buf()]
    };
    if files.is_empty() {
        return Err(format!("{}: no recording there", path.display()));
    }
    let mut out = Recording::default();
    for f in files {
        let file = std::fs::File::open(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        read_into(file, &f, &mut out)?;
    }
    Ok(out)
}

fn read_into(file: impl Read, path: &Path, out: &mut Recording) -> Result<(), String> {
    let mut r = BufReader::new(MultiGzDecoder::new(file.take(MAX_BYTES)));
    let mut first = true;
    let mut line = Vec::new();
    loop {
        line.clear();
        match r.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) if line.last() != Some(&b'\n') => {
                // The end of the data, inside a line: cut there.
                out.cut = true;
                break;
            }
            Ok(_) => {}
            Err(_) => {
                out.cut = true;
                break;
            }
        }
        if first {
            first = false;
            let h: Header = serde_json::from_slice(&line)
                .map_err(|e| format!("{}: not a kdeck recording ({e})", path.display()))?;
            if h.format != FORMAT {
                return Err(format!("{}: not a kdeck recording", path.display()));
            }
            if out.header.is_none() {
                out.header = Some(h);
            }
            continue;
        }
        match serde_json::from_slice::<Timed>(&line) {
            Ok(t) => out.entries.push(t),
            Err(_) => out.skipped += 1,
        }
        if line.capacity() > 1 << 20 {
            // A whole list's line (37 MB at 50,000 pods) is not kept for the small
            // lines after it.
            line = Vec::new();
        }
    }
    if first && !out.cut {
        return Err(format!("{}: empty recording", path.display()));
    }
    Ok(())
}
