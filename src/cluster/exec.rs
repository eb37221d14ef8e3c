//! Commands in containers, through the API server's `pods/exec` (kube-rs over a
//! WebSocket): one command with its output captured (bounded; the caller makes it
//! inert), and an interactive TTY session whose bytes the caller moves between the
//! person's terminal and the container. Both end with the exit code the server
//! reports and the bytes that went each way — what the audit log records, never
//! the bytes themselves.

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams, TerminalSize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

/// Most output kept from one command (per stream); the rest is counted, not kept.
pub const OUTPUT_MAX: usize = 256 * 1024;

/// How a command or session ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ran {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The exit code the server reported (absent: it reported none).
    pub exit: Option<i32>,
    /// Why it did not run or did not finish (the server refused, a timeout…).
    pub error: Option<String>,
    /// Output was longer than `OUTPUT_MAX` (the rest was counted, not kept).
    pub cut: bool,
    /// Bytes sent to the container (stdin) and received from it.
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub took_ms: u64,
}

impl Ran {
    fn failed(why: String, started: Instant) -> Ran {
        Ran {
            error: Some(why),
            took_ms: started.elapsed().as_millis() as u64,
            ..Ran::default()
        }
    }

    /// `exit 0 · 0 B in, 312 B out · 0.4 s` (for the audit record and the screen).
    pub fn summary(&self) -> String {
        let exit = match (self.exit, &self.error) {
            (Some(c), _) => format!("exit {c}"),
            (None, Some(e)) => format!("not run: {e}"),
            (None, None) => "no exit code reported".into(),
        };
        format!(
            "{exit} · {} B in, {} B out · {:.1} s",
            self.bytes_in,
            self.bytes_out,
            self.took_ms as f64 / 1000.0
        )
    }
}

/// The exec's final Status, as the server sends it.
pub type ExecStatus = k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;

/// The exit code in an exec's final Status (`Success`, or `NonZeroExitCode` with
/// an `ExitCode` cause).
pub fn exit_code(s: &ExecStatus) -> Option<i32> {
    if s.status.as_deref() == Some("Success") {
        return Some(0);
    }
    s.details
        .as_ref()?
        .causes
        .iter()
        .flatten()
        .find(|c| c.reason.as_deref() == Some("ExitCode"))
        .and_then(|c| c.message.as_deref()?.parse().ok())
}

fn status_message(s: &ExecStatus) -> String {
    crate::util::sanitize::line(s.message.as_deref().unwrap_or("the command failed"), 300)
}

fn short(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => crate::util::sanitize::line(&s.message, 300),
        other => crate::util::sanitize::line(&other.to_string(), 300),
    }
}

async fn read_bounded<R: tokio::io::AsyncRead + Unpin>(
    mut r: R,
    keep: &mut Vec<u8>,
    cut: &mut bool,
) -> u64 {
    let mut buf = vec![0u8; 16 * 1024];
    let mut total = 0u64;
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => return total,
            Ok(n) => {
                total += n as u64;
                let room = OUTPUT_MAX.saturating_sub(keep.len());
                keep.extend_from_slice(&buf[..n.min(room)]);
                if n > room {
                    *cut = true;
                }
            }
        }
    }
}

/// Runs `command` in `container` of `pod` and waits (at most `timeout`) for its end.
pub async fn run(
    client: kube::Client,
    namespace: &str,
    pod: &str,
    container: &str,
    command: &[String],
    timeout: Duration,
) -> Ran {
    let started = Instant::now();
    let api: Api<Pod> = Api::namespaced(client, namespace);
    let params = AttachParams::default()
        .container(container)
        .stdin(false)
        .stdout(true)
        .stderr(true);
    let attached = tokio::time::timeout(timeout, api.exec(pod, command.to_vec(), &params)).await;
    let mut attached = match attached {
        Err(_) => return Ran::failed(format!("no answer within {} s", timeout.as_secs()), started),
        Ok(Err(e)) => return Ran::failed(short(&e), started),
        Ok(Ok(a)) => a,
    };
    let (Some(out), Some(err), Some(status)) =
        (attached.stdout(), attached.stderr(), attached.take_status())
    else {
        return Ran::failed("the exec stream has no output".into(), started);
    };
    let mut ran = Ran::default();
    let work = async {
        let mut cut_out = false;
        let mut cut_err = false;
        let (mut so, mut se) = (Vec::new(), Vec::new());
        let (a, b) = tokio::join!(
            read_bounded(out, &mut so, &mut cut_out),
            read_bounded(err, &mut se, &mut cut_err)
        );
        let status = status.await;
        (so, se, a + b, cut_out || cut_err, status)
    };
    match tokio::time::timeout(timeout, work).await {
        Ok((so, se, n, cut, status)) => {
            ran.stdout = so;
            ran.stderr = se;
            ran.bytes_out = n;
            ran.cut = cut;
            match status {
                Some(s) => {
                    ran.exit = exit_code(&s);
                    if ran.exit.is_none() {
                        ran.error = Some(status_message(&s));
                    }
                }
                None => ran.error = Some("the server reported no exit status".into()),
            }
        }
        Err(_) => {
            attached.abort();
            ran.error = Some(format!(
                "still running after {} s: stopped waiting",
                timeout.as_secs()
            ));
        }
    }
    ran.took_ms = started.elapsed().as_millis() as u64;
    ran
}

/// Where a session's output goes (the person's terminal).
pub type Sink = Box<dyn FnMut(&[u8]) + Send>;

/// An interactive session's plumbing: bytes typed, terminal sizes, and where the
/// container's output goes.
pub struct Session {
    pub input: mpsc::Receiver<Vec<u8>>,
    pub sizes: mpsc::Receiver<(u16, u16)>,
    /// The window's size when the session opens.
    pub initial: Option<(u16, u16)>,
    pub output: Sink,
}

/// Opens a TTY running `argv` and moves bytes until the container side ends (or
/// the input closes: the terminal went away).
pub async fn interactive(
    client: kube::Client,
    namespace: &str,
    pod: &str,
    container: &str,
    argv: &[String],
    s: &mut Session,
    cancel: tokio_util::sync::CancellationToken,
) -> Ran {
    let started = Instant::now();
    let api: Api<Pod> = Api::namespaced(client, namespace);
    let params = AttachParams::interactive_tty().container(container);
    let attached = tokio::time::timeout(
        Duration::from_secs(20),
        api.exec(pod, argv.to_vec(), &params),
    )
    .await;
    let mut attached = match attached {
        Err(_) => return Ran::failed("no answer within 20 s".into(), started),
        Ok(Err(e)) => return Ran::failed(short(&e), started),
        Ok(Ok(a)) => a,
    };
    let (Some(mut stdin), Some(mut stdout), Some(status)) =
        (attached.stdin(), attached.stdout(), attached.take_status())
    else {
        return Ran::failed("the exec stream has no terminal".into(), started);
    };
    let mut sizes_tx = attached.terminal_size();
    if let (Some((w, h)), Some(tx)) = (s.initial, sizes_tx.as_mut()) {
        let _ = futures::SinkExt::send(
            tx,
            TerminalSize {
                width: w,
                height: h,
            },
        )
        .await;
    }
    let mut ran = Ran::default();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        tokio::select! {
            _ = cancel.cancelled() => {
                attached.abort();
                break;
            }
            n = stdout.read(&mut buf) => match n {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    ran.bytes_out += n as u64;
                    (s.output)(&buf[..n]);
                }
            },
            typed = s.input.recv() => match typed {
                Some(b) => {
                    ran.bytes_in += b.len() as u64;
                    if stdin.write_all(&b).await.is_err() {
                        break;
                    }
                    let _ = stdin.flush().await;
                }
                None => {
                    // The terminal is gone: end the session.
                    attached.abort();
                    ran.error = Some("the terminal went away".into());
                    break;
                }
            },
            size = s.sizes.recv() => {
                if let (Some((w, h)), Some(tx)) = (size, sizes_tx.as_mut()) {
                    let _ = futures::SinkExt::send(tx, TerminalSize { width: w, height: h }).await;
                }
            }
        }
    }
    drop(stdin);
    if let Ok(Some(st)) = tokio::time::timeout(Duration::from_secs(5), status).await {
        ran.exit = exit_code(&st);
        if ran.exit.is_none() {
            ran.error = Some(status_message(&st));
        }
    }
    ran.took_ms = started.elapsed().as_millis() as u64;
    ran
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_read_from_the_status() {
        let ok = ExecStatus {
            status: Some("Success".into()),
            ..ExecStatus::default()
        };
        assert_eq!(exit_code(&ok), Some(0));
        let fail: ExecStatus = match serde_json::from_value(serde_json::json!({
            "status": "Failure", "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": "3"}]},
        })) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(exit_code(&fail), Some(3));
        let other = ExecStatus {
            status: Some("Failure".into()),
            message: Some("boom".into()),
            ..ExecStatus::default()
        };
        assert_eq!(exit_code(&other), None);
        assert_eq!(status_message(&other), "boom");
        let r = Ran {
            exit: Some(0),
            bytes_out: 312,
            took_ms: 400,
            ..Ran::default()
        };
        assert_eq!(r.summary(), "exit 0 · 0 B in, 312 B out · 0.4 s");
    }
}
