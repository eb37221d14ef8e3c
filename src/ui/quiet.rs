//! A backend that writes only what changes. ratatui ends every frame with a style
//! reset and a hide (or move) of the cursor, even when no cell changed; under churn
//! the console draws up to 30 frames a second of which most change nothing, and
//! those 24 bytes a frame were half of what went down an SSH link. This wrapper
//! drops a frame with no changed cell and repeats no cursor command the terminal
//! already obeys; anything that may have changed the screen behind ratatui's back
//! (`clear`, as after a shell) makes it forget what it knew.

use std::io;

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

/// Wraps a backend; see the module comment.
pub struct Quiet<B> {
    inner: B,
    /// Whether the cursor is hidden, when known.
    hidden: Option<bool>,
    /// Where the cursor was last put, while nothing has been drawn since.
    at: Option<Position>,
}

impl<B> Quiet<B> {
    pub fn new(inner: B) -> Self {
        Quiet {
            inner,
            hidden: None,
            at: None,
        }
    }
}

impl<B: Backend<Error = io::Error>> Backend for Quiet<B> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut content = content.peekable();
        if content.peek().is_none() {
            return Ok(());
        }
        self.at = None;
        self.inner.draw(content)
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.at = None;
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.hidden == Some(true) {
            return Ok(());
        }
        self.inner.hide_cursor()?;
        self.hidden = Some(true);
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.hidden == Some(false) {
            return Ok(());
        }
        self.inner.show_cursor()?;
        self.hidden = Some(false);
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let p = position.into();
        if self.at == Some(p) {
            return Ok(());
        }
        self.inner.set_cursor_position(p)?;
        self.at = Some(p);
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.forget();
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.forget();
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<B> Quiet<B> {
    fn forget(&mut self) {
        self.hidden = None;
        self.at = None;
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::io::Write;
    use std::rc::Rc;

    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::CrosstermBackend;
    use ratatui::widgets::Paragraph;

    /// What the terminal was sent, readable while the backend owns the writer.
    #[derive(Clone, Default)]
    struct Sent(Rc<RefCell<Vec<u8>>>);
    impl Write for Sent {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl Sent {
        fn len(&self) -> usize {
            self.0.borrow().len()
        }
        fn since(&self, from: usize) -> String {
            String::from_utf8_lossy(&self.0.borrow()[from..]).into_owned()
        }
    }

    #[test]
    fn an_unchanged_frame_writes_nothing_and_a_change_only_its_cells() {
        let sent = Sent::default();
        let mut t = Terminal::with_options(
            Quiet::new(CrosstermBackend::new(sent.clone())),
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 20, 2)),
            },
        )
        .expect("terminal");
        let frame = |text: &'static str| {
            move |f: &mut ratatui::Frame| f.render_widget(Paragraph::new(text), f.area())
        };
        t.draw(frame("pods 50000")).expect("draw");
        let first = sent.len();
        let all = sent.since(0);
        assert!(all.contains("pods") && all.contains("50000"), "{all:?}");
        for _ in 0..5 {
            t.draw(frame("pods 50000")).expect("draw");
        }
        assert_eq!(sent.len(), first, "five unchanged frames wrote nothing");
        t.draw(frame("pods 50001")).expect("draw");
        let change = sent.since(first);
        assert!(
            change.ends_with("1\u{1b}[39m\u{1b}[49m\u{1b}[59m\u{1b}[0m")
                && !change.contains("pods"),
            "one changed cell: a move, the cell, the style reset; no cursor command: {change:?}"
        );
    }

    #[test]
    fn the_cursor_is_told_once_and_again_after_a_clear() {
        let sent = Sent::default();
        let mut q = Quiet::new(CrosstermBackend::new(sent.clone()));
        q.hide_cursor().expect("hide");
        let once = sent.len();
        assert_eq!(sent.since(0), "\u{1b}[?25l");
        q.hide_cursor().expect("hide");
        assert_eq!(sent.len(), once, "a second hide is not sent");
        q.set_cursor_position((3, 1)).expect("move");
        let moved = sent.len();
        assert_eq!(sent.since(once), "\u{1b}[2;4H");
        q.set_cursor_position((3, 1)).expect("move");
        assert_eq!(sent.len(), moved, "the same place is not sent");
        q.show_cursor().expect("show");
        assert_eq!(sent.since(moved), "\u{1b}[?25h", "showing is a change");
        // A clear (as after a shell) may leave the terminal in any state: say it again.
        q.clear().expect("clear");
        let cleared = sent.len();
        q.show_cursor().expect("show");
        q.set_cursor_position((3, 1)).expect("move");
        assert_eq!(sent.since(cleared), "\u{1b}[?25h\u{1b}[2;4H");
    }
}
