//! Reading a file a person points kdeck at (config, theme, keymap, kubeconfig) without
//! trusting what it is: only a regular file is read (a FIFO would block forever, a
//! device like `/dev/zero` never ends), never more than a cap, symlinks followed but a
//! loop or a dangling link named as such. Absent is not an error (`Ok(None)`).

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// The cap for config.toml, themes and keymaps.
pub const CONFIG_MAX: u64 = 1 << 20;
/// The cap for a kubeconfig (a big one, with many embedded certificates, is ~1 MiB).
pub const KUBECONFIG_MAX: u64 = 16 << 20;

/// The text of the file at `path`, `None` when there is none, or why it cannot be read.
pub fn read_bounded(path: &Path, cap: u64) -> Result<Option<String>, String> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read: {e}")),
        Ok(_) => {}
    }
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Err("cannot read: a symlink loop".into());
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let to = std::fs::read_link(path)
                .map(|p| format!(" ({})", p.display()))
                .unwrap_or_default();
            return Err(format!(
                "cannot read: a symlink to a file that does not exist{to}"
            ));
        }
        Err(e) => return Err(format!("cannot read: {e}")),
    };
    not_regular(&meta.file_type())?;
    // Opened without blocking (were it swapped for a FIFO since), then checked again.
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
        .map_err(|e| format!("cannot read: {e}"))?;
    let meta = f.metadata().map_err(|e| format!("cannot read: {e}"))?;
    not_regular(&meta.file_type())?;
    if meta.len() > cap {
        return Err(format!(
            "cannot read: {} bytes, more than the {} allowed",
            meta.len(),
            size(cap)
        ));
    }
    let mut bytes = Vec::new();
    (&mut f)
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > cap {
        return Err(format!("cannot read: more than the {} allowed", size(cap)));
    }
    String::from_utf8(bytes).map(Some).map_err(|e| {
        format!(
            "cannot read: not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

fn not_regular(t: &std::fs::FileType) -> Result<(), String> {
    let what = if t.is_file() {
        return Ok(());
    } else if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    };
    Err(format!("cannot read: {what}, not a regular file"))
}

fn size(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// Writes `bytes` to `path` (its folder made if needed), readable by this user only.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_is_none_and_a_file_is_read() {
        let d = tempfile::tempdir().expect("tempdir");
        assert_eq!(read_bounded(&d.path().join("nope"), 10), Ok(None));
        let p = d.path().join("a.toml");
        std::fs::write(&p, "x = 1\n").expect("write");
        assert_eq!(read_bounded(&p, 10), Ok(Some("x = 1\n".into())));
    }

    #[test]
    fn what_is_not_a_bounded_regular_file_is_named() {
        let d = tempfile::tempdir().expect("tempdir");
        let big = d.path().join("big");
        std::fs::write(&big, vec![b'a'; 11]).expect("write");
        let e = read_bounded(&big, 10).expect_err("too big");
        assert!(
            e.contains("11 bytes, more than the 10 bytes allowed"),
            "{e}"
        );

        let fifo = d.path().join("fifo");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
        )
        .expect("mkfifo");
        let e = read_bounded(&fifo, 10).expect_err("fifo");
        assert!(e.contains("FIFO"), "{e}");

        let zero = d.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
        let e = read_bounded(&zero, CONFIG_MAX).expect_err("device");
        assert!(e.contains("a device"), "{e}");

        let a = d.path().join("loop");
        std::os::unix::fs::symlink(&a, &a).expect("symlink");
        let e = read_bounded(&a, 10).expect_err("loop");
        assert!(e.contains("symlink loop"), "{e}");

        let dangling = d.path().join("dangling");
        std::os::unix::fs::symlink(d.path().join("gone"), &dangling).expect("symlink");
        let e = read_bounded(&dangling, 10).expect_err("dangling");
        assert!(e.contains("does not exist"), "{e}");

        let e = read_bounded(d.path(), 10).expect_err("dir");
        assert!(e.contains("a directory"), "{e}");

        let bin = d.path().join("bin");
        std::fs::write(&bin, [b'a', 0xff, 0xfe]).expect("write");
        let e = read_bounded(&bin, 10).expect_err("binary");
        assert!(e.contains("not UTF-8"), "{e}");
    }
}
