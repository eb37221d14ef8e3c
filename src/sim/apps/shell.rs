//! TEMPORARY stub (replaced by the simulated shell).
use std::time::Duration;

use super::HttpResp;

pub trait Host {
    fn local_http(
        &mut self,
        port: u16,
        method: &str,
        path: &str,
        query: &str,
        body: &[u8],
    ) -> Option<HttpResp>;
    fn service_http(
        &mut self,
        host: &str,
        port: u16,
        method: &str,
        path: &str,
        query: &str,
        body: &[u8],
    ) -> Result<HttpResp, String>;
    fn lookup(&self, name: &str) -> Option<(String, String)>;
    fn env(&self) -> Vec<(String, String)>;
    fn hostname(&self) -> String;
    fn image(&self) -> String;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    Sleep(Duration),
    Exit(i32),
}

pub struct Shell {
    ended: bool,
}

impl Shell {
    pub fn run_argv(host: &mut dyn Host, argv: &[String], _tty: bool) -> Option<Vec<Out>> {
        if argv.first().map(String::as_str) == Some("sh") && argv.len() == 1 {
            return None;
        }
        if argv.first().map(String::as_str) == Some("curl") {
            let r = host.local_http(3005, "GET", "/health", "", b"");
            return Some(vec![
                Out::Stdout(r.map(|r| r.body).unwrap_or_default()),
                Out::Exit(0),
            ]);
        }
        Some(vec![
            Out::Stdout(format!("{argv:?}\n").into_bytes()),
            Out::Exit(if argv.first().map(String::as_str) == Some("false") {
                1
            } else {
                0
            }),
        ])
    }
    pub fn interactive(_argv0: &str, _tty: bool, _host: &dyn Host) -> Shell {
        Shell { ended: false }
    }
    pub fn start(&mut self) -> Vec<Out> {
        vec![Out::Stdout(b"/ # ".to_vec())]
    }
    pub fn input(&mut self, _host: &mut dyn Host, bytes: &[u8]) -> Vec<Out> {
        if bytes.contains(&b'\r') {
            self.ended = true;
            return vec![Out::Stdout(bytes.to_vec()), Out::Exit(0)];
        }
        vec![Out::Stdout(bytes.to_vec())]
    }
    pub fn eof(&mut self, _host: &mut dyn Host) -> Vec<Out> {
        self.ended = true;
        vec![Out::Exit(0)]
    }
    pub fn ended(&self) -> bool {
        self.ended
    }
}
