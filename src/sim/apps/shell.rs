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
/// `SELECT … FROM pg_stat_activity`, as psql prints it.
const PG_STAT_ACTIVITY: &str = concat!(
    " datname  | usename  |        state        |                            query                            \n",
    "----------+----------+---------------------+-------------------------------------------------------------\n",
    " app      | app      | idle                | COMMIT\n",
    " app      | app      | idle in transaction | UPDATE shifts SET status = $1 WHERE id = $2\n",
    " postgres | postgres | active              | SELECT datname, usename, state, query FROM pg_stat_activity\n",
);
const ROOT_LISTING: &str = "bin  dev  etc  home  proc  root  sys  tmp  usr  var\n";
const BUILTINS: &[&str] = &["exit", "export", "unset", "cd", "set", ":", "exec"];
const PROGRAMS: &[&str] = &[
    "true", "false", "echo", "printf", "sleep", "pwd", "whoami", "id", "date", "ls", "uname", "ps",
    "hostname", "env", "printenv", "cat", "grep", "head", "tail", "wc", "curl", "nslookup", "sh",
    "bash",
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

/// What running a command produces, in execution order.
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
    esc: EscState,
    after_cr: bool,
    ended: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EscState {
    Idle,
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
                        Exec::new(host, &mut st, 0).script(&src, &mut buf);
                        st.last
                    }
                },
                None => {
                    let mut st = State::new(Flavor::Sh);
                    Exec::new(host, &mut st, 0).command(argv, None, Via::Exec, &mut buf)
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
            esc: EscState::Idle,
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
            EscState::Idle => {}
            EscState::Esc => {
                self.esc = match b {
                    b'[' => EscState::Csi,
                    b'O' => EscState::Ss3,
                    _ => EscState::Idle,
                };
                return;
            }
            EscState::Csi => {
                if !(0x20..=0x3f).contains(&b) {
                    self.esc = EscState::Idle;
                }
                return;
            }
            EscState::Ss3 => {
                self.esc = EscState::Idle;
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
            0x1b => self.esc = EscState::Esc,
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
        Exec::new(host, &mut self.st, 0).script(&src, &mut buf);
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

impl<'a> Exec<'a> {
    fn new(host: &'a mut dyn Host, st: &'a mut State, depth: u8) -> Exec<'a> {
        Exec { host, st, depth }
    }
}

struct Url {
    host: String,
    port: u16,
    path: String,
    query: String,
}

/// A curl failure: exit code and message (after `curl: `).
type CurlErr = (i32, String);

fn is_local(h: &str) -> bool {
    matches!(h, "localhost" | "127.0.0.1" | "0.0.0.0" | "::1")
}

/// `[http[s]://]HOST[:PORT][/path][?query]`; Ok(url, is_https).
fn parse_url(s: &str) -> Result<(Url, bool), CurlErr> {
    let (scheme, rest) = s.split_once("://").unwrap_or(("http", s));
    let https = match scheme.to_ascii_lowercase().as_str() {
        "http" => false,
        "https" => true,
        p => return Err((1, format!("(1) Protocol \"{p}\" not supported"))),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (auth, tail) = rest.split_at(end);
    let hostport = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    let (host, port) = hostport.rsplit_once(':').unwrap_or((hostport, ""));
    if host.is_empty() {
        return Err((3, "(3) URL rejected: No host part in the URL".into()));
    }
    let port = match port {
        "" => 80,
        p => p.parse::<u16>().map_err(|_| {
            let msg = "(3) URL rejected: Port number was not a decimal number between 0 and 65535";
            (3, msg.to_string())
        })?,
    };
    let tail = tail.split('#').next().unwrap_or("");
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    let path = if path.is_empty() { "/" } else { path };
    let host = host.to_ascii_lowercase();
    Ok((
        Url {
            host,
            port,
            path: path.into(),
            query: query.into(),
        },
        https,
    ))
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
        Exec::new(&mut *self.host, &mut *self.st, self.depth + 1).script(src, &mut buf);
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
            "/etc/hosts" => b"# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n".to_vec(),
            "/dev/null" => Vec::new(),
            "/" | "/etc" | "/tmp" | "/root" => return Err("Is a directory"),
            _ => return Err("No such file or directory"),
        })
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
            "ls" => match args
                .iter()
                .find(|a| !a.starts_with('-'))
                .map(|p| norm_path(p))
            {
                None => {
                    out.out(ROOT_LISTING);
                    0
                }
                Some(p) if p == "/" => {
                    out.out(ROOT_LISTING);
                    0
                }
                Some(p) if p == "/etc" => {
                    out.out("hostname  hosts  resolv.conf\n");
                    0
                }
                Some(p) => {
                    out.err(format!(
                        "ls: cannot access '{p}': No such file or directory\n"
                    ));
                    2
                }
            },
            "uname" => {
                let all = format!(
                    "Linux {} 6.1.0-sim #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux",
                    self.host.hostname()
                );
                out.out(match args.first().map(String::as_str) {
                    Some("-a") => all + "\n",
                    Some("-r") => "6.1.0-sim\n".into(),
                    Some("-m") => "x86_64\n".into(),
                    _ => "Linux\n".into(),
                });
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
                Exec::new(&mut *self.host, &mut child, self.depth + 1).script(&src, out);
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
        let flags: String = args.iter().filter_map(|a| a.strip_prefix('-')).collect();
        let mut rest = args.iter().filter(|a| !a.starts_with('-') || a.len() == 1);
        let Some(pattern) = rest.next() else {
            out.err("Usage: grep [OPTION]... PATTERNS [FILE]...\n");
            return 2;
        };
        let files: Vec<String> = rest.cloned().collect();
        let (data, ok) = self.input("grep", &files, stdin, out);
        let fold = |s: &str| {
            if flags.contains('i') {
                s.to_lowercase()
            } else {
                s.to_string()
            }
        };
        let (pattern, invert) = (fold(pattern), flags.contains('v'));
        let hits: Vec<&[u8]> = lines_of(&data)
            .into_iter()
            .filter(|l| fold(&String::from_utf8_lossy(l)).contains(&pattern) != invert)
            .collect();
        if flags.contains('c') {
            out.out(format!("{}\n", hits.len()));
        } else if !flags.contains('q') {
            for h in &hits {
                out.out(h.to_vec());
                if !h.ends_with(b"\n") {
                    out.out("\n");
                }
            }
        }
        if !ok { 2 } else { i32::from(hits.is_empty()) }
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

    /// One curl request: the response, or curl's exit code and message.
    fn fetch(&mut self, url: &str, method: &str, body: &[u8]) -> Result<HttpResp, CurlErr> {
        let (u, https) = parse_url(url)?;
        let local = is_local(&u.host) || u.host == self.host.hostname();
        if https && !local && self.host.lookup(&u.host).is_none() {
            return Err((6, format!("(6) Could not resolve host: {}", u.host)));
        }
        if https {
            return Err((
                35,
                "(35) OpenSSL SSL_connect: Connection reset by peer".into(),
            ));
        }
        if local {
            return self.host.local_http(u.port, method, &u.path, &u.query, body).ok_or_else(|| {
                let (h, p) = (&u.host, u.port);
                (7, format!("(7) Failed to connect to {h} port {p} after 0 ms: Couldn't connect to server"))
            });
        }
        let resp = self
            .host
            .service_http(&u.host, u.port, method, &u.path, &u.query, body);
        resp.map_err(|r| {
            if r.starts_with("Could not resolve") {
                (6, format!("(6) {r}"))
            } else {
                (7, format!("(7) {r}"))
            }
        })
    }

    fn curl(&mut self, args: &[String], out: &mut Buf) -> i32 {
        const LONG: &[(&str, char)] = &[
            ("silent", 's'),
            ("show-error", 'S'),
            ("fail", 'f'),
            ("include", 'i'),
            ("head", 'I'),
            ("request", 'X'),
            ("data", 'd'),
            ("data-raw", 'd'),
            ("data-binary", 'd'),
            ("json", 'd'),
            ("header", 'H'),
            ("max-time", 'm'),
            ("connect-timeout", 'm'),
            ("output", 'o'),
            ("write-out", 'w'),
            ("user-agent", 'A'),
            ("user", 'u'),
            ("verbose", 'v'),
            ("location", 'L'),
            ("insecure", 'k'),
            ("compressed", 'v'),
            ("no-progress-meter", 'v'),
        ];
        const VALUED: &str = "XdHmowAu";
        const FLAGS: &str = "sSfiIvLkg";
        let mut opts: Vec<(char, String)> = Vec::new();
        let mut url = None;
        let mut i = 0;
        while let Some(a) = args.get(i) {
            i += 1;
            let usage = |what: &str| {
                format!("curl: option {a}: {what}\ncurl: try 'curl --help' for more information\n")
            };
            if let Some(long) = a.strip_prefix("--") {
                let (name, inline) = long
                    .split_once('=')
                    .map_or((long, None), |(n, v)| (n, Some(v)));
                let Some(&(_, f)) = LONG.iter().find(|(n, _)| *n == name) else {
                    out.err(usage("is unknown"));
                    return 2;
                };
                let v = if VALUED.contains(f) {
                    inline
                        .map(str::to_string)
                        .or_else(|| opt_value("", args, &mut i))
                } else {
                    Some(String::new())
                };
                let Some(v) = v else {
                    out.err(usage("requires parameter"));
                    return 2;
                };
                opts.push((f, v));
            } else if a.len() > 1 && a.starts_with('-') {
                for (k, f) in a.char_indices().skip(1) {
                    if VALUED.contains(f) {
                        let Some(v) = opt_value(&a[k + 1..], args, &mut i) else {
                            out.err(usage("requires parameter"));
                            return 2;
                        };
                        opts.push((f, v));
                        break;
                    }
                    if !FLAGS.contains(f) {
                        out.err(usage("is unknown"));
                        return 2;
                    }
                    opts.push((f, String::new()));
                }
            } else if url.is_none() {
                url = Some(a.clone());
            }
        }
        let has = |c: char| opts.iter().any(|(f, _)| *f == c);
        let last = |c: char| {
            opts.iter()
                .rev()
                .find(|(f, _)| *f == c)
                .map(|(_, v)| v.clone())
        };
        let data: Vec<&str> = opts
            .iter()
            .filter(|(f, _)| *f == 'd')
            .map(|(_, v)| v.as_str())
            .collect();
        let (head, output, wfmt) = (has('I'), last('o'), last('w'));
        let loud = !has('s') || has('S');
        let method = last('X').unwrap_or_else(|| {
            (if head {
                "HEAD"
            } else if data.is_empty() {
                "GET"
            } else {
                "POST"
            })
            .to_string()
        });
        let result = match url {
            None => Err((2, "no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information".into())),
            Some(url) => self.fetch(&url, &method, data.join("&").as_bytes()),
        };
        let (code, msg) = match result {
            Err(e) => {
                if let Some(w) = &wfmt {
                    out.out(write_out(w, 0, "", 0));
                }
                e
            }
            Ok(resp) => {
                let failed = has('f') && resp.status >= 400;
                let to_stdout = output.as_deref().is_none_or(|o| o == "-");
                if !failed && to_stdout && (has('i') || head) {
                    let (st, why, ct, len) = (
                        resp.status,
                        reason(resp.status),
                        resp.content_type,
                        resp.body.len(),
                    );
                    out.out(format!(
                        "HTTP/1.1 {st} {why}\r\nContent-Type: {ct}\r\nContent-Length: {len}\r\n\r\n"
                    ));
                }
                if !failed && to_stdout && !head {
                    out.out(resp.body.clone());
                }
                if let Some(w) = &wfmt {
                    out.out(write_out(
                        w,
                        resp.status,
                        resp.content_type,
                        resp.body.len(),
                    ));
                }
                if failed {
                    (
                        22,
                        format!("(22) The requested URL returned error: {}", resp.status),
                    )
                } else if !to_stdout && output.as_deref() != Some("/dev/null") {
                    (23, "(23) Failure writing output to destination".into())
                } else {
                    return 0;
                }
            }
        };
        if loud {
            out.err(format!("curl: {msg}\n"));
        }
        code
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
        let (table, rows) = if norm == "select 1" {
            (" ?column? \n----------\n        1\n", "(1 row)")
        } else if norm.contains("pg_stat_activity") {
            (PG_STAT_ACTIVITY, "(3 rows)")
        } else {
            out.err("ERROR:  simulated database: only SELECT 1 and pg_stat_activity are known\n");
            return 1;
        };
        let body: Vec<&str> = table.lines().skip(if tuples { 2 } else { 0 }).collect();
        for line in body {
            let line = if unaligned {
                line.split('|').map(str::trim).collect::<Vec<_>>().join("|")
            } else {
                line.to_string()
            };
            if !(unaligned && line.starts_with('-')) {
                out.out(line + "\n");
            }
        }
        if !tuples {
            out.out(format!("{rows}\n\n"));
        }
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
    const API: &str = "flextime/api:v2.3.0";
    /// An api pod whose health check answers 503.
    const SICK: &str = "flextime/api:degraded";
    const REDIS: &str = "redis:7-alpine";
    const PG: &str = "postgres:15";
    const RUNTIME: &str = "executable file not found in $PATH";

    /// A pod `POD` in namespace `team` running `image`; Services `postgres` and `flextime-api`.
    struct Fake {
        image: &'static str,
        resets: u32,
    }

    impl Host for Fake {
        fn local_http(
            &mut self,
            port: u16,
            m: &str,
            path: &str,
            _: &str,
            _: &[u8],
        ) -> Option<HttpResp> {
            if port != 3005 || app_for_image(self.image) != App::FlexApi {
                return None;
            }
            Some(match (m, path) {
                ("GET", "/health") if self.image == SICK => {
                    HttpResp::json(503, &json!({"status": "degraded"}))
                }
                ("GET", "/health") => HttpResp::json(200, &json!({"status": "ok"})),
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
                    .ok_or_else(|| "Recv failure".into()),
                Some(_) => Err(format!(
                    "Failed to connect to {host} port {port}: Connection refused"
                )),
                None => Err(format!("Could not resolve host: {host}")),
            }
        }
        fn lookup(&self, name: &str) -> Option<(String, String)> {
            [("postgres", "10.96.4.7"), ("flextime-api", "10.96.4.9")]
                .iter()
                .find_map(|(svc, ip)| {
                    let fqdn = format!("{svc}.team.svc.cluster.local");
                    let short = [
                        svc.to_string(),
                        format!("{svc}.team"),
                        format!("{svc}.team.svc"),
                    ];
                    (short.iter().any(|s| s == name) || fqdn == name)
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
            self.image.into()
        }
        fn namespace(&self) -> String {
            "team".into()
        }
    }

    fn host(image: &'static str) -> Fake {
        Fake { image, resets: 0 }
    }

    fn argv(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    /// (stdout, stderr, exit code); -1 when no Exit.
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
            String::from_utf8_lossy(&o).into(),
            String::from_utf8_lossy(&e).into(),
            code,
        )
    }

    fn exec(h: &mut Fake, a: &[&str]) -> (String, String, i32) {
        split(&Shell::run_argv(h, &argv(a), false).expect("not interactive"))
    }

    /// (image, `sh -c` script, stdout, stderr, exit code)
    #[rustfmt::skip]
    const SCRIPTS: &[(&str, &str, &str, &str, i32)] = &[
        (API, "curl -s localhost:3005/health", r#"{"status":"ok"}"#, "", 0),
        (API, "curl -fsS http://flextime-api.team.svc.cluster.local/health", r#"{"status":"ok"}"#, "", 0),
        (API, "curl -X POST http://127.0.0.1:3005/circuit-breaker/reset", r#"{"reset":true}"#, "", 0),
        (API, "curl -sd '' localhost:3005/circuit-breaker/reset", r#"{"reset":true}"#, "", 0),
        (API, "curl -s localhost:3005/circuit-breaker/reset", "404 page not found\n", "", 0),
        (SICK, "curl -f localhost:3005/health", "", "curl: (22) The requested URL returned error: 503\n", 22),
        (SICK, "curl -sf localhost:3005/health", "", "", 22),
        (SICK, "curl -s localhost:3005/health", r#"{"status":"degraded"}"#, "", 0),
        (API, "curl localhost:9999/x", "", "curl: (7) Failed to connect to localhost port 9999 after 0 ms: Couldn't connect to server\n", 7),
        (API, "curl -s localhost:9999/x", "", "", 7),
        (API, "curl -sS localhost:9999", "", "curl: (7) Failed to connect to localhost port 9999 after 0 ms: Couldn't connect to server\n", 7),
        (API, "curl http://nope:8080/", "", "curl: (6) Could not resolve host: nope\n", 6),
        (API, "curl -m 5 postgres.team:80", "", "curl: (7) Failed to connect to postgres.team port 80: Connection refused\n", 7),
        (API, "curl https://localhost:3005/health", "", "curl: (35) OpenSSL SSL_connect: Connection reset by peer\n", 35),
        (API, "curl -s", "", "", 2),
        (API, "curl --bogus x", "", "curl: option --bogus: is unknown\ncurl: try 'curl --help' for more information\n", 2),
        (API, "curl -s -o /dev/null -w '%{http_code}' localhost:3005/health", "200", "", 0),
        (API, "curl -s -w '\\n%{http_code}\\n' localhost:9/", "\n000\n", "", 7),
        (API, "curl -si -H 'Accept: */*' localhost:3005/health",
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"status\":\"ok\"}", "", 0),
        (REDIS, "redis-cli ping", "PONG\n", "", 0),
        (REDIS, "redis-cli -h localhost -p 6379 PING", "PONG\n", "", 0),
        (REDIS, "redis-cli set k v; redis-cli get k; redis-cli get no; redis-cli dbsize", "OK\n\"v\"\n(nil)\n(integer) 43\n", "", 0),
        (REDIS, "redis-cli info | grep version", "redis_version:7.2.4\n", "", 0),
        (REDIS, "redis-cli -p 6380 ping", "", "Could not connect to Redis at 127.0.0.1:6380: Connection refused\n", 1),
        (API, "redis-cli ping", "", "sh: redis-cli: not found\n", 127),
        (API, "bash -c 'redis-cli ping'", "", "bash: redis-cli: command not found\n", 127),
        (API, "nslookup postgres", "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tpostgres.team.svc.cluster.local\nAddress: 10.96.4.7\n\n", "", 0),
        (API, "nslookup redis.team", "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n** server can't find redis.team: NXDOMAIN\n\n", "", 1),
        (PG, "psql -U postgres -c 'SELECT 1;'", " ?column? \n----------\n        1\n(1 row)\n\n", "", 0),
        (PG, "psql -tAc 'select 1'", "1\n", "", 0),
        (PG, "psql -Ac 'select * from pg_stat_activity' | head -n 2", "datname|usename|state|query\napp|app|idle|COMMIT\n", "", 0),
        (API, "grep -ic app_env; printf 'Ab\nb\n' | grep -iv a; grep x /nope", "0\nb\n", "grep: /nope: No such file or directory\n", 2),
        (PG, "psql -c 'DROP TABLE shifts'", "", "ERROR:  simulated database: only SELECT 1 and pg_stat_activity are known\n", 1),
        (API, "psql -c 'select 1'", "", "sh: psql: not found\n", 127),
        (API, "printenv APP_ENV; printenv NOPE", "prod\n", "", 1),
        (API, "env | head -n 3", "APP_ENV=prod\nDB_HOST=postgres.team\nHOSTNAME=flextime-api-7d9f-abcde\n", "", 0),
        (API, "export X=1; env | grep X=", "X=1\n", "", 0),
        (API, "cat /etc/hostname; hostname; pwd; whoami", "flextime-api-7d9f-abcde\nflextime-api-7d9f-abcde\n/\nroot\n", "", 0),
        (API, "cat /etc/resolv.conf", "search team.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n", "", 0),
        (API, "cat /app/config.yaml", "", "cat: /app/config.yaml: No such file or directory\n", 1),
        (API, "ls; id; uname", "bin  dev  etc  home  proc  root  sys  tmp  usr  var\nuid=0(root) gid=0(root) groups=0(root)\nLinux\n", "", 0),
        (API, "sleep x", "", "sleep: invalid time interval 'x'\n", 1),
        (API, "echo hi && false || echo fallback", "hi\nfallback\n", "", 0),
        (API, "false; echo $?; true && echo ok", "1\nok\n", "", 0),
        (API, "exit 3; echo no", "", "", 3),
        (API, "false; exit", "", "", 1),
        (API, "exit 300", "", "", 44),
        (API, r#"echo "$HOSTNAME" '$HOME' \$x "a\"b" $UNSET end"#, "flextime-api-7d9f-abcde $HOME $x a\"b end\n", "", 0),
        (API, "echo \"h=$(hostname)\" `whoami` ${APP_ENV} ${NO:-dflt} # comment", "h=flextime-api-7d9f-abcde root prod dflt\n", "", 0),
        (API, "X='a  b'; echo $X; echo \"$X\"", "a b\na  b\n", "", 0),
        (API, "echo -n x; echo -e 'y\\tz'; printf '%s=%s\\n' a 1 b 2", "xy\tz\na=1\nb=2\n", "", 0),
        (API, "frobnicate --now", "", "sh: frobnicate: not found\n", 127),
        (API, "bash -c frobnicate", "", "bash: frobnicate: command not found\n", 127),
        (API, "echo 'abc", "", "sh: syntax error: unterminated quoted string\n", 2),
        (API, "bash -c 'echo \"abc'", "", "bash: unexpected EOF while looking for matching `\"'\n", 2),
        (API, "echo a &&", "", "sh: syntax error: unexpected end of file\n", 2),
        (API, "&& echo a", "", "sh: syntax error: unexpected \"&&\"\n", 2),
        (API, "echo (x)", "", "sh: syntax error: unexpected \"(\"\n", 2),
        (API, "printf 'a\\nb\\nc\\n' | grep b", "b\n", "", 0),
        (API, "printf 'a\\nb\\nc\\n' | head -n 2 | wc -l", "2\n", "", 0),
        (API, "echo nope | grep -q yes", "", "", 1),
        (API, "curl localhost:1/ 2>&1 | grep -c Failed", "1\n", "", 0),
        (API, "curl localhost:1/ 2>/dev/null; echo $?", "7\n", "", 0),
        (API, "echo hi >/dev/null; echo err >&2", "", "err\n", 0),
        (API, "echo hi > /tmp/x", "", "sh: can't create /tmp/x: Read-only file system\n", 1),
        (API, "echo 'echo nested' | sh", "nested\n", "", 0),
    ];

    #[test]
    fn scripts_print_what_a_shell_would() {
        for &(image, script, stdout, stderr, code) in SCRIPTS {
            let got = exec(&mut host(image), &["sh", "-c", script]);
            assert_eq!(
                got,
                (stdout.into(), stderr.into(), code),
                "{image}: {script}"
            );
        }
    }

    #[test]
    fn direct_exec() {
        let mut h = host(API);
        assert_eq!(
            Shell::run_argv(&mut h, &argv(&["false"]), false),
            Some(vec![Out::Exit(1)])
        );
        for a in [
            &["frobnicate"][..],
            &["redis-cli", "ping"],
            &["exit", "0"],
            &["./curl"],
        ] {
            let (o, e, c) = exec(&mut h, a);
            assert!(
                o.is_empty() && e.contains(&format!("exec: \"{}\": {RUNTIME}", a[0])) && c == 127,
                "{e}"
            );
        }
        assert_eq!(
            exec(&mut host(REDIS), &["redis-cli", "ping"]),
            ("PONG\n".into(), String::new(), 0)
        );
        assert_eq!(exec(&mut h, &["/bin/echo", "x"]).0, "x\n");
        exec(
            &mut h,
            &["curl", "-X", "POST", "localhost:3005/circuit-breaker/reset"],
        );
        assert_eq!(h.resets, 1);
        let env = exec(&mut h, &["env"]).0;
        assert!(
            env.starts_with("APP_ENV=prod\n") && env.contains("\nKUBERNETES_SERVICE_PORT=443\n"),
            "{env}"
        );
        assert!(exec(&mut h, &["date"]).0.contains(" UTC "));
        assert_eq!(exec(&mut h, &["date", "+%Y"]).0.trim().len(), 4);
        assert!(
            exec(&mut h, &["uname", "-a"])
                .0
                .starts_with(&format!("Linux {POD} "))
        );
        assert!(exec(&mut h, &["ps"]).0.lines().count() >= 3);
        let pg = exec(
            &mut host(PG),
            &["psql", "-c", "select * from pg_stat_activity"],
        )
        .0;
        assert!(
            pg.contains("idle in transaction") && pg.ends_with("(3 rows)\n\n"),
            "{pg}"
        );
    }

    #[test]
    fn shells_without_c_are_interactive() {
        let mut h = host(API);
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
        assert_eq!(
            exec(&mut h, &["sh", "-c"]),
            (String::new(), "sh: -c requires an argument\n".into(), 2)
        );
        assert_eq!(exec(&mut h, &["bash", "-ec", "echo x"]).0, "x\n");
        let e = "sh: can't open 'run.sh': No such file or directory\n";
        assert_eq!(
            exec(&mut h, &["sh", "run.sh"]),
            (String::new(), e.into(), 2)
        );
    }

    #[test]
    fn sleep_keeps_execution_order_and_tty_gets_crlf() {
        let mut h = host(API);
        let mut run = |a: &[&str], tty| Shell::run_argv(&mut h, &argv(a), tty).unwrap_or_default();
        let want = [
            Out::Stdout(b"a\n".to_vec()),
            Out::Sleep(Duration::from_secs(1)),
            Out::Stdout(b"b\n".to_vec()),
            Out::Exit(0),
        ];
        assert_eq!(run(&["sh", "-c", "echo a; sleep 1; echo b"], false), want);
        assert_eq!(
            run(&["sleep", "0.5"], false),
            [Out::Sleep(Duration::from_millis(500)), Out::Exit(0)]
        );
        assert_eq!(
            run(&["sleep", "1h"], false),
            [Out::Sleep(Duration::from_secs(600)), Out::Exit(0)]
        );
        let want = [
            Out::Stdout(b"hi\r\n".to_vec()),
            Out::Stderr(b"sh: nope: not found\r\n".to_vec()),
            Out::Exit(127),
        ];
        assert_eq!(run(&["sh", "-c", "echo hi; nope"], true), want);
    }

    /// Types each input into `sh`, checking everything it prints back.
    fn typing(sh: &mut Shell, h: &mut Fake, steps: &[(&str, &str)]) -> Vec<Out> {
        let mut last = Vec::new();
        for (typed, shown) in steps {
            last = sh.input(h, typed.as_bytes());
            assert_eq!(split(&last).0, *shown, "typing {typed:?}");
        }
        last
    }

    #[test]
    fn interactive_tty_session() {
        let mut h = host(API);
        let mut s = Shell::interactive("sh", true, &h);
        assert_eq!(s.start(), [Out::Stdout(b"/ # ".to_vec())]);
        let end = typing(
            &mut s,
            &mut h,
            &[
                ("echo hi\r", "echo hi\r\nhi\r\n/ # "),
                (
                    "curl -s localhost:3005/health\r",
                    "curl -s localhost:3005/health\r\n{\"status\":\"ok\"}/ # ",
                ),
                ("exit\r", "exit\r\n"),
            ],
        );
        assert_eq!((end.last(), s.ended()), (Some(&Out::Exit(0)), true));
        assert!(s.input(&mut h, b"echo late\r").is_empty() && s.eof(&mut h).is_empty());

        let mut b = Shell::interactive("/bin/bash", true, &h);
        assert_eq!(split(&b.start()).0, format!("root@{POD}:/# "));
        let prompt = format!("root@{POD}:/# ");
        let end = typing(&mut b, &mut h, &[("nope\r", &format!("nope\r\n{prompt}"))]);
        let err = Out::Stderr(b"bash: nope: command not found\r\n".to_vec());
        assert_eq!(
            end.get(1),
            Some(&err),
            "stderr between the echo and the prompt"
        );
        assert_eq!(b.input(&mut h, b"exit 4\r").last(), Some(&Out::Exit(4)));
    }

    #[test]
    fn tty_line_editing() {
        let mut h = host(API);
        let mut s = Shell::interactive("sh", true, &h);
        s.start();
        typing(
            &mut s,
            &mut h,
            &[
                ("echoo\x7f hi\r", "echoo\x08 \x08 hi\r\nhi\r\n/ # "),
                ("\x7f", ""),
                ("echo hé\x7f\r", "echo hé\x08 \x08\r\nh\r\n/ # "),
                ("echo héllo\r", "echo héllo\r\nhéllo\r\n/ # "),
                ("echo nope\x03", "echo nope^C\r\n/ # "),
                ("echo $?\r", "echo $?\r\n130\r\n/ # "),
                ("xx\x15echo u\r", "xx\x08 \x08\x08 \x08echo u\r\nu\r\n/ # "),
                ("ec\x1b[Aho\x1bOB hi\x1b[1;5D\r\n", "echo hi\r\nhi\r\n/ # "),
                ("false\r", "false\r\n/ # "),
                ("ab\x04", "ab"),
                ("\x15", "\x08 \x08\x08 \x08"),
            ],
        );
        assert_eq!(
            s.input(&mut h, b"\x04"),
            [Out::Stdout(b"exit\r\n".to_vec()), Out::Exit(1)]
        );
        assert!(s.ended());
    }

    #[test]
    fn piped_stdin_without_tty() {
        let mut h = host(API);
        let mut s = Shell::interactive("sh", false, &h);
        assert!(s.start().is_empty());
        assert_eq!(
            s.input(&mut h, b"echo a\necho b\n"),
            [Out::Stdout(b"a\nb\n".to_vec())]
        );
        assert_eq!(s.input(&mut h, b"echo c"), [], "a partial line waits");
        assert_eq!(s.eof(&mut h), [Out::Stdout(b"c\n".to_vec()), Out::Exit(0)]);
        assert!(s.ended());

        let mut s = Shell::interactive("sh", false, &h);
        assert_eq!(s.input(&mut h, b"exit 5\necho never\n"), [Out::Exit(5)]);
        let mut s = Shell::interactive("bash", false, &h);
        assert_eq!(
            s.input(&mut h, b"nope\r\n"),
            [Out::Stderr(b"bash: nope: command not found\n".to_vec())]
        );
        assert_eq!(s.eof(&mut h), [Out::Exit(127)]);
    }

    #[test]
    fn garbage_never_panics() {
        let alphabet =
            b" \t\r\n\x03\x04\x08\x7f\x15\x1b[O;&|<>()'\"`$\\{}#-=*?~:/.0123456789abcsSfXdhpc";
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
        ];
        let words = [
            &words[..],
            &[
                "grep",
                "head",
                "cat",
                "date",
                "$(",
                "${",
                "2>&1",
                "|",
                "&&",
                "localhost:3005",
            ],
        ]
        .concat();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 8) as usize
        };
        let mut h = host(REDIS);
        for round in 0..3000 {
            let mut bytes = Vec::new();
            for _ in 0..next() % 40 {
                let r = next();
                match r % 4 {
                    0 => bytes.push((r >> 3) as u8),
                    1 => bytes.extend(words[(r >> 3) % words.len()].as_bytes()),
                    _ => bytes.push(alphabet[(r >> 3) % alphabet.len()]),
                }
            }
            let mut s = Shell::interactive(["sh", "bash"][round % 2], round % 3 != 0, &h);
            let mut outs = s.start();
            outs.extend(s.input(&mut h, &bytes));
            outs.extend(s.eof(&mut h));
            let exits = outs.iter().filter(|o| matches!(o, Out::Exit(_))).count();
            assert!(
                exits == 1 && matches!(outs.last(), Some(Out::Exit(_))),
                "{bytes:?}"
            );

            let text = String::from_utf8_lossy(&bytes).into_owned();
            let direct: Vec<String> = text.split(' ').map(str::to_string).collect();
            for a in [argv(&["sh", "-c", &text]), direct] {
                if let Some(outs) = Shell::run_argv(&mut h, &a, round % 2 == 0) {
                    let exits = outs.iter().filter(|o| matches!(o, Out::Exit(_))).count();
                    assert!(
                        exits == 1 && matches!(outs.last(), Some(Out::Exit(_))),
                        "{a:?}"
                    );
                }
            }
        }
    }
}
