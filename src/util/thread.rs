//! Thread plumbing: a background thread (the flight recorder's writer) steps aside
//! for the console and the network whenever they want the CPU.

/// Lowers the calling thread's scheduling priority to the lowest ordinary one
/// (nice 19), so that its work runs in the time nothing else wants: on a 2-core
/// bastion the recorder compressing a 50,000-pod list must not delay the first
/// screen. Best effort: where it is refused, the thread runs as it was.
pub fn background() {
    #[cfg(target_os = "linux")]
    {
        // On Linux the priority is per thread: the calling thread's id names it.
        let tid = rustix::thread::gettid();
        if let Err(e) = rustix::process::setpriority_process(Some(tid), 19) {
            tracing::debug!(error = %e, "could not lower a background thread's priority");
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn a_background_thread_runs_at_the_lowest_priority_and_others_do_not() {
        let before = rustix::process::getpriority_process(None).expect("priority");
        let inside = std::thread::spawn(|| {
            super::background();
            rustix::process::getpriority_process(Some(rustix::thread::gettid())).expect("priority")
        })
        .join()
        .expect("thread");
        assert_eq!(inside, 19);
        assert_eq!(
            rustix::process::getpriority_process(None).expect("priority"),
            before,
            "only that thread"
        );
    }
}
