//! The log view's state: which streams feed it, a bounded buffer of lines (oldest
//! dropped), pause, follow, wrap, and search with match navigation.

use std::collections::VecDeque;
use std::sync::Arc;

use super::msg::CtxId;

/// Lines kept in the buffer.
pub const BUFFER: usize = 5000;
/// Most pods followed at once for a workload's merged logs.
pub const MAX_PODS: usize = 12;

#[derive(Clone, Debug, PartialEq)]
pub struct Stream {
    pub id: u64,
    pub pod: Arc<str>,
    pub container: String,
    pub ended: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub pod: Arc<str>,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogsState {
    pub ctx: CtxId,
    pub namespace: Arc<str>,
    pub title: String,
    pub streams: Vec<Stream>,
    pub lines: VecDeque<Line>,
    /// Lines dropped from the front since the view opened (for stable positions).
    pub dropped: u64,
    /// Lines from the bottom the view is scrolled up by (0: following the tail).
    pub scroll: usize,
    pub paused: bool,
    pub wrap: bool,
    pub previous: bool,
    /// Prefix lines with their pod (merged logs of several pods).
    pub prefixed: bool,
    pub search: String,
    /// The match the view is on (index into `lines`).
    pub current_match: Option<usize>,
}

impl LogsState {
    pub fn new(ctx: CtxId, namespace: Arc<str>, title: String, prefixed: bool) -> LogsState {
        LogsState {
            ctx,
            namespace,
            title,
            streams: Vec::new(),
            lines: VecDeque::new(),
            dropped: 0,
            scroll: 0,
            paused: false,
            wrap: false,
            previous: false,
            prefixed,
            search: String::new(),
            current_match: None,
        }
    }

    pub fn push(&mut self, pod: Arc<str>, text: String) {
        self.lines.push_back(Line { pod, text });
        if self.paused || self.scroll > 0 {
            // Keep the paused view on the same lines as new ones arrive.
            self.scroll += 1;
        }
        while self.lines.len() > BUFFER {
            self.lines.pop_front();
            self.dropped += 1;
            self.scroll = self.scroll.min(self.lines.len());
            self.current_match = self.current_match.and_then(|m| m.checked_sub(1));
        }
    }

    pub fn owns(&self, stream: u64) -> bool {
        self.streams.iter().any(|s| s.id == stream)
    }

    pub fn matches(&self, i: usize) -> bool {
        !self.search.is_empty()
            && self
                .lines
                .get(i)
                .is_some_and(|l| l.text.to_lowercase().contains(&self.search.to_lowercase()))
    }

    /// Moves to the next (or previous) match and scrolls it into view.
    pub fn find(&mut self, forward: bool, view_height: usize) {
        if self.search.is_empty() || self.lines.is_empty() {
            return;
        }
        let n = self.lines.len();
        let start = self
            .current_match
            .unwrap_or(if forward { n.saturating_sub(1) } else { 0 });
        for step in 1..=n {
            let i = if forward {
                (start + step) % n
            } else {
                (start + n - step % n) % n
            };
            if self.matches(i) {
                self.current_match = Some(i);
                let bottom = n - 1;
                // Put the match inside the window [n - scroll - height, n - scroll).
                let from_bottom = bottom - i;
                if from_bottom < self.scroll || from_bottom >= self.scroll + view_height.max(1) {
                    self.scroll = from_bottom.saturating_sub(view_height.max(1) / 2);
                }
                self.paused = true;
                return;
            }
        }
    }

    pub fn follow(&mut self) {
        self.paused = false;
        self.scroll = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_is_bounded_and_pause_holds_the_view() {
        let mut l = LogsState::new(0, Arc::from("ns"), "t".into(), false);
        for i in 0..BUFFER + 10 {
            l.push(Arc::from("p"), format!("line {i}"));
        }
        assert_eq!(l.lines.len(), BUFFER);
        assert_eq!(l.dropped, 10);
        assert_eq!(l.scroll, 0);
        l.paused = true;
        l.push(Arc::from("p"), "new".into());
        assert_eq!(l.scroll, 1, "paused view stays on the same lines");
        l.follow();
        assert_eq!((l.scroll, l.paused), (0, false));
    }

    #[test]
    fn search_moves_between_matches() {
        let mut l = LogsState::new(0, Arc::from("ns"), "t".into(), false);
        for t in ["ok", "ERROR one", "ok", "error two", "ok"] {
            l.push(Arc::from("p"), t.into());
        }
        l.search = "error".into();
        l.find(true, 2);
        assert_eq!(l.current_match, Some(1));
        l.find(true, 2);
        assert_eq!(l.current_match, Some(3));
        l.find(true, 2);
        assert_eq!(l.current_match, Some(1));
        l.find(false, 2);
        assert_eq!(l.current_match, Some(3));
        assert!(l.paused);
    }
}
