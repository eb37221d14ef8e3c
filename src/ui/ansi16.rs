//! Output for 16-colour terminals. crossterm writes every colour, even the 16 named
//! ones, as a 256-colour code (`38;5;9`); a terminal (or an SSH path through an old
//! `screen`) that announces only 16 colours (`TERM=xterm`, `vt100`, `linux`) may draw
//! those wrong or not at all. When the terminal does not announce more, this writer
//! rewrites `38;5;N`/`48;5;N` for N < 16 into the classic codes (30–37, 90–97,
//! 40–47, 100–107) on their way out; everything else passes through unchanged.

use std::io::{self, Write};

/// Whether the terminal announces more than 16 colours.
pub fn more_than_16() -> bool {
    let term = std::env::var("TERM").unwrap_or_default();
    std::env::var_os("COLORTERM").is_some_and(|v| !v.is_empty())
        || term.contains("256color")
        || term.contains("truecolor")
        || term.contains("direct")
        || term.starts_with("tmux")
        || term.starts_with("screen-256")
}

/// The stdout kdeck draws on: as it is, or with colours reduced to the 16 codes.
pub enum Out {
    Plain(io::Stdout),
    Ansi16(Ansi16<io::Stdout>),
}

impl Out {
    pub fn new() -> Out {
        Out::for_theme(false)
    }

    /// `named_only`: the theme uses only the 16 named colours, so only their 16
    /// codes are sent even to a terminal that announces more.
    pub fn for_theme(named_only: bool) -> Out {
        if more_than_16() && !named_only {
            Out::Plain(io::stdout())
        } else {
            Out::Ansi16(Ansi16::new(io::stdout()))
        }
    }
}

impl Default for Out {
    fn default() -> Self {
        Out::new()
    }
}

impl Write for Out {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self {
            Out::Plain(o) => o.write(b),
            Out::Ansi16(o) => o.write(b),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::Plain(o) => o.flush(),
            Out::Ansi16(o) => o.flush(),
        }
    }
}

/// Rewrites 256-colour codes below 16 into the 16-colour ones.
pub struct Ansi16<W: Write> {
    inner: W,
    /// An escape sequence begun in one write and not yet ended.
    pending: Vec<u8>,
}

impl<W: Write> Ansi16<W> {
    pub fn new(inner: W) -> Ansi16<W> {
        Ansi16 {
            inner,
            pending: Vec::new(),
        }
    }

    pub fn into_inner(self) -> W {
        self.inner
    }
}

/// The SGR parameters `p` with 256-colour codes below 16 made classic.
fn rewrite(params: &str) -> String {
    let parts: Vec<&str> = params.split(';').collect();
    let mut out: Vec<String> = Vec::with_capacity(parts.len());
    let mut i = 0;
    while i < parts.len() {
        if (parts[i] == "38" || parts[i] == "48")
            && parts.get(i + 1) == Some(&"5")
            && let Some(n) = parts.get(i + 2).and_then(|n| n.parse::<u8>().ok())
            && n < 16
        {
            let base = if parts[i] == "38" { 30 } else { 40 };
            let code = if n < 8 {
                base + u16::from(n)
            } else {
                base + 60 + u16::from(n - 8)
            };
            out.push(code.to_string());
            i += 3;
            continue;
        }
        out.push(parts[i].to_string());
        i += 1;
    }
    out.join(";")
}

/// Longest escape sequence held back waiting for its end.
const PENDING_MAX: usize = 64;

impl<W: Write> Write for Ansi16<W> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let mut data = std::mem::take(&mut self.pending);
        data.extend_from_slice(b);
        let mut out = Vec::with_capacity(data.len());
        let mut i = 0;
        while i < data.len() {
            if data[i] == 0x1b && data.get(i + 1) == Some(&b'[') {
                // A CSI: parameters (0x30–0x3f), then a final byte (0x40–0x7e).
                let mut j = i + 2;
                while j < data.len() && (0x30..=0x3f).contains(&data[j]) {
                    j += 1;
                }
                if j >= data.len() {
                    if data.len() - i <= PENDING_MAX {
                        self.pending = data[i..].to_vec();
                    } else {
                        out.extend_from_slice(&data[i..]);
                    }
                    break;
                }
                if data[j] == b'm' {
                    let params = String::from_utf8_lossy(&data[i + 2..j]);
                    out.extend_from_slice(b"\x1b[");
                    out.extend_from_slice(rewrite(&params).as_bytes());
                    out.push(b'm');
                } else {
                    out.extend_from_slice(&data[i..=j]);
                }
                i = j + 1;
            } else if data[i] == 0x1b && i + 1 == data.len() {
                self.pending = vec![0x1b];
                break;
            } else {
                out.push(data[i]);
                i += 1;
            }
        }
        self.inner.write_all(&out)?;
        Ok(b.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(chunks: &[&[u8]]) -> String {
        let mut w = Ansi16::new(Vec::new());
        for c in chunks {
            w.write_all(c).expect("write");
        }
        String::from_utf8(w.into_inner()).expect("utf8")
    }

    #[test]
    fn the_16_colours_go_out_as_classic_codes_and_the_rest_unchanged() {
        assert_eq!(through(&[b"\x1b[38;5;1mred"]), "\x1b[31mred");
        assert_eq!(through(&[b"\x1b[38;5;9m"]), "\x1b[91m");
        assert_eq!(through(&[b"\x1b[48;5;4m"]), "\x1b[44m");
        assert_eq!(through(&[b"\x1b[48;5;15m"]), "\x1b[107m");
        assert_eq!(through(&[b"\x1b[1;38;5;2;48;5;0m"]), "\x1b[1;32;40m");
        // 256-colour and truecolour codes, cursor moves and text pass as they are.
        assert_eq!(through(&[b"\x1b[38;5;200m"]), "\x1b[38;5;200m");
        assert_eq!(through(&[b"\x1b[38;2;1;2;3m"]), "\x1b[38;2;1;2;3m");
        assert_eq!(through(&[b"\x1b[12;40H\x1b[0m x"]), "\x1b[12;40H\x1b[0m x");
        // A sequence split across writes.
        assert_eq!(through(&[b"a\x1b[38;", b"5;3mb"]), "a\x1b[33mb");
        assert_eq!(through(&[b"a\x1b", b"[38;5;3mb"]), "a\x1b[33mb");
    }

    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_drawn_frame_has_no_256_colour_codes_below_16() {
        use ratatui::style::{Color, Style};
        let out = Shared::default();
        let mut term = ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(
            Ansi16::new(out.clone()),
        ))
        .expect("terminal");
        let _ = term.draw(|f| {
            let a = f.area();
            f.buffer_mut().set_string(
                0,
                0,
                "crit",
                Style::default().fg(Color::Red).bg(Color::DarkGray),
            );
            f.buffer_mut()
                .set_string(0, 1, "ok", Style::default().fg(Color::LightGreen));
            let _ = a;
        });
        let bytes = out.0.lock().expect("lock").clone();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("crit") && text.contains("ok"));
        assert!(!text.contains("38;5;"), "{text:?}");
        assert!(!text.contains("48;5;"), "{text:?}");
        assert!(
            text.contains("31") && text.contains("100") && text.contains("92"),
            "{text:?}"
        );
    }
}
