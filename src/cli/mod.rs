//! The command line: `kdeck` (the console), `demo`, `sim`, `status`, `audit`,
//! `config`. Parsing lives here; each command's work lives in its own module.

mod audit_cmd;
mod config_cmd;
mod console_cmd;
mod demo_cmd;
mod sim_cmd;
mod status_cmd;
mod timeline_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "kdeck",
    version,
    about = "A terminal operations console for on-call engineers"
)]
pub struct Cli {
    #[command(flatten)]
    pub kube: KubeArgs,
    /// Log level for the log file under the state directory (error, warn, info, debug, trace).
    #[arg(long, global = true, default_value = "info", env = "KDECK_LOG_LEVEL")]
    pub log_level: String,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// kubectl's habits: which kubeconfig, contexts and namespaces to show.
#[derive(Args, Debug, Clone, Default)]
pub struct KubeArgs {
    /// Path to a kubeconfig (default: $KUBECONFIG, a colon-separated list, or ~/.kube/config).
    #[arg(long, global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// A context to watch; repeat to watch several clusters at once.
    #[arg(long = "context", global = true)]
    pub contexts: Vec<String>,
    /// A namespace to watch; repeat or give a comma list.
    #[arg(short = 'n', long = "namespace", global = true, value_delimiter = ',')]
    pub namespaces: Vec<String>,
    /// Watch all namespaces.
    #[arg(short = 'A', long = "all-namespaces", global = true)]
    pub all_namespaces: bool,
    /// Disable every action (a lock shows in the header).
    #[arg(long, global = true)]
    pub readonly: bool,
    /// Where the audit log lives (default: the data directory).
    #[arg(long, global = true, env = "KDECK_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Record this session to FILE (instead of the flight recorder's rolling files
    /// under the state directory); replay it with `kdeck replay FILE`.
    #[arg(long, global = true, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the simulated cluster (scenario `incident`) in-process and open the console on it.
    Demo(DemoArgs),
    /// Run the simulated cluster: a Kubernetes API server on loopback that kubectl accepts.
    Sim(SimArgs),
    /// One-shot headless summary of what needs attention (exit 0 healthy, 1 attention, 2 error).
    Status(StatusArgs),
    /// Read, verify and export the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Show where kdeck reads and writes, and check configuration files.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Open the console on a recording, read-only, with a time cursor: `space` plays
    /// and pauses, `>`/`<` speed, `.`/`,` step, `]`/`[` the next/previous timeline entry.
    Replay(ReplayArgs),
    /// Write a postmortem-ready timeline of a recording (what was seen, what was done
    /// and by whom, each outcome with its audit hash), in UTC and local time.
    Timeline(TimelineArgs),
    /// Print a shell completion script: `kdeck completions bash > /etc/bash_completion.d/kdeck`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScenarioName {
    Incident,
    Calm,
    Large,
}

#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    #[arg(long, value_enum, default_value = "incident")]
    pub scenario: ScenarioName,
    /// Simulated seconds per real second.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Args, Debug, Clone)]
pub struct SimArgs {
    /// Address to bind (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: std::net::SocketAddr,
    #[arg(long, value_enum, default_value = "incident")]
    pub scenario: ScenarioName,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Simulated seconds per real second.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Where to write the kubeconfig (default: a file under the state directory).
    #[arg(long)]
    pub kubeconfig_out: Option<PathBuf>,
    /// `large`: number of namespaces.
    #[arg(long = "namespaces", id = "large_namespaces", default_value_t = 100)]
    pub large_namespaces: usize,
    /// `large`: pods per namespace.
    #[arg(long, default_value_t = 25)]
    pub pods_per_namespace: usize,
    /// `large`: pod updates per second.
    #[arg(long, default_value_t = 10.0)]
    pub churn: f64,
    /// Forbid requests: VERB:RESOURCE[/SUBRESOURCE]:NAMESPACE[:USER] (globs); repeatable.
    #[arg(long)]
    pub deny: Vec<String>,
    /// Deny writes as an admission policy does (422 Invalid, dry runs too):
    /// VERB:RESOURCE[/SUBRESOURCE]:NAMESPACE:MESSAGE; repeatable.
    #[arg(long)]
    pub admission_deny: Vec<String>,
    /// Seconds between watch bookmarks.
    #[arg(long, default_value_t = 10.0)]
    pub bookmark_interval: f64,
    /// Serve plain HTTP instead of HTTPS (clients then send no credentials).
    #[arg(long)]
    pub http: bool,
    /// Inject a fault from the start: latency_ms=200, status=503, count=10,
    /// retry_after=2, hang=true, unauthorized=true, expired_cert=true; repeatable.
    #[arg(long)]
    pub fault: Vec<String>,
    /// Serve `POST /kdeck-sim/faults` (JSON of the same names) to change faults while
    /// it runs; for tests, never for a shared machine.
    #[arg(long)]
    pub control: bool,
    /// Which list semantics to serve: `full` (streaming lists and cached
    /// `resourceVersion=0` lists, as a current server), `no-watch-list` or `paged`
    /// (as older servers), to see how clients fall back.
    #[arg(long, value_enum, default_value_t = crate::sim::ListSemantics::Full)]
    pub list_semantics: crate::sim::ListSemantics,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
}

#[derive(Args, Debug, Clone)]
pub struct StatusArgs {
    #[arg(short = 'o', long = "output", value_enum, default_value = "table")]
    pub output: OutputFormat,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Print audit records.
    Show {
        /// Only records at or after this time (RFC 3339) or this long ago (e.g. 2h, 30m).
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Check the hash chain; exit 1 at the first bad record.
    Verify {
        /// Also check the chain heads published on the cluster as Events (by each
        /// finished action): finds the newest records deleted or the chain rewritten.
        #[arg(long)]
        cluster: bool,
    },
    /// Export the log for a postmortem.
    Export {
        #[arg(long, value_enum, default_value = "md")]
        format: ExportFormat,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Md,
    Json,
}

#[derive(Args, Debug, Clone)]
pub struct ReplayArgs {
    /// A recording (`--record FILE`), or the flight recorder's directory (default).
    pub file: Option<PathBuf>,
    /// Start playing at this speed (1–60).
    #[arg(long, default_value_t = 1)]
    pub speed: u32,
    /// Start at this time (`HH:MM:SS` in UTC on the recording's first day, or RFC 3339).
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct TimelineArgs {
    /// A recording (`--record FILE`, or one of the flight recorder's files).
    #[arg(long, value_name = "FILE", conflicts_with = "last")]
    pub from: Option<PathBuf>,
    /// The flight recorder's last span of this long (`2h`, `30m`).
    #[arg(long, value_name = "DURATION")]
    pub last: Option<String>,
    #[arg(long, value_enum, default_value = "md")]
    pub format: TimelineFormat,
    /// Only the entries that match, as the console's timeline filter reads it:
    /// `kind:rollout`, `ctx:NAME`, `ns:NAME`, `obj:NAME` and free words, all of them.
    #[arg(long, value_name = "WORDS")]
    pub filter: Option<String>,
    /// Only what happened within the spans marked with `M` in the console.
    #[arg(long)]
    pub marked: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum TimelineFormat {
    Md,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Print every path kdeck uses.
    Paths,
    /// Validate the config, theme and keymap files.
    Check,
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    match cli.command {
        Some(Command::Sim(args)) => sim_cmd::run(args, &cli.log_level),
        Some(Command::Demo(args)) => demo_cmd::run(&args, &cli.kube, &cli.log_level),
        Some(Command::Status(args)) => status_cmd::run(&args, &cli.kube, &cli.log_level),
        Some(Command::Audit { command }) => audit_cmd::run(&command, &cli.kube),
        Some(Command::Timeline(args)) => timeline_cmd::run(&args),
        Some(Command::Replay(args)) => timeline_cmd::replay(&args),
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            use std::io::Write;
            // Written whole into memory first: the generator panics on a write error,
            // and a closed pipe (`| head`) is not one worth a panic.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "kdeck", &mut script);
            let mut out = std::io::stdout();
            match out.write_all(&script).and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("kdeck completions: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Some(Command::Config { command }) => {
            config_cmd::run(&command, cli.kube.data_dir.as_deref())
        }
        None => console_cmd::run(&cli.kube, &cli.log_level),
    }
}

/// The async runtime a command runs on (two workers: the machines are small). A
/// runtime that cannot start is said after `said` (`kdeck demo: …`), exit code 2.
pub fn runtime(said: &str) -> Result<tokio::runtime::Runtime, std::process::ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("{said}{e}");
            std::process::ExitCode::from(2)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "kdeck",
            "sim",
            "--scenario",
            "large",
            "--namespaces",
            "7",
            "-n",
            "a,b",
        ])
        .unwrap();
        assert_eq!(cli.kube.namespaces, vec!["a", "b"]);
        match cli.command {
            Some(Command::Sim(s)) => assert_eq!(s.large_namespaces, 7),
            other => panic!("{other:?}"),
        }
    }
}
