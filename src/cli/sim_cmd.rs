//! `kdeck sim`: runs the simulated cluster until SIGINT/SIGTERM, after writing its
//! kubeconfig and printing where it is.

use std::process::ExitCode;

use super::{ScenarioName, SimArgs};
use crate::config::Paths;
use crate::sim::{self, Scenario, SimConfig, access::Rule};

pub fn scenario(name: ScenarioName, args: Option<&SimArgs>) -> Scenario {
    match name {
        ScenarioName::Incident => Scenario::Incident,
        ScenarioName::Calm => Scenario::Calm,
        ScenarioName::Large => Scenario::Large {
            namespaces: args.map_or(100, |a| a.large_namespaces),
            pods_per_namespace: args.map_or(25, |a| a.pods_per_namespace),
            churn_per_sec: args.map_or(10.0, |a| a.churn),
        },
    }
}

pub fn run(args: SimArgs, log_level: &str) -> ExitCode {
    let paths = Paths::resolve();
    if let Err(e) = crate::util::logging::init(&paths.state_dir.join("sim.log"), log_level) {
        eprintln!("kdeck sim: {e} (continuing without a log file)");
    }
    let mut rules = Vec::new();
    for d in &args.deny {
        match Rule::parse(d, false) {
            Ok(r) => rules.push(r),
            Err(e) => {
                eprintln!("kdeck sim: --deny: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let mut admission = Vec::new();
    for d in &args.admission_deny {
        match crate::sim::access::Admission::parse(d) {
            Ok(a) => admission.push(a),
            Err(e) => {
                eprintln!("kdeck sim: --admission-deny: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if !(args.speed.is_finite() && args.speed > 0.0) {
        eprintln!(
            "kdeck sim: --speed must be a positive number, got {}",
            args.speed
        );
        return ExitCode::from(2);
    }
    let cfg = SimConfig {
        addr: args.addr,
        scenario: scenario(args.scenario, Some(&args)),
        seed: args.seed,
        speed: args.speed,
        rules,
        admission,
        bookmark_interval: std::time::Duration::from_secs_f64(args.bookmark_interval.max(0.05)),
        tls: if args.http {
            sim::Tls::Plain
        } else {
            sim::Tls::Generate
        },
        control: args.control,
        lists: args.list_semantics,
        ..SimConfig::default()
    };
    let mut faults = Vec::new();
    for f in &args.fault {
        let Some((k, v)) = f.split_once('=') else {
            eprintln!("kdeck sim: --fault {f:?}: expected NAME=VALUE");
            return ExitCode::from(2);
        };
        faults.push((k.to_string(), v.to_string()));
    }
    let out = args
        .kubeconfig_out
        .clone()
        .unwrap_or_else(|| paths.sim_kubeconfig());
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kdeck sim: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    rt.block_on(async move {
        let handle = match sim::start(cfg).await {
            Ok(h) => h,
            Err(e) => {
                eprintln!("kdeck sim: {e}");
                return ExitCode::from(2);
            }
        };
        for (k, v) in &faults {
            if let Err(e) = handle.faults().apply(k, v) {
                eprintln!("kdeck sim: --fault: {e}");
                return ExitCode::from(2);
            }
        }
        if let Err(e) = handle.write_kubeconfig(&out) {
            eprintln!("kdeck sim: cannot write kubeconfig {}: {e}", out.display());
            return ExitCode::from(2);
        }
        println!("kubeconfig: {}", out.display());
        println!("server: {}", handle.server_url());
        println!("context: kdeck-sim");
        println!("try: KUBECONFIG={} kubectl get pods -A", out.display());
        use std::io::Write;
        let _ = std::io::stdout().flush();
        handle.serve_until_signal().await;
        ExitCode::SUCCESS
    })
}
