//! The simulated shell behind `kubectl exec`: parsing and running what on-call runbooks
//! type inside a simulated container (`curl`, `redis-cli`, `psql`, `nslookup`, `env`, …),
//! the terminal line discipline of an interactive session, and the wording of the errors a
//! real `sh`/`bash` or container runtime would print. Pure logic: the server feeds it argv
//! or typed bytes and gets back [`Out`]s; the cluster is reached only through [`Host`].

use std::collections::BTreeMap;
use std::time::Duration;

use super::{App, HttpResp, app_for_image};

/// A typed line longer than this (tty) is not extended further.
const MAX_LINE_TTY: usize = 4096;
/// Piped (non-tty) input lines are cut at this length.
const MAX_LINE_PIPE: usize = 64 * 1024;
/// Output of one command (and of one pipe) is cut at this size.
const MAX_OUT: usize = 1 << 20;
/// Output of one script / one `input()` call is cut at this size.
const MAX_TOTAL: usize = 8 << 20;
/// Nesting of `sh -c` and `$(...)`.
const MAX_DEPTH: u8 = 8;
const MAX_SLEEP_SECS: f64 = 600.0;
const NAMESERVER: &str = "10.96.0.10";
const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const ROOT_LISTING: &str = "bin  dev  etc  home  proc  root  sys  tmp  usr  var\n";
const BUILTINS: &[&str] = &["exit", "export", "unset", "cd", "set", ":", "exec"];
const PROGRAMS: &[&str] = &[
    "true", "false", "echo", "printf", "sleep", "pwd", "whoami", "id", "date", "ls", "uname", "ps",
    "hostname", "env", "printenv", "cat", "grep", "head", "tail", "wc", "curl", "wget", "nslookup",
    "sh", "bash",
];

/// What the shell needs from the simulated cluster (implemented by the server, holding its lock briefly per call).
pub trait Host {
    /// An HTTP request to one of this pod's own ports (`localhost`/`127.0.0.1`); None: nothing listens there (connection refused).
    fn local_http(
        &mut self,
        port: u16,
        method: &str,
        path: &str,
        query: &str,
        body: &[u8],
    ) -> Option<HttpResp>;
    /// An HTTP request to a Service by DNS name (`name`, `name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local`); Err(curl-style reason) when it cannot be reached or resolved, e.g. "Could not resolve host: x".
    fn service_http(
        &mut self,
        host: &str,
        port: u16,
        method: &str,
        path: &str,
        query: &str,
        body: &[u8],
    ) -> Result<HttpResp, String>;
    /// DNS: the Service's fully qualified name and cluster IP.
    fn lookup(&self, name: &str) -> Option<(String, String)>;
    /// The container's environment (from the pod spec, already resolved), in order.
    fn env(&self) -> Vec<(String, String)>;
    /// The pod's name.
    fn hostname(&self) -> String;
    /// The container's image (e.g. "redis:7-alpine", "postgres:15", "flextime/api:v2.3.0").
    fn image(&self) -> String;
    /// The pod's namespace, for `/etc/resolv.conf`'s search list; empty: unknown.
    fn namespace(&self) -> String {
        String::new()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    Sleep(Duration),
    Exit(i32),
}

/// An interactive (or stdin-fed) shell session.
pub struct Shell {
    st: State,
    tty: bool,
    prompt: String,
    line: Vec<u8>,
    esc: Esc,
    after_cr: bool,
    ended: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Esc {
    None,
    Esc,
    Csi,
    Ss3,
}

impl Shell {
    /// `argv` is exec's command. Returns None when argv asks for an interactive shell
    /// (`sh`, `bash`, `/bin/sh`, `sh -i`, `bash -l` … with no `-c`): the caller then creates
    /// one with [`Shell::interactive`]. Otherwise Some(outputs), always ending with `Out::Exit`.
    pub fn run_argv(host: &mut dyn Host, argv: &[String], tty: bool) -> Option<Vec<Out>> {
        let mut buf = Buf::new(MAX_TOTAL);
        let code = match argv.first() {
            None => {
                buf.err("error: you must specify at least one command for the container\n");
                1
            }
            Some(first) => match Flavor::of(first) {
                Some(flavor) => match shell_args(flavor, &argv[1..]) {
                    ShellArgs::Interactive => return None,
                    ShellArgs::Fail(msg, code) => {
                        buf.err(msg);
                        code
                    }
                    ShellArgs::Script(src) => {
                        let mut st = State::new(flavor);
                        Exec {
                            host,
                            st: &mut st,
                            depth: 0,
                        }
                        .script(&src, &mut buf);
                        st.last
                    }
                },
                None => {
                    let mut st = State::new(Flavor::Sh);
                    Exec {
                        host,
                        st: &mut st,
                        depth: 0,
                    }
                    .command(argv, None, Via::Exec, &mut buf)
                }
            },
        };
        let mut outs = buf.outs;
        if tty {
            outs = crlf(outs);
        }
        outs.push(Out::Exit(code));
        Some(outs)
    }

    /// An interactive shell ("sh" or "bash" as given by argv[0]'s basename). `tty`: a terminal
    /// is attached (echo typed characters, line editing, "\n" sent as "\r\n").
    pub fn interactive(argv0: &str, tty: bool, host: &dyn Host) -> Shell {
        let flavor = Flavor::of(argv0).unwrap_or(Flavor::Sh);
        let prompt = match flavor {
            Flavor::Sh => "/ # ".to_string(),
            Flavor::Bash => format!("root@{}:/# ", host.hostname()),
        };
        Shell {
            st: State::new(flavor),
            tty,
            prompt,
            line: Vec::new(),
            esc: Esc::None,
            after_cr: false,
            ended: false,
        }
    }

    /// The first prompt (empty without a tty).
    pub fn start(&mut self) -> Vec<Out> {
        if self.tty && !self.ended {
            vec![Out::Stdout(self.prompt.clone().into_bytes())]
        } else {
            Vec::new()
        }
    }

    /// Bytes typed / piped in. Includes `Out::Exit(code)` once the shell ends.
    pub fn input(&mut self, host: &mut dyn Host, bytes: &[u8]) -> Vec<Out> {
        let mut out = Buf::new(MAX_TOTAL);
        for &b in bytes {
            if self.ended {
                break;
            }
            if self.tty {
                self.tty_byte(host, b, &mut out);
            } else if b == b'\n' {
                let mut line = std::mem::take(&mut self.line);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.run_line(host, &line, &mut out);
            } else if self.line.len() < MAX_LINE_PIPE {
                self.line.push(b);
            }
        }
        out.outs
    }

    /// stdin closed: run any pending partial line (without a tty; a terminal's unfinished
    /// line is dropped), then `Exit(last status)`.
    pub fn eof(&mut self, host: &mut dyn Host) -> Vec<Out> {
        if self.ended {
            return Vec::new();
        }
        let mut out = Buf::new(MAX_TOTAL);
        let line = std::mem::take(&mut self.line);
        if !self.tty && !line.is_empty() {
            self.run_line(host, &line, &mut out);
        }
        if !self.ended {
            self.ended = true;
            out.push(Out::Exit(self.st.last));
        }
        out.outs
    }

    /// Whether it has ended.
    pub fn ended(&self) -> bool {
        self.ended
    }

    fn tty_byte(&mut self, host: &mut dyn Host, b: u8, out: &mut Buf) {
        match self.esc {
            Esc::None => {}
            Esc::Esc => {
                self.esc = match b {
                    b'[' => Esc::Csi,
                    b'O' => Esc::Ss3,
                    _ => Esc::None,
                };
                return;
            }
            Esc::Csi => {
                if !(0x20..=0x3f).contains(&b) {
                    self.esc = Esc::None;
                }
                return;
            }
            Esc::Ss3 => {
                self.esc = Esc::None;
                return;
            }
        }
        let after_cr = std::mem::replace(&mut self.after_cr, false);
        match b {
            b'\n' if after_cr => {}
            b'\r' | b'\n' => {
                self.after_cr = b == b'\r';
                out.out("\r\n");
                let line = std::mem::take(&mut self.line);
                self.run_line(host, &line, out);
                if !self.ended {
                    out.out(self.prompt.as_str());
                }
            }
            0x1b => self.esc = Esc::Esc,
            0x7f | 0x08 => {
                if pop_char(&mut self.line) {
                    out.out("\x08 \x08");
                }
            }
            0x03 => {
                self.line.clear();
                self.st.last = 130;
                out.out("^C\r\n");
                out.out(self.prompt.as_str());
            }
            0x04 => {
                if self.line.is_empty() {
                    out.out("exit\r\n");
                    self.ended = true;
                    out.push(Out::Exit(self.st.last));
                }
            }
            0x15 => {
                while pop_char(&mut self.line) {
                    out.out("\x08 \x08");
                }
            }
            0..=0x1f => {}
            _ => {
                if self.line.len() < MAX_LINE_TTY {
                    self.line.push(b);
                    out.out(vec![b]);
                } else {
                    out.out("\x07");
                }
            }
        }
    }

    fn run_line(&mut self, host: &mut dyn Host, line: &[u8], out: &mut Buf) {
        let src = String::from_utf8_lossy(line).into_owned();
        let mut buf = Buf::new(MAX_TOTAL);
        Exec {
            host,
            st: &mut self.st,
            depth: 0,
        }
        .script(&src, &mut buf);
        let outs = if self.tty { crlf(buf.outs) } else { buf.outs };
        for o in outs {
            out.push(o);
        }
        if let Some(code) = self.st.exit {
            if self.tty && self.st.flavor == Flavor::Bash {
                out.out("exit\r\n");
            }
            self.ended = true;
            out.push(Out::Exit(code));
        }
    }
}

/// Removes the last UTF-8 character of a line; false when it was empty.
fn pop_char(line: &mut Vec<u8>) -> bool {
    let had = !line.is_empty();
    while let Some(b) = line.pop() {
        if b & 0xc0 != 0x80 {
            break;
        }
    }
    had
}

/// Output `\n` as `\r\n`, as a terminal's ONLCR does.
fn crlf(outs: Vec<Out>) -> Vec<Out> {
    let conv = |b: Vec<u8>| {
        let mut v = Vec::with_capacity(b.len() + 8);
        let mut prev = 0u8;
        for c in b {
            if c == b'\n' && prev != b'\r' {
                v.push(b'\r');
            }
            v.push(c);
            prev = c;
        }
        v
    };
    outs.into_iter()
        .map(|o| match o {
            Out::Stdout(b) => Out::Stdout(conv(b)),
            Out::Stderr(b) => Out::Stderr(conv(b)),
            o => o,
        })
        .collect()
}

/// Collected outputs, adjacent ones of a kind coalesced, bytes capped.
struct Buf {
    outs: Vec<Out>,
    bytes: usize,
    cap: usize,
}

impl Buf {
    fn new(cap: usize) -> Buf {
        Buf {
            outs: Vec::new(),
            bytes: 0,
            cap,
        }
    }
    fn room(&mut self, mut b: Vec<u8>) -> Option<Vec<u8>> {
        let room = self.cap.saturating_sub(self.bytes);
        if room == 0 || b.is_empty() {
            return None;
        }
        b.truncate(room);
        self.bytes += b.len();
        Some(b)
    }
    fn push(&mut self, o: Out) {
        let o = match o {
            Out::Stdout(b) => match self.room(b) {
                Some(b) => Out::Stdout(b),
                None => return,
            },
            Out::Stderr(b) => match self.room(b) {
                Some(b) => Out::Stderr(b),
                None => return,
            },
            o => o,
        };
        match (self.outs.last_mut(), o) {
            (Some(Out::Stdout(a)), Out::Stdout(b)) | (Some(Out::Stderr(a)), Out::Stderr(b)) => {
                a.extend(b)
            }
            (Some(Out::Sleep(a)), Out::Sleep(b)) => *a += b,
            (_, o) => self.outs.push(o),
        }
    }
    fn out(&mut self, b: impl Into<Vec<u8>>) {
        self.push(Out::Stdout(b.into()));
    }
    fn err(&mut self, b: impl Into<Vec<u8>>) {
        self.push(Out::Stderr(b.into()));
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Flavor {
    Sh,
    Bash,
}

impl Flavor {
    fn of(argv0: &str) -> Option<Flavor> {
        match basename(argv0) {
            "sh" => Some(Flavor::Sh),
            "bash" => Some(Flavor::Bash),
            _ => None,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Flavor::Sh => "sh",
            Flavor::Bash => "bash",
        }
    }
    fn syntax(self, e: &SynErr) -> String {
        match (self, e) {
            (Flavor::Sh, SynErr::Unterminated(_)) => {
                "sh: syntax error: unterminated quoted string\n".into()
            }
            (Flavor::Bash, SynErr::Unterminated(q)) => {
                format!("bash: unexpected EOF while looking for matching `{q}'\n")
            }
            (Flavor::Sh, SynErr::Unexpected(t)) => {
                format!("sh: syntax error: unexpected \"{t}\"\n")
            }
            (Flavor::Bash, SynErr::Unexpected(t)) => {
                format!("bash: syntax error near unexpected token `{t}'\n")
            }
            (f, SynErr::Eof) => format!("{}: syntax error: unexpected end of file\n", f.name()),
        }
    }
}

fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

enum ShellArgs {
    Script(String),
    Interactive,
    Fail(String, i32),
}

/// Reads `sh`/`bash` options: `-c SCRIPT`, a script file, or nothing (interactive).
fn shell_args(flavor: Flavor, args: &[String]) -> ShellArgs {
    let mut want_c = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        if a == "--" {
            break;
        }
        if a.starts_with("--") {
            continue;
        }
        if a.len() > 1 && (a.starts_with('-') || a.starts_with('+')) {
            want_c |= a[1..].contains('c');
            if a == "-o" || a == "+o" {
                i += 1;
            }
            continue;
        }
        i -= 1;
        break;
    }
    let first = args.get(i);
    match (want_c, first, flavor) {
        (true, Some(s), _) => ShellArgs::Script(s.clone()),
        (true, None, Flavor::Sh) => ShellArgs::Fail("sh: -c requires an argument\n".into(), 2),
        (true, None, Flavor::Bash) => {
            ShellArgs::Fail("bash: -c: option requires an argument\n".into(), 2)
        }
        (false, None, _) => ShellArgs::Interactive,
        (false, Some(f), Flavor::Sh) => ShellArgs::Fail(
            format!("sh: can't open '{f}': No such file or directory\n"),
            2,
        ),
        (false, Some(f), Flavor::Bash) => {
            ShellArgs::Fail(format!("bash: {f}: No such file or directory\n"), 127)
        }
    }
}

// ---------------------------------------------------------------- parsing

#[derive(Debug, Clone)]
enum Part {
    Lit(String),
    Quoted(String),
    /// `$NAME` / `${NAME}`; bool: inside double quotes (no field splitting).
    Var(String, bool),
    /// `$(...)` / backticks.
    Sub(String, bool),
}

type Word = Vec<Part>;

#[derive(Debug)]
enum Tok {
    Word(Word),
    Op(&'static str),
    Redir(Option<u8>, &'static str),
}

#[derive(Debug)]
enum SynErr {
    Unterminated(char),
    Unexpected(String),
    Eof,
}

fn push_str(word: &mut Word, s: &str, quoted: bool) {
    match word.last_mut() {
        Some(Part::Quoted(w)) if quoted => w.push_str(s),
        Some(Part::Lit(w)) if !quoted => w.push_str(s),
        _ if quoted => word.push(Part::Quoted(s.to_string())),
        _ if !s.is_empty() => word.push(Part::Lit(s.to_string())),
        _ => {}
    }
}

fn lex(src: &str) -> Result<Vec<Tok>, SynErr> {
    let c: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut word: Word = Vec::new();
    let mut in_word = false;
    let flush = |toks: &mut Vec<Tok>, word: &mut Word, in_word: &mut bool| {
        if std::mem::take(in_word) {
            toks.push(Tok::Word(std::mem::take(word)));
        }
    };
    let mut i = 0;
    while let Some(&ch) = c.get(i) {
        i += 1;
        match ch {
            ' ' | '\t' | '\r' => flush(&mut toks, &mut word, &mut in_word),
            '\n' => {
                flush(&mut toks, &mut word, &mut in_word);
                toks.push(Tok::Op("\n"));
            }
            '#' if !in_word => {
                while c.get(i).is_some_and(|&d| d != '\n') {
                    i += 1;
                }
            }
            ';' => {
                flush(&mut toks, &mut word, &mut in_word);
                toks.push(Tok::Op(";"));
            }
            '&' | '|' => {
                flush(&mut toks, &mut word, &mut in_word);
                let next = c.get(i).copied();
                let tok = match (ch, next) {
                    ('&', Some('&')) => Tok::Op("&&"),
                    ('&', Some('>')) => Tok::Redir(None, "&>"),
                    ('|', Some('|')) => Tok::Op("||"),
                    ('&', _) => Tok::Op("&"),
                    _ => Tok::Op("|"),
                };
                if matches!(tok, Tok::Op("&&" | "||") | Tok::Redir(..)) {
                    i += 1;
                }
                toks.push(tok);
            }
            '>' | '<' => {
                let fd = match word.as_slice() {
                    [Part::Lit(s)] if s.len() == 1 && s.as_bytes()[0].is_ascii_digit() => {
                        Some(s.as_bytes()[0] - b'0')
                    }
                    _ => None,
                };
                if fd.is_some() {
                    word.clear();
                    in_word = false;
                } else {
                    flush(&mut toks, &mut word, &mut in_word);
                }
                let op = match (ch, c.get(i)) {
                    ('>', Some('>')) => ">>",
                    ('>', Some('&')) => ">&",
                    ('<', Some('&')) => "<&",
                    ('>', _) => ">",
                    _ => "<",
                };
                i += op.len() - 1;
                toks.push(Tok::Redir(fd, op));
            }
            '(' | ')' => return Err(SynErr::Unexpected(ch.to_string())),
            '\'' => {
                let start = i;
                while c.get(i).is_some_and(|&d| d != '\'') {
                    i += 1;
                }
                if i >= c.len() {
                    return Err(SynErr::Unterminated('\''));
                }
                push_str(&mut word, &c[start..i].iter().collect::<String>(), true);
                i += 1;
                in_word = true;
            }
            '"' => {
                in_word = true;
                push_str(&mut word, "", true);
                loop {
                    let Some(&d) = c.get(i) else {
                        return Err(SynErr::Unterminated('"'));
                    };
                    i += 1;
                    match d {
                        '"' => break,
                        '\\' => match c.get(i) {
                            Some(&e @ ('$' | '`' | '"' | '\\')) => {
                                i += 1;
                                push_str(&mut word, e.encode_utf8(&mut [0; 4]), true);
                            }
                            Some('\n') => i += 1,
                            _ => push_str(&mut word, "\\", true),
                        },
                        '$' => i = dollar(&c, i, true, &mut word)?,
                        '`' => i = backtick(&c, i, true, &mut word)?,
                        _ => push_str(&mut word, d.encode_utf8(&mut [0; 4]), true),
                    }
                }
            }
            '\\' => match c.get(i) {
                Some('\n') => i += 1,
                Some(&e) => {
                    i += 1;
                    in_word = true;
                    push_str(&mut word, e.encode_utf8(&mut [0; 4]), true);
                }
                None => {
                    in_word = true;
                    push_str(&mut word, "\\", false);
                }
            },
            '$' => {
                in_word = true;
                i = dollar(&c, i, false, &mut word)?;
            }
            '`' => {
                in_word = true;
                i = backtick(&c, i, false, &mut word)?;
            }
            _ => {
                in_word = true;
                push_str(&mut word, ch.encode_utf8(&mut [0; 4]), false);
            }
        }
    }
    flush(&mut toks, &mut word, &mut in_word);
    Ok(toks)
}

/// After a `$` at `c[i-1]`: pushes the expansion part, returns the index after it.
fn dollar(c: &[char], i: usize, quoted: bool, word: &mut Word) -> Result<usize, SynErr> {
    match c.get(i) {
        Some(&d @ ('?' | '$' | '#' | '!' | '@' | '*' | '-' | '0'..='9')) => {
            word.push(Part::Var(d.to_string(), quoted));
            Ok(i + 1)
        }
        Some('{') => {
            let end = (i + 1..c.len())
                .find(|&j| c[j] == '}')
                .ok_or(SynErr::Unterminated('}'))?;
            word.push(Part::Var(c[i + 1..end].iter().collect(), quoted));
            Ok(end + 1)
        }
        Some('(') => {
            let mut depth = 1;
            let mut j = i + 1;
            while depth > 0 {
                let Some(&d) = c.get(j) else {
                    return Err(SynErr::Unterminated(')'));
                };
                match d {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    '\\' => j += 1,
                    '\'' | '"' => {
                        j += 1;
                        while c.get(j).is_some_and(|&e| e != d) {
                            j += if d == '"' && c[j] == '\\' { 2 } else { 1 };
                        }
                        if j >= c.len() {
                            return Err(SynErr::Unterminated(d));
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            word.push(Part::Sub(c[i + 1..j - 1].iter().collect(), quoted));
            Ok(j)
        }
        Some(&d) if d.is_ascii_alphabetic() || d == '_' => {
            let end = (i..c.len())
                .find(|&j| !(c[j].is_ascii_alphanumeric() || c[j] == '_'))
                .unwrap_or(c.len());
            word.push(Part::Var(c[i..end].iter().collect(), quoted));
            Ok(end)
        }
        _ => {
            push_str(word, "$", quoted);
            Ok(i)
        }
    }
}

fn backtick(c: &[char], i: usize, quoted: bool, word: &mut Word) -> Result<usize, SynErr> {
    let mut j = i;
    let mut s = String::new();
    loop {
        match c.get(j) {
            None => return Err(SynErr::Unterminated('`')),
            Some('`') => break,
            Some('\\') if c.get(j + 1) == Some(&'`') => {
                s.push('`');
                j += 1;
            }
            Some(&d) => s.push(d),
        }
        j += 1;
    }
    word.push(Part::Sub(s, quoted));
    Ok(j + 1)
}

#[derive(Default)]
struct Simple {
    words: Vec<Word>,
    redirs: Vec<(Option<u8>, &'static str, Word)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Conn {
    Seq,
    And,
    Or,
}

type Pipeline = Vec<Simple>;

fn parse(toks: Vec<Tok>) -> Result<Vec<(Conn, Pipeline)>, SynErr> {
    let mut list = Vec::new();
    let mut pipe: Pipeline = Vec::new();
    let mut cur = Simple::default();
    let mut conn = Conn::Seq;
    let mut it = toks.into_iter();
    while let Some(t) = it.next() {
        match t {
            Tok::Word(w) => cur.words.push(w),
            Tok::Redir(fd, op) => match it.next() {
                Some(Tok::Word(w)) => cur.redirs.push((fd, op, w)),
                Some(Tok::Op("\n")) | None => return Err(SynErr::Unexpected("newline".into())),
                Some(Tok::Op(o) | Tok::Redir(_, o)) => return Err(SynErr::Unexpected(o.into())),
            },
            Tok::Op(op) => {
                let empty = cur.words.is_empty() && cur.redirs.is_empty();
                if empty {
                    if op == "\n" {
                        continue;
                    }
                    return Err(SynErr::Unexpected(op.into()));
                }
                pipe.push(std::mem::take(&mut cur));
                if op != "|" {
                    list.push((conn, std::mem::take(&mut pipe)));
                    conn = match op {
                        "&&" => Conn::And,
                        "||" => Conn::Or,
                        _ => Conn::Seq,
                    };
                }
            }
        }
    }
    if !(cur.words.is_empty() && cur.redirs.is_empty()) {
        pipe.push(cur);
    } else if !pipe.is_empty() || conn != Conn::Seq {
        return Err(SynErr::Eof);
    }
    if !pipe.is_empty() {
        list.push((conn, pipe));
    }
    Ok(list)
}

// ---------------------------------------------------------------- running

struct State {
    flavor: Flavor,
    last: i32,
    /// Shell variables: name, value, exported.
    vars: Vec<(String, String, bool)>,
    /// The simulated redis server's keys (set/get within one session).
    redis: BTreeMap<String, String>,
    /// Set by `exit`: the shell ends with this status.
    exit: Option<i32>,
}

impl State {
    fn new(flavor: Flavor) -> State {
        State {
            flavor,
            last: 0,
            vars: Vec::new(),
            redis: BTreeMap::new(),
            exit: None,
        }
    }
    fn set_var(&mut self, name: &str, value: Option<&str>, export: bool) {
        match self.vars.iter_mut().find(|v| v.0 == name) {
            Some(v) => {
                if let Some(value) = value {
                    v.1 = value.to_string();
                }
                v.2 |= export;
            }
            None => self
                .vars
                .push((name.to_string(), value.unwrap_or("").to_string(), export)),
        }
    }
}

/// Where a command's stdout/stderr go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dest {
    Out,
    Err,
    Pipe,
    Null,
}

/// How a program is being started (decides builtins and "not found" wording).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    Shell,
    Exec,
    Env,
}

struct Exec<'a> {
    host: &'a mut dyn Host,
    st: &'a mut State,
    depth: u8,
}

struct Url {
    host: String,
    port: u16,
    path: String,
    query: String,
}

enum UrlErr {
    Https(String),
    Proto(String),
    NoHost,
    BadPort,
}

enum FetchErr {
    Refused,
    Resolve(String),
    Other(String),
}

fn is_local(h: &str) -> bool {
    matches!(h, "localhost" | "127.0.0.1" | "0.0.0.0" | "::1")
}

fn parse_url(s: &str) -> Result<Url, UrlErr> {
    let (scheme, rest) = match s.split_once("://") {
        Some((sc, r)) => (sc.to_ascii_lowercase(), r),
        None => ("http".to_string(), s),
    };
    if scheme != "http" && scheme != "https" {
        return Err(UrlErr::Proto(scheme));
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (auth, tail) = rest.split_at(end);
    let hp = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    let (host, port) = match hp.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => return Err(UrlErr::NoHost),
        },
        None => match hp.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hp, None),
        },
    };
    if host.is_empty() {
        return Err(UrlErr::NoHost);
    }
    let port = match port {
        None | Some("") => {
            if scheme == "https" {
                443
            } else {
                80
            }
        }
        Some(p) => p.parse::<u16>().map_err(|_| UrlErr::BadPort)?,
    };
    if scheme == "https" {
        return Err(UrlErr::Https(host.to_ascii_lowercase()));
    }
    let tail = tail.split('#').next().unwrap_or("");
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    let path = if path.is_empty() {
        "/".to_string()
    } else {
        path.to_string()
    };
    Ok(Url {
        host: host.to_ascii_lowercase(),
        port,
        path,
        query: query.to_string(),
    })
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// curl's `-w` format: `%{http_code}` and friends, `\n`-style escapes.
fn write_out(fmt: &str, code: u16, content_type: &str, size: usize) -> String {
    let mut s = String::new();
    let mut it = fmt.chars().peekable();
    while let Some(c) = it.next() {
        match (c, it.peek()) {
            ('%', Some('{')) => {
                it.next();
                let name: String = it.by_ref().take_while(|&c| c != '}').collect();
                match name.as_str() {
                    "http_code" | "response_code" => s.push_str(&format!("{code:03}")),
                    "content_type" => s.push_str(content_type),
                    "size_download" => s.push_str(&size.to_string()),
                    n if n.starts_with("time_") => s.push_str("0.001873"),
                    _ => {}
                }
            }
            ('%', Some('%')) => {
                it.next();
                s.push('%');
            }
            ('\\', Some(&e @ ('n' | 't' | 'r' | '\\'))) => {
                it.next();
                s.push(match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    _ => '\\',
                });
            }
            _ => s.push(c),
        }
    }
    s
}

/// Backslash escapes of `echo -e` / `printf`.
fn unescape(s: &str) -> String {
    let mut r = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            r.push(c);
            continue;
        }
        match it.next() {
            Some('n') => r.push('\n'),
            Some('t') => r.push('\t'),
            Some('r') => r.push('\r'),
            Some('\\') => r.push('\\'),
            Some(o) => {
                r.push('\\');
                r.push(o);
            }
            None => r.push('\\'),
        }
    }
    r
}

/// A `-X VALUE` / `-XVALUE` option's value; `i` is past the flag and is advanced.
fn opt_value(rest: &str, args: &[String], i: &mut usize) -> Option<String> {
    if !rest.is_empty() {
        return Some(rest.to_string());
    }
    let v = args.get(*i).cloned();
    *i += usize::from(v.is_some());
    v
}

fn norm_path(p: &str) -> String {
    let p = if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    };
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        "/".to_string()
    } else {
        t.to_string()
    }
}

fn lines_of(b: &[u8]) -> Vec<&[u8]> {
    b.split_inclusive(|&c| c == b'\n').collect()
}

fn psql_table(
    cols: &[&str],
    rows: &[Vec<String>],
    numeric: &[bool],
    tuples: bool,
    unaligned: bool,
) -> String {
    let mut s = String::new();
    if unaligned {
        if !tuples {
            s += &cols.join("|");
            s.push('\n');
        }
        for r in rows {
            s += &r.join("|");
            s.push('\n');
        }
    } else {
        let width = |i: usize| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .chain([cols[i].chars().count()])
                .max()
                .unwrap_or(0)
        };
        let w: Vec<usize> = (0..cols.len()).map(width).collect();
        if !tuples {
            let head: Vec<String> = cols
                .iter()
                .zip(&w)
                .map(|(c, &w)| format!("{c:^w$}"))
                .collect();
            s += &format!(" {} \n", head.join(" | "));
            s += &w
                .iter()
                .map(|w| "-".repeat(w + 2))
                .collect::<Vec<_>>()
                .join("+");
            s.push('\n');
        }
        for r in rows {
            let cells: Vec<String> = r
                .iter()
                .zip(w.iter().zip(numeric))
                .map(|(c, (&w, &num))| {
                    if num {
                        format!("{c:>w$}")
                    } else {
                        format!("{c:<w$}")
                    }
                })
                .collect();
            s += format!(" {}", cells.join(" | ")).trim_end();
            s.push('\n');
        }
    }
    if !tuples {
        s += &format!(
            "({} row{})\n\n",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" }
        );
    }
    s
}

impl Exec<'_> {
    fn script(&mut self, src: &str, out: &mut Buf) {
        let list = match lex(src).and_then(parse) {
            Ok(l) => l,
            Err(e) => {
                out.err(self.st.flavor.syntax(&e));
                self.st.last = 2;
                return;
            }
        };
        for (conn, pipe) in list {
            if self.st.exit.is_some() {
                break;
            }
            match conn {
                Conn::And if self.st.last != 0 => continue,
                Conn::Or if self.st.last == 0 => continue,
                _ => {}
            }
            self.pipeline(&pipe, out);
        }
    }

    fn pipeline(&mut self, stages: &[Simple], out: &mut Buf) {
        let mut stdin: Option<Vec<u8>> = None;
        let mut status = 0;
        for (i, s) in stages.iter().enumerate() {
            let last = i + 1 == stages.len();
            let mut pipe = Buf::new(MAX_OUT);
            status = self.simple(
                s,
                stdin.take(),
                if last { Dest::Out } else { Dest::Pipe },
                &mut pipe,
                out,
            );
            let bytes: Vec<u8> = pipe
                .outs
                .into_iter()
                .flat_map(|o| {
                    if let Out::Stdout(b) = o {
                        b
                    } else {
                        Vec::new()
                    }
                })
                .collect();
            stdin = Some(bytes);
        }
        if stages.len() > 1 {
            self.st.exit = None;
        }
        self.st.last = status;
    }

    fn simple(
        &mut self,
        s: &Simple,
        mut stdin: Option<Vec<u8>>,
        fd1: Dest,
        pipe: &mut Buf,
        out: &mut Buf,
    ) -> i32 {
        let mut argv = Vec::new();
        for w in &s.words {
            argv.extend(self.expand(w, out));
        }
        let (mut fd1, mut fd2) = (fd1, Dest::Err);
        let fl = self.st.flavor.name();
        for (fd, op, w) in &s.redirs {
            let target = self.expand(w, out).join(" ");
            let fd = fd.unwrap_or(if op.starts_with('<') { 0 } else { 1 });
            let dup = match target.as_str() {
                "1" => Some(fd1),
                "2" => Some(fd2),
                "-" => Some(Dest::Null),
                _ => None,
            };
            match (*op, dup) {
                ("<&", _) => {}
                ("<", _) => match self.read_file(&target) {
                    Ok(c) => stdin = Some(c),
                    Err(_) => {
                        out.err(format!("{fl}: can't open {target}: no such file\n"));
                        return 1;
                    }
                },
                (">&", Some(d)) => {
                    if fd == 2 {
                        fd2 = d
                    } else {
                        fd1 = d
                    }
                }
                _ => {
                    let d = match target.as_str() {
                        "/dev/null" => Dest::Null,
                        "/dev/stdout" => fd1,
                        "/dev/stderr" => fd2,
                        _ => {
                            out.err(match self.st.flavor {
                                Flavor::Sh => {
                                    format!("sh: can't create {target}: Read-only file system\n")
                                }
                                Flavor::Bash => format!("bash: {target}: Read-only file system\n"),
                            });
                            return 1;
                        }
                    };
                    match (*op, fd) {
                        ("&>" | ">&", _) => (fd1, fd2) = (d, d),
                        (_, 2) => fd2 = d,
                        _ => fd1 = d,
                    }
                }
            }
        }
        let mut cmd = Buf::new(MAX_OUT);
        let status = self.command(&argv, stdin.as_deref(), Via::Shell, &mut cmd);
        for o in cmd.outs {
            let (dest, b) = match o {
                Out::Stdout(b) => (fd1, b),
                Out::Stderr(b) => (fd2, b),
                o => {
                    out.push(o);
                    continue;
                }
            };
            match dest {
                Dest::Out => out.out(b),
                Dest::Err => out.err(b),
                Dest::Pipe => pipe.out(b),
                Dest::Null => {}
            }
        }
        status
    }

    fn var(&mut self, name: &str) -> String {
        if let Some((n, default)) = name.split_once(":-") {
            let v = self.var(n);
            return if v.is_empty() { default.to_string() } else { v };
        }
        match name {
            "?" => self.st.last.to_string(),
            "$" => "42".into(),
            "#" => "0".into(),
            "0" => self.st.flavor.name().into(),
            "PWD" => "/".into(),
            _ => match self.st.vars.iter().find(|v| v.0 == name) {
                Some(v) => v.1.clone(),
                None => self
                    .env()
                    .into_iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v)
                    .unwrap_or_default(),
            },
        }
    }

    /// A word's fields: unquoted expansions split on whitespace; an empty unquoted word vanishes.
    fn expand(&mut self, w: &Word, out: &mut Buf) -> Vec<String> {
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut have = false;
        for part in w {
            let (val, quoted) = match part {
                Part::Lit(s) => (s.clone(), true),
                Part::Quoted(s) => (s.clone(), true),
                Part::Var(n, q) => (self.var(n), *q),
                Part::Sub(src, q) => (self.substitute(src, out), *q),
            };
            if quoted {
                cur.push_str(&val);
                have = true;
                continue;
            }
            for ch in val.chars() {
                if ch.is_whitespace() {
                    if have || !cur.is_empty() {
                        fields.push(std::mem::take(&mut cur));
                    }
                    have = false;
                } else {
                    cur.push(ch);
                }
            }
        }
        if have || !cur.is_empty() {
            fields.push(cur);
        }
        fields
    }

    fn substitute(&mut self, src: &str, out: &mut Buf) -> String {
        if self.depth >= MAX_DEPTH {
            out.err(format!(
                "{}: fork: Resource temporarily unavailable\n",
                self.st.flavor.name()
            ));
            return String::new();
        }
        let mut buf = Buf::new(MAX_OUT);
        Exec {
            host: &mut *self.host,
            st: &mut *self.st,
            depth: self.depth + 1,
        }
        .script(src, &mut buf);
        self.st.exit = None;
        let mut captured = Vec::new();
        for o in buf.outs {
            match o {
                Out::Stdout(b) => captured.extend(b),
                o => out.push(o),
            }
        }
        String::from_utf8_lossy(&captured)
            .trim_end_matches('\n')
            .to_string()
    }

    fn env(&self) -> Vec<(String, String)> {
        let mut env = self.host.env();
        let defaults = [
            ("HOSTNAME", self.host.hostname()),
            ("HOME", "/root".into()),
            ("PATH", PATH.into()),
            ("KUBERNETES_SERVICE_HOST", "10.96.0.1".into()),
            ("KUBERNETES_SERVICE_PORT", "443".into()),
        ];
        for (k, v) in defaults {
            if !env.iter().any(|(n, _)| n == k) {
                env.push((k.to_string(), v));
            }
        }
        for (k, v, exported) in &self.st.vars {
            if !exported {
                continue;
            }
            match env.iter_mut().find(|(n, _)| n == k) {
                Some(e) => e.1 = v.clone(),
                None => env.push((k.clone(), v.clone())),
            }
        }
        env
    }

    fn app(&self) -> App {
        app_for_image(&self.host.image())
    }

    fn exists(&self, prog: &str, via: Via) -> bool {
        (via == Via::Shell && BUILTINS.contains(&prog))
            || PROGRAMS.contains(&prog)
            || (prog == "redis-cli" && self.app() == App::Redis)
            || (prog == "psql" && self.app() == App::Postgres)
    }

    fn read_file(&self, path: &str) -> Result<Vec<u8>, &'static str> {
        let p = norm_path(path);
        Ok(match p.as_str() {
            "/etc/hostname" => format!("{}\n", self.host.hostname()).into_bytes(),
            "/etc/resolv.conf" => {
                let ns = self.host.namespace();
                let search = if ns.is_empty() { String::new() } else { format!("{ns}.svc.cluster.local ") };
                format!("search {search}svc.cluster.local cluster.local\nnameserver {NAMESERVER}\noptions ndots:5\n").into_bytes()
            }
            "/etc/hosts" => format!(
                "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.244.0.17\t{}\n",
                self.host.hostname()
            )
            .into_bytes(),
            "/dev/null" => Vec::new(),
            _ if self.dir(&p).is_some() => return Err("Is a directory"),
            _ => return Err("No such file or directory"),
        })
    }

    fn dir(&self, path: &str) -> Option<&'static str> {
        match norm_path(path).as_str() {
            "/" => Some(ROOT_LISTING),
            "/etc" => Some("hostname  hosts  resolv.conf\n"),
            "/bin" | "/dev" | "/home" | "/proc" | "/root" | "/sys" | "/tmp" | "/usr" | "/var" => {
                Some("")
            }
            _ => None,
        }
    }

    /// The files named (or stdin when none), with `NAME: FILE: error` for the missing.
    fn input(
        &self,
        name: &str,
        files: &[String],
        stdin: Option<&[u8]>,
        out: &mut Buf,
    ) -> (Vec<u8>, bool) {
        if files.is_empty() {
            return (stdin.unwrap_or_default().to_vec(), true);
        }
        let mut data = Vec::new();
        let mut ok = true;
        for f in files {
            match if f == "-" {
                Ok(stdin.unwrap_or_default().to_vec())
            } else {
                self.read_file(f)
            } {
                Ok(c) => data.extend(c),
                Err(e) => {
                    out.err(format!("{name}: {f}: {e}\n"));
                    ok = false;
                }
            }
        }
        (data, ok)
    }

    fn command(&mut self, argv: &[String], stdin: Option<&[u8]>, via: Via, out: &mut Buf) -> i32 {
        let assigns = if via == Via::Shell {
            argv.iter()
                .take_while(|a| a.split_once('=').is_some_and(|(n, _)| is_name(n)))
                .count()
        } else {
            0
        };
        if assigns == argv.len() {
            for (n, v) in argv.iter().filter_map(|a| a.split_once('=')) {
                self.st.set_var(n, Some(v), false);
            }
            return 0;
        }
        let argv = &argv[assigns..];
        let name = argv[0].as_str();
        let args = &argv[1..];
        let fl = self.st.flavor.name();
        let resolved = match name.rsplit_once('/') {
            None => Some(name),
            Some((dir, base)) => PATH.split(':').any(|d| d == dir).then_some(base),
        };
        let prog = match resolved {
            Some(p) if self.exists(p, if p == name { via } else { Via::Exec }) => p,
            _ => {
                out.err(match (via, self.st.flavor) {
                    (Via::Exec, _) => format!(
                        "OCI runtime exec failed: exec failed: unable to start container process: exec: \"{name}\": executable file not found in $PATH: unknown\n"
                    ),
                    (Via::Env, _) => format!("env: '{name}': No such file or directory\n"),
                    (Via::Shell, Flavor::Sh) => format!("sh: {name}: not found\n"),
                    (Via::Shell, Flavor::Bash) if name.contains('/') => format!("bash: {name}: No such file or directory\n"),
                    (Via::Shell, Flavor::Bash) => format!("bash: {name}: command not found\n"),
                });
                return 127;
            }
        };
        match prog {
            "exit" => {
                let code = match args.first() {
                    None => self.st.last,
                    Some(a) => match a.parse::<i64>() {
                        Ok(n) => (n & 0xff) as i32,
                        Err(_) => {
                            out.err(match self.st.flavor {
                                Flavor::Sh => format!("sh: exit: Illegal number: {a}\n"),
                                Flavor::Bash => {
                                    format!("bash: exit: {a}: numeric argument required\n")
                                }
                            });
                            2
                        }
                    },
                };
                self.st.exit = Some(code);
                code
            }
            "export" | "unset" => {
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    if prog == "unset" {
                        self.st.vars.retain(|v| v.0 != *a);
                    } else {
                        let (n, v) = a
                            .split_once('=')
                            .map_or((a.as_str(), None), |(n, v)| (n, Some(v)));
                        self.st.set_var(n, v, true);
                    }
                }
                0
            }
            "cd" => match args.first().map(String::as_str) {
                None | Some("/" | "~" | "-" | "/root") => 0,
                Some(d) => {
                    out.err(match self.st.flavor {
                        Flavor::Sh => {
                            format!("sh: cd: can't cd to {d}: No such file or directory\n")
                        }
                        Flavor::Bash => format!("bash: cd: {d}: No such file or directory\n"),
                    });
                    if self.st.flavor == Flavor::Sh { 2 } else { 1 }
                }
            },
            "set" | ":" | "true" => 0,
            "false" => 1,
            "exec" => {
                if args.is_empty() {
                    return 0;
                }
                let code = self.command(args, stdin, Via::Shell, out);
                self.st.exit = Some(code);
                code
            }
            "echo" => {
                let (mut nl, mut esc, mut i) = (true, false, 0);
                while let Some(a) = args.get(i) {
                    if a.len() < 2
                        || !a.starts_with('-')
                        || !a[1..].chars().all(|c| "neE".contains(c))
                    {
                        break;
                    }
                    for c in a[1..].chars() {
                        match c {
                            'n' => nl = false,
                            'e' => esc = true,
                            _ => esc = false,
                        }
                    }
                    i += 1;
                }
                let mut s = args[i..].join(" ");
                if esc {
                    s = unescape(&s);
                }
                if nl {
                    s.push('\n');
                }
                out.out(s);
                0
            }
            "printf" => self.printf(args, out),
            "sleep" => {
                let mut total = 0.0;
                if args.is_empty() {
                    out.err("sleep: missing operand\n");
                    return 1;
                }
                for a in args {
                    let (num, mult) = match a.char_indices().last() {
                        Some((i, 's')) => (&a[..i], 1.0),
                        Some((i, 'm')) => (&a[..i], 60.0),
                        Some((i, 'h')) => (&a[..i], 3600.0),
                        Some((i, 'd')) => (&a[..i], 86400.0),
                        _ => (a.as_str(), 1.0),
                    };
                    match num.parse::<f64>() {
                        Ok(n) if n.is_finite() && n >= 0.0 && !num.starts_with('+') => {
                            total += n * mult
                        }
                        _ => {
                            out.err(format!("sleep: invalid time interval '{a}'\n"));
                            return 1;
                        }
                    }
                }
                out.push(Out::Sleep(Duration::from_secs_f64(
                    total.min(MAX_SLEEP_SECS),
                )));
                0
            }
            "pwd" => {
                out.out("/\n");
                0
            }
            "whoami" => {
                out.out("root\n");
                0
            }
            "id" => {
                out.out("uid=0(root) gid=0(root) groups=0(root)\n");
                0
            }
            "hostname" => {
                out.out(format!("{}\n", self.host.hostname()));
                0
            }
            "date" => {
                let mut fmt = "%a %b %e %H:%M:%S UTC %Y".to_string();
                for a in args {
                    match a.strip_prefix('+') {
                        Some(f) => fmt = f.to_string(),
                        None if a == "-u" || a == "--utc" => {}
                        None => {
                            out.err(format!("date: invalid date '{a}'\n"));
                            return 1;
                        }
                    }
                }
                let now = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
                match jiff::fmt::strtime::format(fmt.as_bytes(), &now) {
                    Ok(s) => {
                        out.out(s + "\n");
                        0
                    }
                    Err(_) => {
                        out.err(format!("date: invalid format '{fmt}'\n"));
                        1
                    }
                }
            }
            "ls" => {
                let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
                if paths.is_empty() {
                    out.out(ROOT_LISTING);
                    return 0;
                }
                let mut status = 0;
                for p in paths {
                    match self.dir(p) {
                        Some(l) => out.out(l),
                        None if self.read_file(p).is_ok() => out.out(format!("{p}\n")),
                        None => {
                            out.err(format!(
                                "ls: cannot access '{p}': No such file or directory\n"
                            ));
                            status = 2;
                        }
                    }
                }
                status
            }
            "uname" => {
                let host = self.host.hostname();
                let fields = [
                    ("s", "Linux"),
                    ("n", host.as_str()),
                    ("r", "6.1.0-sim"),
                    ("v", "#1 SMP PREEMPT_DYNAMIC"),
                    ("m", "x86_64"),
                    ("o", "GNU/Linux"),
                ];
                let mut want = String::new();
                for a in args {
                    match a
                        .strip_prefix('-')
                        .filter(|f| !f.is_empty() && f.chars().all(|c| "asnrvmo".contains(c)))
                    {
                        Some(f) => want += f,
                        None => {
                            out.err(format!("uname: invalid option -- '{a}'\n"));
                            return 1;
                        }
                    }
                }
                let words: Vec<&str> = fields
                    .iter()
                    .filter(|(f, _)| {
                        want.contains('a') || want.contains(f) || (want.is_empty() && *f == "s")
                    })
                    .map(|(_, v)| *v)
                    .collect();
                out.out(words.join(" ") + "\n");
                0
            }
            "ps" => {
                let image = self.host.image();
                let main = match self.app() {
                    App::Redis => "redis-server *:6379".to_string(),
                    App::Postgres => "postgres".to_string(),
                    _ => format!(
                        "/app/{}",
                        basename(image.split(':').next().unwrap_or_default())
                    ),
                };
                out.out(format!("PID   USER     TIME  COMMAND\n    1 root      0:12 {main}\n   42 root      0:00 {fl}\n   57 root      0:00 ps\n"));
                0
            }
            "env" | "printenv" => {
                let rest: Vec<String> = args
                    .iter()
                    .skip_while(|a| a.starts_with('-') || a.contains('='))
                    .cloned()
                    .collect();
                let env = self.env();
                if prog == "env" && !rest.is_empty() {
                    return self.command(&rest, stdin, Via::Env, out);
                }
                if prog == "printenv" && !rest.is_empty() {
                    let mut status = 0;
                    for n in &rest {
                        match env.iter().find(|(k, _)| k == n) {
                            Some((_, v)) => out.out(format!("{v}\n")),
                            None => status = 1,
                        }
                    }
                    return status;
                }
                out.out(
                    env.iter()
                        .map(|(k, v)| format!("{k}={v}\n"))
                        .collect::<String>(),
                );
                0
            }
            "cat" => {
                let files: Vec<String> = args
                    .iter()
                    .filter(|a| *a == "-" || !a.starts_with('-'))
                    .cloned()
                    .collect();
                let (data, ok) = self.input("cat", &files, stdin, out);
                out.out(data);
                i32::from(!ok)
            }
            "grep" => self.grep(args, stdin, out),
            "head" | "tail" | "wc" => self.text_tool(prog, args, stdin, out),
            "curl" => self.curl(args, out),
            "nslookup" => {
                let Some(name) = args.iter().find(|a| !a.starts_with('-')) else {
                    out.err("Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n");
                    return 1;
                };
                let name = name.trim_end_matches('.');
                let head = format!("Server:\t\t{NAMESERVER}\nAddress:\t{NAMESERVER}#53\n\n");
                let found = if is_local(name) {
                    Some((name.to_string(), "127.0.0.1".to_string()))
                } else {
                    self.host.lookup(name)
                };
                match found {
                    Some((fqdn, ip)) => {
                        out.out(format!("{head}Name:\t{fqdn}\nAddress: {ip}\n\n"));
                        0
                    }
                    None => {
                        out.out(format!("{head}** server can't find {name}: NXDOMAIN\n\n"));
                        1
                    }
                }
            }
            "sh" | "bash" => {
                let flavor = if prog == "bash" {
                    Flavor::Bash
                } else {
                    Flavor::Sh
                };
                let src = match shell_args(flavor, args) {
                    ShellArgs::Script(s) => s,
                    ShellArgs::Interactive => {
                        String::from_utf8_lossy(stdin.unwrap_or_default()).into_owned()
                    }
                    ShellArgs::Fail(msg, code) => {
                        out.err(msg);
                        return code;
                    }
                };
                if self.depth >= MAX_DEPTH {
                    out.err(format!("{fl}: fork: Resource temporarily unavailable\n"));
                    return 2;
                }
                let mut child = State::new(flavor);
                child.vars = self.st.vars.iter().filter(|v| v.2).cloned().collect();
                child.redis = std::mem::take(&mut self.st.redis);
                Exec {
                    host: &mut *self.host,
                    st: &mut child,
                    depth: self.depth + 1,
                }
                .script(&src, out);
                self.st.redis = child.redis;
                child.last
            }
            "redis-cli" => self.redis_cli(args, out),
            "psql" => self.psql(args, stdin, out),
            _ => {
                out.err(format!("{fl}: {prog}: not found\n"));
                127
            }
        }
    }

    fn printf(&mut self, args: &[String], out: &mut Buf) -> i32 {
        let Some(fmt) = args.first() else {
            out.err("printf: usage: printf format [arguments]\n");
            return 2;
        };
        let fmt = unescape(fmt);
        let mut rest = args[1..].iter();
        let mut s = String::new();
        loop {
            let mut used = false;
            let mut it = fmt.chars();
            while let Some(c) = it.next() {
                if c != '%' {
                    s.push(c);
                    continue;
                }
                match it.next() {
                    Some('%') => s.push('%'),
                    Some('s' | 'd' | 'b' | 'i' | 'u' | 'q') => {
                        used = true;
                        s.push_str(rest.next().map_or("", String::as_str));
                    }
                    Some(o) => {
                        s.push('%');
                        s.push(o);
                    }
                    None => s.push('%'),
                }
            }
            if !used || rest.as_slice().is_empty() || s.len() > MAX_OUT {
                break;
            }
        }
        out.out(s);
        0
    }

    fn grep(&mut self, args: &[String], stdin: Option<&[u8]>, out: &mut Buf) -> i32 {
        let (mut ci, mut inv, mut count, mut quiet, mut ext) = (false, false, false, false, false);
        let mut pattern = None;
        let mut files = Vec::new();
        let mut i = 0;
        while let Some(a) = args.get(i) {
            i += 1;
            match a.strip_prefix('-').filter(|f| !f.is_empty()) {
                Some("e") => pattern = args.get(i).cloned().or(pattern),
                Some(f) if f.chars().all(|c| "ivcqEFnwsh".contains(c)) => {
                    ci |= f.contains('i');
                    inv |= f.contains('v');
                    count |= f.contains('c');
                    quiet |= f.contains('q');
                    ext |= f.contains('E');
                }
                _ if pattern.is_none() => pattern = Some(a.clone()),
                _ => files.push(a.clone()),
            }
            if a == "-e" {
                i += 1;
            }
        }
        let Some(pattern) = pattern else {
            out.err("Usage: grep [OPTION]... PATTERNS [FILE]...\n");
            return 2;
        };
        let (data, ok) = self.input("grep", &files, stdin, out);
        let fold = |s: &str| if ci { s.to_lowercase() } else { s.to_string() };
        let alts: Vec<String> = if ext {
            pattern.split('|').map(fold).collect()
        } else {
            vec![fold(&pattern)]
        };
        let mut hits = Vec::new();
        for line in lines_of(&data) {
            let text = fold(String::from_utf8_lossy(line).trim_end_matches('\n'));
            let m = alts
                .iter()
                .any(|p| match (p.strip_prefix('^'), p.strip_suffix('$')) {
                    (Some(p), _) => text.starts_with(p.trim_end_matches('$')),
                    (None, Some(p)) => text.ends_with(p),
                    _ => text.contains(p.as_str()),
                });
            if m != inv {
                hits.push(line);
            }
        }
        if count {
            out.out(format!("{}\n", hits.len()));
        } else if !quiet {
            for h in &hits {
                out.out(h.to_vec());
                if !h.ends_with(b"\n") {
                    out.out("\n");
                }
            }
        }
        if !ok {
            2
        } else if hits.is_empty() {
            1
        } else {
            0
        }
    }

    fn text_tool(
        &mut self,
        prog: &str,
        args: &[String],
        stdin: Option<&[u8]>,
        out: &mut Buf,
    ) -> i32 {
        let (mut n, mut bytes, mut flags) = (10usize, None, String::new());
        let mut files = Vec::new();
        let mut i = 0;
        while let Some(a) = args.get(i) {
            i += 1;
            let num =
                |v: Option<String>| v.and_then(|v| v.trim_start_matches('+').parse::<usize>().ok());
            match a.strip_prefix('-').filter(|f| !f.is_empty()) {
                Some(f) if prog != "wc" && f.starts_with('n') => {
                    n = num(opt_value(&f[1..], args, &mut i)).unwrap_or(n)
                }
                Some(f) if prog == "head" && f.starts_with('c') => {
                    bytes = num(opt_value(&f[1..], args, &mut i))
                }
                Some(f) if prog != "wc" && f.chars().all(|c| c.is_ascii_digit()) => {
                    n = f.parse().unwrap_or(n)
                }
                Some(f) if prog == "wc" => flags += f,
                Some(_) => {}
                None => files.push(a.clone()),
            }
        }
        let (data, ok) = self.input(prog, &files, stdin, out);
        let lines = lines_of(&data);
        match prog {
            "head" => match bytes {
                Some(c) => out.out(data[..c.min(data.len())].to_vec()),
                None => out.out(
                    lines
                        .iter()
                        .take(n)
                        .flat_map(|l| l.to_vec())
                        .collect::<Vec<u8>>(),
                ),
            },
            "tail" => out.out(lines[lines.len().saturating_sub(n)..].concat()),
            _ => {
                let l = data.iter().filter(|&&c| c == b'\n').count();
                let w = String::from_utf8_lossy(&data).split_whitespace().count();
                let c = data.len();
                let picked: Vec<String> = [('l', l), ('w', w), ('c', c)]
                    .iter()
                    .filter(|(f, _)| flags.is_empty() || flags.contains(*f))
                    .map(|(_, v)| {
                        if flags.len() == 1 {
                            v.to_string()
                        } else {
                            format!("{v:>7}")
                        }
                    })
                    .collect();
                out.out(picked.join(" ") + "\n");
            }
        }
        i32::from(!ok)
    }

    fn fetch(&mut self, u: &Url, method: &str, body: &[u8]) -> Result<HttpResp, FetchErr> {
        if is_local(&u.host) || u.host == self.host.hostname() {
            return self
                .host
                .local_http(u.port, method, &u.path, &u.query, body)
                .ok_or(FetchErr::Refused);
        }
        self.host
            .service_http(&u.host, u.port, method, &u.path, &u.query, body)
            .map_err(|r| {
                if r.starts_with("Could not resolve") {
                    FetchErr::Resolve(r)
                } else {
                    FetchErr::Other(r)
                }
            })
    }

    fn curl(&mut self, args: &[String], out: &mut Buf) -> i32 {
        let (mut silent, mut show, mut fail, mut include, mut head) =
            (false, false, false, false, false);
        let (mut method, mut data, mut output, mut wfmt, mut url) =
            (None, None::<String>, None, None, None);
        let mut i = 0;
        while let Some(a) = args.get(i) {
            i += 1;
            let mut opts: Vec<(String, Option<String>)> = Vec::new();
            if let Some(long) = a.strip_prefix("--") {
                let (name, inline) = long
                    .split_once('=')
                    .map_or((long, None), |(n, v)| (n, Some(v.to_string())));
                let takes = matches!(
                    name,
                    "request"
                        | "data"
                        | "data-raw"
                        | "data-binary"
                        | "data-ascii"
                        | "data-urlencode"
                        | "json"
                        | "header"
                        | "max-time"
                        | "connect-timeout"
                        | "output"
                        | "write-out"
                        | "user-agent"
                        | "user"
                        | "retry"
                        | "retry-delay"
                        | "retry-max-time"
                        | "url"
                        | "cacert"
                        | "resolve"
                );
                let val = if takes {
                    inline.or_else(|| opt_value("", args, &mut i))
                } else {
                    None
                };
                if takes && val.is_none() {
                    out.err(format!("curl: option --{name}: requires parameter\n"));
                    return 2;
                }
                opts.push((name.to_string(), val));
            } else if a.len() > 1 && a.starts_with('-') {
                for (k, f) in a.char_indices().skip(1) {
                    if "XdHmowAuebxT".contains(f) {
                        let rest = &a[k + f.len_utf8()..];
                        let Some(v) = opt_value(rest, args, &mut i) else {
                            out.err(format!("curl: option -{f}: requires parameter\n"));
                            return 2;
                        };
                        opts.push((f.to_string(), Some(v)));
                        break;
                    }
                    opts.push((f.to_string(), None));
                }
            } else if url.is_none() {
                url = Some(a.clone());
            }
            for (name, val) in opts {
                match (name.as_str(), val) {
                    ("s" | "silent", _) => silent = true,
                    ("S" | "show-error", _) => show = true,
                    ("f" | "fail" | "fail-with-body", _) => fail = true,
                    ("i" | "include", _) => include = true,
                    ("I" | "head", _) => head = true,
                    ("X" | "request", v) => method = v,
                    (
                        "d" | "data" | "data-raw" | "data-binary" | "data-ascii" | "data-urlencode"
                        | "json",
                        Some(v),
                    ) => {
                        data = Some(match data {
                            Some(d) => format!("{d}&{v}"),
                            None => v,
                        });
                    }
                    ("o" | "output", v) => output = v,
                    ("w" | "write-out", v) => wfmt = v,
                    ("url", v) => url = url.or(v),
                    (
                        "v" | "L" | "k" | "g" | "N" | "q" | "verbose" | "location" | "insecure"
                        | "compressed" | "http1.1" | "no-progress-meter" | "globoff" | "no-buffer"
                        | "fail-early" | "raw",
                        _,
                    )
                    | ("H" | "m" | "A" | "u" | "e" | "b" | "x" | "T", _)
                    | (_, Some(_)) => {}
                    (n, None) => {
                        let dash = if n.len() == 1 { "-" } else { "--" };
                        out.err(format!("curl: option {dash}{n}: is unknown\ncurl: try 'curl --help' for more information\n"));
                        return 2;
                    }
                }
            }
        }
        let quiet_errors = silent && !show;
        let fail_with = |code: i32, msg: String, out: &mut Buf| {
            if let Some(w) = &wfmt {
                out.out(write_out(w, 0, "", 0));
            }
            if !quiet_errors {
                out.err(format!("curl: {msg}\n"));
            }
            code
        };
        let Some(url) = url else {
            return fail_with(2, "no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information".into(), out);
        };
        let u = match parse_url(&url) {
            Ok(u) => u,
            Err(UrlErr::Proto(p)) => {
                return fail_with(1, format!("(1) Protocol \"{p}\" not supported"), out);
            }
            Err(UrlErr::NoHost) => {
                return fail_with(3, "(3) URL rejected: No host part in the URL".into(), out);
            }
            Err(UrlErr::BadPort) => {
                return fail_with(
                    3,
                    "(3) URL rejected: Port number was not a decimal number between 0 and 65535"
                        .into(),
                    out,
                );
            }
            Err(UrlErr::Https(h)) if !is_local(&h) && self.host.lookup(&h).is_none() => {
                return fail_with(6, format!("(6) Could not resolve host: {h}"), out);
            }
            Err(UrlErr::Https(_)) => {
                return fail_with(
                    35,
                    "(35) OpenSSL SSL_connect: Connection reset by peer".into(),
                    out,
                );
            }
        };
        let method = method.unwrap_or_else(|| {
            (if head {
                "HEAD"
            } else if data.is_some() {
                "POST"
            } else {
                "GET"
            })
            .to_string()
        });
        let resp = match self.fetch(&u, &method, data.as_deref().unwrap_or_default().as_bytes()) {
            Ok(r) => r,
            Err(FetchErr::Refused) => {
                return fail_with(
                    7,
                    format!(
                        "(7) Failed to connect to {} port {} after 0 ms: Couldn't connect to server",
                        u.host, u.port
                    ),
                    out,
                );
            }
            Err(FetchErr::Resolve(r)) => return fail_with(6, format!("(6) {r}"), out),
            Err(FetchErr::Other(r)) => return fail_with(7, format!("(7) {r}"), out),
        };
        let failed = fail && resp.status >= 400;
        let mut body = Vec::new();
        if !failed {
            if include || head {
                body.extend(
                    format!(
                        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n",
                        resp.status,
                        reason(resp.status),
                        resp.content_type,
                        resp.body.len()
                    )
                    .into_bytes(),
                );
            }
            if !head {
                body.extend_from_slice(&resp.body);
            }
        }
        let mut code = 0;
        match output.as_deref() {
            None | Some("-") => out.out(body),
            Some("/dev/null") => {}
            Some(f) => {
                if !quiet_errors {
                    out.err(format!(
                        "Warning: Failed to open the file {f}: Read-only file system\n"
                    ));
                }
                code = 23;
            }
        }
        if let Some(w) = &wfmt {
            out.out(write_out(
                w,
                resp.status,
                resp.content_type,
                resp.body.len(),
            ));
        }
        if code == 23 {
            if !quiet_errors {
                out.err("curl: (23) Failure writing output to destination\n");
            }
            return 23;
        }
        if failed {
            if !quiet_errors {
                out.err(format!(
                    "curl: (22) The requested URL returned error: {}\n",
                    resp.status
                ));
            }
            return 22;
        }
        0
    }

    fn redis_cli(&mut self, args: &[String], out: &mut Buf) -> i32 {
        let (mut host, mut port, mut i) = ("127.0.0.1".to_string(), "6379".to_string(), 0);
        while let Some(a) = args.get(i).filter(|a| a.starts_with('-')) {
            let v = args.get(i + 1).cloned().unwrap_or_default();
            match a.as_str() {
                "-h" => host = v,
                "-p" => port = v,
                _ => {}
            }
            i += if matches!(a.as_str(), "-h" | "-p" | "-a" | "-n" | "--user" | "--pass") {
                2
            } else {
                1
            };
        }
        let cmd = args.get(i..).unwrap_or_default();
        let refused = match port.parse::<u16>() {
            Ok(p) if is_local(&host) => (p != 6379).then_some("Connection refused"),
            Ok(_) => self
                .host
                .lookup(&host)
                .is_none()
                .then_some("Name or service not known"),
            Err(_) => Some("Invalid port"),
        };
        if let Some(e) = refused {
            out.err(format!(
                "Could not connect to Redis at {host}:{port}: {e}\n"
            ));
            return 1;
        }
        let Some(c) = cmd.first() else {
            out.err("redis-cli: interactive mode is not available in this simulated shell; pass a command, e.g. redis-cli ping\n");
            return 1;
        };
        let (reply, code) = match (c.to_ascii_uppercase().as_str(), cmd.len()) {
            ("PING", 1) => ("PONG".to_string(), 0),
            ("INFO", _) => (
                "# Server\nredis_version:7.2.4\nredis_mode:standalone\ntcp_port:6379\n\n# Clients\nconnected_clients:3\n\n\
                 # Memory\nused_memory:2202009\nused_memory_human:2.1M\n\n# Keyspace\ndb0:keys=42,expires=3,avg_ttl=0"
                    .to_string(),
                0,
            ),
            ("DBSIZE", 1) => (format!("(integer) {}", 42 + self.st.redis.len()), 0),
            ("GET", 2) => (self.st.redis.get(&cmd[1]).map_or_else(|| "(nil)".to_string(), |v| format!("\"{v}\"")), 0),
            ("SET", n) if n >= 3 => {
                self.st.redis.insert(cmd[1].clone(), cmd[2].clone());
                ("OK".to_string(), 0)
            }
            ("PING" | "GET" | "SET" | "DBSIZE", _) => {
                (format!("(error) ERR wrong number of arguments for '{}' command", c.to_ascii_lowercase()), 1)
            }
            _ => {
                let rest: String = cmd[1..].iter().map(|a| format!("'{a}' ")).collect();
                (format!("(error) ERR unknown command '{c}', with args beginning with: {rest}"), 1)
            }
        };
        out.out(reply + "\n");
        code
    }

    fn psql(&mut self, args: &[String], stdin: Option<&[u8]>, out: &mut Buf) -> i32 {
        let (mut sql, mut host, mut port, mut tuples, mut unaligned) =
            (None, None, None, false, false);
        let mut i = 0;
        while let Some(a) = args.get(i) {
            i += 1;
            if a.len() > 1 && a.starts_with('-') && !a.starts_with("--") {
                for (k, f) in a.char_indices().skip(1) {
                    match f {
                        't' => tuples = true,
                        'A' => unaligned = true,
                        'c' | 'h' | 'p' | 'U' | 'd' | 'v' => {
                            let v = opt_value(&a[k + 1..], args, &mut i).unwrap_or_default();
                            match f {
                                'c' => sql = Some(v),
                                'h' => host = Some(v),
                                'p' => port = Some(v),
                                _ => {}
                            }
                            break;
                        }
                        _ => {}
                    }
                }
            }
        }
        let host = host.unwrap_or_default();
        if !host.is_empty()
            && !host.starts_with('/')
            && !is_local(&host)
            && self.host.lookup(&host).is_none()
        {
            out.err(format!("psql: error: could not translate host name \"{host}\" to address: Name or service not known\n"));
            return 2;
        }
        if let Some(p) = port.filter(|p| p != "5432") {
            out.err(format!(
                "psql: error: connection to server at \"localhost\" (127.0.0.1), port {p} failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n"
            ));
            return 2;
        }
        let Some(sql) = sql.or_else(|| stdin.map(|s| String::from_utf8_lossy(s).into_owned()))
        else {
            out.err("psql: interactive sessions are not available in this simulated shell; use psql -c \"SQL\"\n");
            return 1;
        };
        let norm = sql
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase();
        let norm = norm.trim_end_matches([';', ' ']);
        let table = if norm == "select 1" {
            psql_table(
                &["?column?"],
                &[vec!["1".into()]],
                &[true],
                tuples,
                unaligned,
            )
        } else if norm.contains("pg_stat_activity") {
            let current: String = sql.trim().chars().take(60).collect();
            let rows = [
                ["app", "app", "idle", "COMMIT"],
                [
                    "app",
                    "app",
                    "idle in transaction",
                    "UPDATE shifts SET status = $1 WHERE id = $2",
                ],
                ["postgres", "postgres", "active", current.as_str()],
            ];
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            psql_table(
                &["datname", "usename", "state", "query"],
                &rows,
                &[false; 4],
                tuples,
                unaligned,
            )
        } else {
            out.err("ERROR:  simulated database: only SELECT 1 and pg_stat_activity are known\n");
            return 1;
        };
        out.out(table);
        0
    }
}

fn is_name(n: &str) -> bool {
    n.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const POD: &str = "flextime-api-7d9f-abcde";

    struct Fake {
        image: String,
        health: u16,
        resets: u32,
    }

    impl Fake {
        fn api() -> Fake {
            Fake {
                image: "flextime/api:v2.3.0".into(),
                health: 200,
                resets: 0,
            }
        }
        fn with_image(image: &str) -> Fake {
            Fake {
                image: image.into(),
                ..Fake::api()
            }
        }
    }

    impl Host for Fake {
        fn local_http(
            &mut self,
            port: u16,
            method: &str,
            path: &str,
            _q: &str,
            _b: &[u8],
        ) -> Option<HttpResp> {
            if port != 3005 || app_for_image(&self.image) != App::FlexApi {
                return None;
            }
            Some(match (method, path) {
                ("GET", "/health") => HttpResp::json(
                    self.health,
                    &json!({"status": if self.health == 200 { "ok" } else { "degraded" }}),
                ),
                ("POST", "/circuit-breaker/reset") => {
                    self.resets += 1;
                    HttpResp::json(200, &json!({"reset": true}))
                }
                _ => HttpResp::not_found(),
            })
        }
        fn service_http(
            &mut self,
            host: &str,
            port: u16,
            m: &str,
            path: &str,
            q: &str,
            b: &[u8],
        ) -> Result<HttpResp, String> {
            match self.lookup(host) {
                Some((fqdn, _)) if fqdn.starts_with("flextime-api.") && port == 80 => self
                    .local_http(3005, m, path, q, b)
                    .ok_or_else(|| "Recv failure: Connection reset by peer".into()),
                Some(_) => Err(format!(
                    "Failed to connect to {host} port {port} after 1 ms: Couldn't connect to server"
                )),
                None => Err(format!("Could not resolve host: {host}")),
            }
        }
        fn lookup(&self, name: &str) -> Option<(String, String)> {
            ["postgres", "flextime-api"]
                .iter()
                .zip(["10.96.4.7", "10.96.4.9"])
                .find_map(|(svc, ip)| {
                    let fqdn = format!("{svc}.team.svc.cluster.local");
                    let forms = [
                        svc.to_string(),
                        format!("{svc}.team"),
                        format!("{svc}.team.svc"),
                        fqdn.clone(),
                    ];
                    forms
                        .contains(&name.to_string())
                        .then(|| (fqdn, ip.to_string()))
                })
        }
        fn env(&self) -> Vec<(String, String)> {
            vec![
                ("APP_ENV".into(), "prod".into()),
                ("DB_HOST".into(), "postgres.team".into()),
            ]
        }
        fn hostname(&self) -> String {
            POD.into()
        }
        fn image(&self) -> String {
            self.image.clone()
        }
        fn namespace(&self) -> String {
            "team".into()
        }
    }

    fn argv(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    /// (stdout, stderr, exit code) of a direct exec.
    fn run(host: &mut Fake, a: &[&str]) -> (String, String, i32) {
        let outs = Shell::run_argv(host, &argv(a), false).expect("not interactive");
        split(&outs)
    }

    fn sh(host: &mut Fake, script: &str) -> (String, String, i32) {
        run(host, &["sh", "-c", script])
    }

    fn split(outs: &[Out]) -> (String, String, i32) {
        let (mut o, mut e, mut code) = (Vec::new(), Vec::new(), -1);
        for x in outs {
            match x {
                Out::Stdout(b) => o.extend(b),
                Out::Stderr(b) => e.extend(b),
                Out::Exit(c) => code = *c,
                Out::Sleep(_) => {}
            }
        }
        (
            String::from_utf8_lossy(&o).into_owned(),
            String::from_utf8_lossy(&e).into_owned(),
            code,
        )
    }

    #[test]
    fn curl_silent_health_prints_the_body() {
        let (o, e, c) = run(&mut Fake::api(), &["curl", "-s", "localhost:3005/health"]);
        assert_eq!((o.as_str(), e.as_str(), c), (r#"{"status":"ok"}"#, "", 0));
        let (o, _, c) = sh(
            &mut Fake::api(),
            "curl -fsS http://flextime-api.team.svc.cluster.local/health",
        );
        assert_eq!((o.as_str(), c), (r#"{"status":"ok"}"#, 0));
    }

    #[test]
    fn curl_post_reaches_the_handler() {
        let mut h = Fake::api();
        let (o, _, c) = run(
            &mut h,
            &[
                "curl",
                "-X",
                "POST",
                "http://127.0.0.1:3005/circuit-breaker/reset",
            ],
        );
        assert_eq!((o.as_str(), c, h.resets), (r#"{"reset":true}"#, 0, 1));
        let (_, _, c) = sh(&mut h, "curl -sd '' localhost:3005/circuit-breaker/reset");
        assert_eq!((c, h.resets), (0, 2), "-d implies POST");
        let (o, _, _) = run(
            &mut h,
            &["curl", "-s", "localhost:3005/circuit-breaker/reset"],
        );
        assert!(o.contains("404"), "GET is not the reset: {o}");
    }

    #[test]
    fn curl_fail_on_503_prints_no_body_and_exits_22() {
        let mut h = Fake {
            health: 503,
            ..Fake::api()
        };
        let (o, e, c) = run(&mut h, &["curl", "-f", "localhost:3005/health"]);
        assert_eq!(
            (o.as_str(), e.as_str(), c),
            ("", "curl: (22) The requested URL returned error: 503\n", 22)
        );
        let (o, e, c) = run(&mut h, &["curl", "-sf", "localhost:3005/health"]);
        assert_eq!((o.as_str(), e.as_str(), c), ("", "", 22));
        let (o, _, c) = run(&mut h, &["curl", "-s", "localhost:3005/health"]);
        assert_eq!(
            (o.contains("degraded"), c),
            (true, 0),
            "without -f the body is printed"
        );
    }

    #[test]
    fn curl_refused_resolve_and_tls_errors() {
        let mut h = Fake::api();
        let (o, e, c) = run(&mut h, &["curl", "localhost:9999/health"]);
        assert_eq!(
            (o.as_str(), e.as_str(), c),
            (
                "",
                "curl: (7) Failed to connect to localhost port 9999 after 0 ms: Couldn't connect to server\n",
                7
            )
        );
        assert_eq!(
            run(&mut h, &["curl", "-s", "localhost:9999/"]),
            (String::new(), String::new(), 7)
        );
        let (_, e, c) = run(&mut h, &["curl", "-sS", "localhost:9999/"]);
        assert!(e.starts_with("curl: (7)") && c == 7);
        let (_, e, c) = run(&mut h, &["curl", "http://nope:8080/"]);
        assert_eq!(
            (e.as_str(), c),
            ("curl: (6) Could not resolve host: nope\n", 6)
        );
        let (_, e, c) = run(&mut h, &["curl", "https://localhost:3005/health"]);
        assert_eq!(
            (e.as_str(), c),
            (
                "curl: (35) OpenSSL SSL_connect: Connection reset by peer\n",
                35
            )
        );
        let (_, e, c) = run(&mut h, &["curl", "-s"]);
        assert_eq!((e.as_str(), c), ("", 2));
        let (_, e, c) = run(&mut h, &["curl"]);
        assert!(e.starts_with("curl: no URL specified!") && c == 2);
    }

    #[test]
    fn curl_include_write_out_and_output() {
        let mut h = Fake::api();
        let (o, _, c) = sh(
            &mut h,
            "curl -s -o /dev/null -w '%{http_code}' localhost:3005/health",
        );
        assert_eq!((o.as_str(), c), ("200", 0));
        let (o, _, _) = run(&mut h, &["curl", "-si", "localhost:3005/health"]);
        assert!(
            o.starts_with("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"),
            "{o}"
        );
        assert!(o.ends_with("\r\n\r\n{\"status\":\"ok\"}"), "{o}");
        let (o, _, c) = sh(&mut h, "curl -s -w '\\n%{http_code}\\n' localhost:9/");
        assert_eq!((o.as_str(), c), ("\n000\n", 7));
    }

    #[test]
    fn redis_cli_only_in_redis_images() {
        let mut r = Fake::with_image("redis:7-alpine");
        assert_eq!(
            run(&mut r, &["redis-cli", "ping"]),
            ("PONG\n".into(), String::new(), 0)
        );
        assert_eq!(
            run(
                &mut r,
                &["redis-cli", "-h", "localhost", "-p", "6379", "PING"]
            )
            .0,
            "PONG\n"
        );
        let (o, _, _) = sh(
            &mut r,
            "redis-cli set k v; redis-cli get k; redis-cli get nope; redis-cli dbsize",
        );
        assert_eq!(o, "OK\n\"v\"\n(nil)\n(integer) 43\n");
        assert!(
            run(&mut r, &["redis-cli", "info"])
                .0
                .contains("redis_version:7.2.4\n")
        );
        assert_eq!(run(&mut r, &["redis-cli", "-p", "6380", "ping"]).2, 1);
        assert_eq!(run(&mut r, &["redis-cli"]).2, 1);

        let mut api = Fake::api();
        assert_eq!(
            sh(&mut api, "redis-cli ping"),
            (String::new(), "sh: redis-cli: not found\n".into(), 127)
        );
        let (_, e, c) = run(&mut api, &["bash", "-c", "redis-cli ping"]);
        assert_eq!(
            (e.as_str(), c),
            ("bash: redis-cli: command not found\n", 127)
        );
        let (_, e, c) = run(&mut api, &["redis-cli", "ping"]);
        assert!(
            e.contains("exec: \"redis-cli\": executable file not found in $PATH") && c == 127,
            "{e}"
        );
    }

    #[test]
    fn nslookup_found_and_not_found() {
        let mut h = Fake::api();
        let (o, _, c) = run(&mut h, &["nslookup", "postgres"]);
        assert_eq!(c, 0);
        assert!(
            o.starts_with("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n"),
            "{o}"
        );
        assert!(
            o.contains("Name:\tpostgres.team.svc.cluster.local\nAddress: 10.96.4.7\n"),
            "{o}"
        );
        let (o, _, c) = run(&mut h, &["nslookup", "redis.team"]);
        assert!(
            o.contains("** server can't find redis.team: NXDOMAIN\n") && c == 1,
            "{o}"
        );
        let (o, e, c) = run(&mut h, &["nslookup"]);
        assert!(o.is_empty() && e.starts_with("Usage:") && c == 1);
    }

    #[test]
    fn env_lists_spec_env_then_defaults() {
        let mut h = Fake::api();
        let (o, _, c) = run(&mut h, &["env"]);
        let lines: Vec<&str> = o.lines().collect();
        assert_eq!(
            &lines[..3],
            [
                "APP_ENV=prod",
                "DB_HOST=postgres.team",
                &format!("HOSTNAME={POD}")
            ]
        );
        assert!(lines.contains(&"KUBERNETES_SERVICE_PORT=443") && c == 0);
        assert_eq!(
            run(&mut h, &["printenv", "APP_ENV"]),
            ("prod\n".into(), String::new(), 0)
        );
        assert_eq!(run(&mut h, &["printenv", "MISSING"]).2, 1);
        assert_eq!(sh(&mut h, "export X=1; env | grep X=").0, "X=1\n");
    }

    #[test]
    fn status_and_operators() {
        let mut h = Fake::api();
        assert_eq!(
            Shell::run_argv(&mut h, &argv(&["false"]), false),
            Some(vec![Out::Exit(1)])
        );
        assert_eq!(
            sh(&mut h, "echo hi && false || echo fallback"),
            ("hi\nfallback\n".into(), String::new(), 0)
        );
        assert_eq!(
            sh(&mut h, "false; echo $?; true && echo ok"),
            ("1\nok\n".into(), String::new(), 0)
        );
        assert_eq!(
            sh(&mut h, "exit 3; echo no"),
            (String::new(), String::new(), 3)
        );
        assert_eq!(sh(&mut h, "false; exit").2, 1);
        assert_eq!(sh(&mut h, "exit 300").2, 44);
    }

    #[test]
    fn unknown_commands_use_each_wording() {
        let mut h = Fake::api();
        assert_eq!(
            sh(&mut h, "frobnicate --now"),
            (String::new(), "sh: frobnicate: not found\n".into(), 127)
        );
        let (_, e, c) = run(&mut h, &["/bin/bash", "-c", "frobnicate"]);
        assert_eq!(
            (e.as_str(), c),
            ("bash: frobnicate: command not found\n", 127)
        );
        let (_, e, c) = run(&mut h, &["frobnicate"]);
        assert!(
            e.contains("exec: \"frobnicate\": executable file not found in $PATH") && c == 127,
            "{e}"
        );
        assert_eq!(
            run(&mut h, &["exit", "0"]).2,
            127,
            "a builtin is no executable"
        );
        assert_eq!(run(&mut h, &["/bin/echo", "x"]).0, "x\n");
    }

    #[test]
    fn shells_without_c_are_interactive() {
        let mut h = Fake::api();
        for a in [
            &["sh"][..],
            &["/bin/sh"],
            &["bash"],
            &["/bin/bash", "-l"],
            &["sh", "-i"],
            &["bash", "--login"],
        ] {
            assert!(Shell::run_argv(&mut h, &argv(a), true).is_none(), "{a:?}");
        }
        assert_eq!(run(&mut h, &["sh", "-c"]).2, 2);
        assert_eq!(run(&mut h, &["bash", "-ec", "echo x"]).0, "x\n");
        assert_eq!(
            run(&mut h, &["sh", "script.sh"]).1,
            "sh: can't open 'script.sh': No such file or directory\n"
        );
    }

    #[test]
    fn quoting_and_expansion() {
        let mut h = Fake::api();
        let (o, _, _) = sh(&mut h, r#"echo "$HOSTNAME" '$HOME' \$x "a\"b" $UNSET end"#);
        assert_eq!(o, format!("{POD} $HOME $x a\"b end\n"));
        assert_eq!(
            sh(
                &mut h,
                "echo \"host=$(hostname)\" `whoami` ${APP_ENV} ${NOPE:-dflt}"
            )
            .0,
            format!("host={POD} root prod dflt\n")
        );
        assert_eq!(sh(&mut h, "echo a # comment").0, "a\n");
        assert_eq!(
            sh(&mut h, "X='a  b'; echo $X; echo \"$X\"").0,
            "a b\na  b\n"
        );
        assert_eq!(sh(&mut h, "echo -n x; echo -e 'y\\tz'").0, "xy\tz\n");
        assert_eq!(sh(&mut h, "printf '%s=%s\\n' a 1 b 2").0, "a=1\nb=2\n");
    }

    #[test]
    fn syntax_errors() {
        let mut h = Fake::api();
        assert_eq!(
            sh(&mut h, "echo 'abc"),
            (
                String::new(),
                "sh: syntax error: unterminated quoted string\n".into(),
                2
            )
        );
        assert_eq!(
            run(&mut h, &["bash", "-c", "echo \"abc"]).1,
            "bash: unexpected EOF while looking for matching `\"'\n"
        );
        assert_eq!(sh(&mut h, "echo a &&").2, 2);
        assert_eq!(
            sh(&mut h, "&& echo a").1,
            "sh: syntax error: unexpected \"&&\"\n"
        );
        assert_eq!(sh(&mut h, "echo (x)").2, 2);
    }

    #[test]
    fn pipes_and_redirections() {
        let mut h = Fake::api();
        assert_eq!(sh(&mut h, "printf 'a\\nb\\nc\\n' | grep b").0, "b\n");
        assert_eq!(
            sh(&mut h, "printf 'a\\nb\\nc\\n' | head -n 2 | wc -l").0,
            "2\n"
        );
        assert_eq!(sh(&mut h, "env | grep -c APP_ENV").0, "1\n");
        assert_eq!(sh(&mut h, "echo nope | grep -q yes").2, 1);
        assert_eq!(
            sh(&mut h, "curl localhost:1/ 2>&1 | grep -c Failed"),
            ("1\n".into(), String::new(), 0)
        );
        assert_eq!(
            sh(&mut h, "curl localhost:1/ 2>/dev/null; echo $?"),
            ("7\n".into(), String::new(), 0)
        );
        assert_eq!(
            sh(&mut h, "echo hi >/dev/null"),
            (String::new(), String::new(), 0)
        );
        assert_eq!(sh(&mut h, "echo hi >&2").1, "hi\n");
        assert_eq!(
            sh(&mut h, "echo hi > /tmp/x"),
            (
                String::new(),
                "sh: can't create /tmp/x: Read-only file system\n".into(),
                1
            )
        );
        assert_eq!(sh(&mut h, "echo 'echo nested' | sh").0, "nested\n");
    }

    #[test]
    fn files_and_misc_commands() {
        let mut h = Fake::api();
        assert_eq!(
            sh(&mut h, "cat /etc/hostname; hostname; pwd; whoami").0,
            format!("{POD}\n{POD}\n/\nroot\n")
        );
        assert_eq!(
            run(&mut h, &["cat", "/etc/resolv.conf"]).0,
            "search team.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
        );
        assert_eq!(
            run(&mut h, &["cat", "/app/config.yaml"]),
            (
                String::new(),
                "cat: /app/config.yaml: No such file or directory\n".into(),
                1
            )
        );
        assert_eq!(
            run(&mut h, &["ls"]).0,
            "bin  dev  etc  home  proc  root  sys  tmp  usr  var\n"
        );
        assert_eq!(
            run(&mut h, &["id"]).0,
            "uid=0(root) gid=0(root) groups=0(root)\n"
        );
        assert!(
            run(&mut h, &["uname", "-a"])
                .0
                .starts_with(&format!("Linux {POD} "))
        );
        assert_eq!(run(&mut h, &["uname"]).0, "Linux\n");
        assert!(run(&mut h, &["ps"]).0.lines().count() >= 3);
        assert!(run(&mut h, &["date"]).0.contains("UTC"));
        assert_eq!(run(&mut h, &["date", "+%Y"]).0.trim().len(), 4);
    }

    #[test]
    fn psql_only_in_postgres_images() {
        let mut pg = Fake::with_image("postgres:15");
        let (o, _, c) = run(&mut pg, &["psql", "-U", "postgres", "-c", "SELECT 1;"]);
        assert_eq!(
            (o.as_str(), c),
            (" ?column? \n----------\n        1\n(1 row)\n\n", 0)
        );
        assert_eq!(run(&mut pg, &["psql", "-tAc", "select 1"]).0, "1\n");
        let (o, _, c) = run(
            &mut pg,
            &[
                "psql",
                "-c",
                "select datname, usename, state, query from pg_stat_activity",
            ],
        );
        assert!(
            o.contains("(3 rows)") && o.contains("idle in transaction") && c == 0,
            "{o}"
        );
        let (_, e, c) = run(&mut pg, &["psql", "-c", "DROP TABLE shifts"]);
        assert_eq!(
            (e.as_str(), c),
            (
                "ERROR:  simulated database: only SELECT 1 and pg_stat_activity are known\n",
                1
            )
        );
        assert_eq!(sh(&mut Fake::api(), "psql -c 'select 1'").2, 127);
    }

    #[test]
    fn sleep_keeps_execution_order() {
        let mut h = Fake::api();
        let outs = Shell::run_argv(
            &mut h,
            &argv(&["sh", "-c", "echo a; sleep 1; echo b"]),
            false,
        );
        let want = vec![
            Out::Stdout(b"a\n".to_vec()),
            Out::Sleep(Duration::from_secs(1)),
            Out::Stdout(b"b\n".to_vec()),
            Out::Exit(0),
        ];
        assert_eq!(outs, Some(want));
        let outs = Shell::run_argv(&mut h, &argv(&["sleep", "0.5"]), false);
        assert_eq!(
            outs,
            Some(vec![Out::Sleep(Duration::from_millis(500)), Out::Exit(0)])
        );
        let outs = Shell::run_argv(&mut h, &argv(&["sleep", "99999"]), false);
        assert_eq!(
            outs,
            Some(vec![Out::Sleep(Duration::from_secs(600)), Out::Exit(0)])
        );
        assert_eq!(
            run(&mut h, &["sleep", "x"]),
            (
                String::new(),
                "sleep: invalid time interval 'x'\n".into(),
                1
            )
        );
    }

    #[test]
    fn tty_exec_translates_newlines() {
        let outs = Shell::run_argv(
            &mut Fake::api(),
            &argv(&["sh", "-c", "echo hi; nope"]),
            true,
        );
        let want = vec![
            Out::Stdout(b"hi\r\n".to_vec()),
            Out::Stderr(b"sh: nope: not found\r\n".to_vec()),
            Out::Exit(127),
        ];
        assert_eq!(outs, Some(want));
    }

    fn typed(sh: &mut Shell, h: &mut Fake, bytes: &[u8]) -> (String, Vec<Out>) {
        let outs = sh.input(h, bytes);
        (split(&outs).0, outs)
    }

    #[test]
    fn interactive_tty_session() {
        let mut h = Fake::api();
        let mut s = Shell::interactive("sh", true, &h);
        assert_eq!(s.start(), vec![Out::Stdout(b"/ # ".to_vec())]);
        assert_eq!(
            typed(&mut s, &mut h, b"echo hi\r").0,
            "echo hi\r\nhi\r\n/ # "
        );
        assert_eq!(
            typed(&mut s, &mut h, b"curl -s localhost:3005/health\r").0,
            "curl -s localhost:3005/health\r\n{\"status\":\"ok\"}/ # "
        );
        let (o, outs) = typed(&mut s, &mut h, b"exit\r");
        assert_eq!((o.as_str(), outs.last()), ("exit\r\n", Some(&Out::Exit(0))));
        assert!(s.ended());
        assert!(s.input(&mut h, b"echo late\r").is_empty() && s.eof(&mut h).is_empty());

        let mut b = Shell::interactive("/bin/bash", true, &h);
        assert_eq!(split(&b.start()).0, format!("root@{POD}:/# "));
        let (_, outs) = typed(&mut b, &mut h, b"exit 4\r");
        assert_eq!(outs.last(), Some(&Out::Exit(4)));
    }

    #[test]
    fn tty_line_editing() {
        let mut h = Fake::api();
        let mut s = Shell::interactive("sh", true, &h);
        s.start();
        let (o, _) = typed(&mut s, &mut h, b"echoo\x7f hi\r");
        assert_eq!(o, "echoo\x08 \x08 hi\r\nhi\r\n/ # ");
        assert_eq!(typed(&mut s, &mut h, b"\x7f").0, "", "nothing to erase");
        assert_eq!(
            typed(&mut s, &mut h, "echo hé\x7f\r".as_bytes()).0,
            "echo hé\x08 \x08\r\nh\r\n/ # "
        );
        assert_eq!(
            typed(&mut s, &mut h, "echo héllo\r".as_bytes()).0,
            "echo héllo\r\nhéllo\r\n/ # "
        );
        let (o, _) = typed(&mut s, &mut h, b"echo nope\x03");
        assert_eq!(o, "echo nope^C\r\n/ # ");
        assert_eq!(
            typed(&mut s, &mut h, b"echo $?\r").0,
            "echo $?\r\n130\r\n/ # "
        );
        assert_eq!(
            typed(&mut s, &mut h, b"xx\x15echo u\r").0,
            "xx\x08 \x08\x08 \x08echo u\r\nu\r\n/ # "
        );
        assert_eq!(
            typed(&mut s, &mut h, b"ec\x1b[Aho\x1bOB hi\x1b[1;5D\r\n").0,
            "echo hi\r\nhi\r\n/ # ",
            "escapes ignored, \\r\\n one Enter"
        );
        assert_eq!(
            typed(&mut s, &mut h, b"ab\x04").0,
            "ab",
            "ctrl-D on a non-empty line does nothing"
        );
        s.input(&mut h, b"\x15");
        let (o, outs) = typed(&mut s, &mut h, b"\x04");
        assert_eq!((o.as_str(), outs.last()), ("exit\r\n", Some(&Out::Exit(0))));
        assert!(s.ended());
    }

    #[test]
    fn ctrl_d_exits_with_last_status() {
        let mut h = Fake::api();
        let mut s = Shell::interactive("sh", true, &h);
        s.input(&mut h, b"false\r");
        assert_eq!(s.input(&mut h, b"\x04").last(), Some(&Out::Exit(1)));
    }

    #[test]
    fn piped_stdin_without_tty() {
        let mut h = Fake::api();
        let mut s = Shell::interactive("sh", false, &h);
        assert!(s.start().is_empty());
        assert_eq!(
            s.input(&mut h, b"echo a\necho b\n"),
            vec![Out::Stdout(b"a\nb\n".to_vec())]
        );
        assert_eq!(s.input(&mut h, b"echo c"), vec![], "a partial line waits");
        assert_eq!(
            s.eof(&mut h),
            vec![Out::Stdout(b"c\n".to_vec()), Out::Exit(0)]
        );
        assert!(s.ended());

        let mut s = Shell::interactive("sh", false, &h);
        assert_eq!(s.input(&mut h, b"exit 5\necho never\n"), vec![Out::Exit(5)]);
        let mut s = Shell::interactive("bash", false, &h);
        assert_eq!(
            s.input(&mut h, b"nope\r\n"),
            vec![Out::Stderr(b"bash: nope: command not found\n".to_vec())]
        );
        assert_eq!(s.eof(&mut h), vec![Out::Exit(127)]);
    }

    #[test]
    fn garbage_never_panics() {
        let alphabet: &[u8] =
            b" \t\r\n\x03\x04\x08\x7f\x15\x1b[O;&|<>()'\"`$\\{}#-=*?~:/.0123456789abcdefsSfXdhpc";
        let words = [
            "curl",
            "sh",
            "bash",
            "-c",
            "redis-cli",
            "psql",
            "nslookup",
            "echo",
            "printf",
            "sleep",
            "exit",
            "grep",
            "head",
            "wget",
            "$(",
            "${",
            "2>&1",
            "|",
            "&&",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut h = Fake::with_image("redis:7");
        for round in 0..3000 {
            let len = (next() % 40) as usize;
            let mut bytes = Vec::new();
            for _ in 0..len {
                let r = next();
                match r % 4 {
                    0 => bytes.push((r >> 8) as u8),
                    1 => bytes.extend(words[(r >> 8) as usize % words.len()].as_bytes()),
                    _ => bytes.push(alphabet[(r >> 8) as usize % alphabet.len()]),
                }
            }
            let mut s = Shell::interactive(
                if round % 2 == 0 { "sh" } else { "bash" },
                round % 3 != 0,
                &h,
            );
            s.start();
            let mut outs = s.input(&mut h, &bytes);
            outs.extend(s.eof(&mut h));
            let exits = outs.iter().filter(|o| matches!(o, Out::Exit(_))).count();
            assert_eq!(
                (exits, outs.last().map(|o| matches!(o, Out::Exit(_)))),
                (1, Some(true)),
                "{bytes:?}"
            );

            let text = String::from_utf8_lossy(&bytes).into_owned();
            let direct: Vec<String> = text.split(' ').map(str::to_string).collect();
            for a in [
                vec!["sh".to_string(), "-c".to_string(), text.clone()],
                direct,
            ] {
                if let Some(outs) = Shell::run_argv(&mut h, &a, round % 2 == 0) {
                    assert!(matches!(outs.last(), Some(Out::Exit(_))), "{a:?}");
                    assert_eq!(outs.iter().filter(|o| matches!(o, Out::Exit(_))).count(), 1);
                }
            }
        }
    }
}
