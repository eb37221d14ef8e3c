//! `kdeck demo`: starts the simulated cluster (scenario `incident`) in this process,
//! writes its kubeconfig under the state dir, and opens the console on it through that
//! kubeconfig — exactly as against a real cluster.

use std::process::ExitCode;

use super::console_cmd::{Launch, console, start_logging};
use super::{DemoArgs, KubeArgs};
use crate::config::Paths;
use crate::sim::{self, SimConfig};

pub fn run(args: &DemoArgs, k: &KubeArgs, log_level: &str) -> ExitCode {
    let mut paths = Paths::resolve();
    if let Some(d) = &k.data_dir {
        paths.data_dir = d.clone();
    }
    start_logging(&paths, log_level);
    if !(args.speed.is_finite() && args.speed > 0.0) {
        eprintln!("kdeck demo: --speed must be a positive number");
        return ExitCode::from(2);
    }
    let rt = match super::runtime("kdeck demo: cannot start the runtime: ") {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let cfg = SimConfig {
        scenario: super::sim_cmd::scenario(args.scenario, None),
        seed: args.seed,
        speed: args.speed,
        ..SimConfig::default()
    };
    let result = rt.block_on(async move {
        let handle = sim::start(cfg).await.map_err(|e| format!("cannot start the simulated cluster: {e}"))?;
        let kubeconfig = paths.state_dir.join("demo-kubeconfig.yaml");
        handle
            .write_kubeconfig(&kubeconfig)
            .map_err(|e| format!("cannot write {}: {e}", kubeconfig.display()))?;
        tracing::info!(server = %handle.server_url(), kubeconfig = %kubeconfig.display(), "demo cluster started");
        let launch = Launch {
            kubeconfig: Some(kubeconfig),
            contexts: vec!["kdeck-sim".into()],
            namespaces: k.namespaces.clone(),
            all_namespaces: k.namespaces.is_empty(),
            readonly: k.readonly,
            record: k.record.clone(),
        };
        let r = console(launch, &paths).await;
        handle.shutdown().await;
        r
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kdeck demo: {e}");
            ExitCode::from(2)
        }
    }
}
