//! Undo the last action, from the audit log: the newest succeeded action (not already
//! undone) is read back from its record — the request it sent and the state it
//! changed from — and planned in reverse like any other action (its own plan,
//! preflight and confirmation). A set image is undone by rolling back to the revision
//! that was current before it. Restarts, breaker resets and backups cannot be undone.

use super::{HealthOf, Plan, Request, Workload};
use crate::audit::{Outcome, Phase, Record};
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;
use crate::fleet::workloads::WorkloadKind;

/// The action an undo would reverse.
#[derive(Clone, Debug, PartialEq)]
pub struct Last<'a> {
    pub record: &'a Record,
    pub request: Request,
}

/// The request an audit record carries (in `params.request`).
pub fn request_of(r: &Record) -> Option<Request> {
    serde_json::from_value(r.params.get("request")?.clone()).ok()
}

/// The newest succeeded action not undone since, in `records` (oldest first).
pub fn last(records: &[Record]) -> Result<Last<'_>, String> {
    let undone: std::collections::HashSet<&str> = records
        .iter()
        .filter(|r| r.outcome == Some(Outcome::Succeeded))
        .filter_map(|r| r.params.get("undoes")?.as_str())
        .collect();
    let r = records
        .iter()
        .rev()
        .filter(|r| r.phase == Phase::Outcome && r.outcome == Some(Outcome::Succeeded))
        // A revealed secret, an exec or a forward changed nothing: the change before
        // it is the last one.
        .filter(|r| {
            !matches!(
                r.action.as_str(),
                "reveal" | "exec" | "shell" | "port-forward" | "port-forward-stop"
            )
        })
        .find(|r| !undone.contains(r.action_id.as_str()))
        .ok_or("no succeeded action to undo in the audit log")?;
    let request = request_of(r).ok_or_else(|| {
        format!(
            "the record of {} {} carries no request to reverse",
            r.action, r.target
        )
    })?;
    Ok(Last { record: r, request })
}

/// Every action that undo could reverse, newest first: succeeded, not undone since,
/// one that changed something, with the request it sent on record.
pub fn undoable(records: &[Record]) -> Vec<Last<'_>> {
    let undone: std::collections::HashSet<&str> = records
        .iter()
        .filter(|r| r.outcome == Some(Outcome::Succeeded))
        .filter_map(|r| r.params.get("undoes")?.as_str())
        .collect();
    records
        .iter()
        .rev()
        .filter(|r| r.phase == Phase::Outcome && r.outcome == Some(Outcome::Succeeded))
        .filter(|r| !undone.contains(r.action_id.as_str()))
        .filter_map(|r| {
            let request = request_of(r)?;
            (!request.changes_nothing()).then_some(Last { record: r, request })
        })
        .collect()
}

/// Plans the reverse of `last` against the current state.
pub fn plan(d: &ClusterData, ctx: CtxId, last: &Last, health: HealthOf) -> Result<Plan, String> {
    let mut p = match &last.request {
        Request::Scale {
            workload,
            namespace,
            name,
            from,
            ..
        } => {
            let kind = match workload {
                Workload::Deployment => WorkloadKind::Deployment,
                Workload::StatefulSet => WorkloadKind::StatefulSet,
            };
            super::scale::plan(d, ctx, kind, namespace, name, *from)?
        }
        Request::ScaleHpa {
            namespace,
            name,
            from_min,
            from_max,
            ..
        } => super::hpa::plan(d, ctx, namespace, name, *from_min, *from_max)?,
        Request::Rollback {
            namespace,
            name,
            from_revision: Some(rev),
            ..
        } => super::rollback::plan(d, ctx, namespace, name, Some(*rev))?,
        Request::Rollback { name, .. } => {
            return Err(format!(
                "the rollback of deploy/{name} did not record the revision it left"
            ));
        }
        Request::Pause {
            namespace,
            name,
            paused,
        } => super::pause::plan(d, ctx, namespace, name, !paused)?,
        Request::SetImage {
            namespace,
            name,
            from_revision: Some(rev),
            ..
        } => super::rollback::plan(d, ctx, namespace, name, Some(*rev))?,
        Request::SetImage { name, .. } => {
            return Err(format!(
                "the set image of deploy/{name} did not record the revision it left"
            ));
        }
        Request::SwitchTraffic {
            namespace,
            service,
            key,
            from,
            to,
        } => {
            let p = super::traffic::plan(d, ctx, namespace, service, key, health)?;
            if p.after != format!("{key}={from}") || p.before != format!("{key}={to}") {
                return Err(format!(
                    "svc/{service} no longer selects {key}={to}: nothing to switch back"
                ));
            }
            p
        }
        Request::Restart { .. } => return Err("a restart cannot be undone".into()),
        Request::BreakerReset { .. } => {
            return Err("a circuit breaker reset cannot be undone".into());
        }
        Request::TriggerBackup { .. } => {
            return Err("a backup run cannot be undone (delete its Job if needed)".into());
        }
        Request::RevealSecret { .. } => {
            return Err("revealing a secret changed nothing to undo".into());
        }
        Request::Exec { .. } | Request::Shell { .. } => {
            return Err("what ran in a container cannot be undone by kdeck".into());
        }
        Request::PortForward { .. } => {
            return Err(
                "a port-forward changed nothing: stop it in the forwards view (:pf)".into(),
            );
        }
    };
    p.warnings.insert(
        0,
        format!(
            "undoes {} {} of {} (audit record {})",
            last.record.action, last.record.target, last.record.time, last.record.seq
        ),
    );
    p.params["undoes"] = serde_json::json!(last.record.action_id);
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testkit::{deployment, replicaset};
    use crate::audit::Actor;
    use crate::cluster::kinds::Object;

    fn record(id: &str, outcome: Outcome, req: &Request, undoes: Option<&str>) -> Record {
        let mut r = Record::new(id, Phase::Outcome, Actor::default(), "scale", "deploy/web");
        r.outcome = Some(outcome);
        r.params = serde_json::json!({"request": req});
        if let Some(u) = undoes {
            r.params["undoes"] = serde_json::json!(u);
        }
        r
    }

    fn scale(replicas: i32, from: i32) -> Request {
        Request::Scale {
            workload: Workload::Deployment,
            namespace: "ns".into(),
            name: "web".into(),
            replicas,
            from,
        }
    }

    #[test]
    fn the_undo_list_holds_every_reversible_action_newest_first() {
        let mut records = vec![
            record("a1", Outcome::Succeeded, &scale(4, 3), None),
            record("a2", Outcome::Succeeded, &scale(2, 4), None),
            record("a3", Outcome::Failed, &scale(9, 2), None),
        ];
        let mut stop = Record::new(
            "a4",
            Phase::Outcome,
            Actor::default(),
            "port-forward-stop",
            "svc/x",
        );
        stop.outcome = Some(Outcome::Succeeded);
        records.push(stop);
        let ids: Vec<&str> = undoable(&records)
            .iter()
            .map(|l| l.record.action_id.as_str())
            .collect();
        assert_eq!(ids, vec!["a2", "a1"]);
        records.push(record("a5", Outcome::Succeeded, &scale(4, 2), Some("a2")));
        let ids: Vec<&str> = undoable(&records)
            .iter()
            .map(|l| l.record.action_id.as_str())
            .collect();
        assert_eq!(ids, vec!["a5", "a1"], "a2 is undone");
    }

    #[test]
    fn undo_passes_over_execs_shells_and_forwards() {
        let mut records = vec![record("a1", Outcome::Succeeded, &scale(4, 3), None)];
        for (id, action) in [
            ("a2", "exec"),
            ("a3", "shell"),
            ("a4", "port-forward"),
            ("a5", "port-forward-stop"),
        ] {
            let mut r = Record::new(id, Phase::Outcome, Actor::default(), action, "pod/x");
            r.outcome = Some(Outcome::Succeeded);
            records.push(r);
        }
        let l = last(&records).map(|l| l.record.action_id.clone());
        assert_eq!(l.as_deref(), Ok("a1"));
    }

    #[test]
    fn undo_reverses_the_newest_succeeded_action_not_undone_yet() {
        let mut d = ClusterData::default();
        d.apply(Object::Deployment(std::sync::Arc::new(deployment(
            "ns",
            "web",
            2,
            2,
            1,
            ("True", "NewReplicaSetAvailable"),
        ))));
        let none = |_: &str| None;
        let records = vec![
            record("a1", Outcome::Succeeded, &scale(4, 3), None),
            record("a2", Outcome::Succeeded, &scale(2, 4), None),
            record("a3", Outcome::Failed, &scale(9, 2), None),
            record("a4", Outcome::Cancelled, &scale(8, 2), None),
        ];
        let l = last(&records).unwrap();
        assert_eq!(l.record.action_id, "a2");
        let p = plan(&d, 0, &l, &none).unwrap();
        assert_eq!(
            (p.before.as_str(), p.after.as_str()),
            ("2 replicas", "4 replicas")
        );
        assert_eq!(p.params["undoes"], "a2");
        assert!(
            p.warnings[0].starts_with("undoes scale deploy/web"),
            "{:?}",
            p.warnings
        );
        // Once a2 is undone, the one before it is next.
        let mut more = records.clone();
        more.push(record("a5", Outcome::Succeeded, &scale(4, 2), Some("a2")));
        assert_eq!(last(&more).unwrap().record.action_id, "a5");
        let mut undone_undo = more.clone();
        undone_undo.push(record("a6", Outcome::Succeeded, &scale(2, 4), Some("a5")));
        assert_eq!(last(&undone_undo).unwrap().record.action_id, "a6");
    }

    #[test]
    fn what_cannot_be_undone_says_why() {
        let d = ClusterData::default();
        let none = |_: &str| None;
        let restart = Request::Restart {
            workload: Workload::Deployment,
            namespace: "ns".into(),
            name: "web".into(),
            at: "t".into(),
            previous: None,
        };
        let records = vec![record("a1", Outcome::Succeeded, &restart, None)];
        let l = last(&records).unwrap();
        assert!(
            plan(&d, 0, &l, &none)
                .unwrap_err()
                .contains("cannot be undone")
        );
        assert!(last(&[]).is_err());
        // A rollback is undone by rolling back to the revision it left.
        let mut d = ClusterData::default();
        d.apply(Object::Deployment(std::sync::Arc::new(deployment(
            "ns",
            "api",
            2,
            2,
            2,
            ("True", "NewReplicaSetAvailable"),
        ))));
        for (rev, rs) in [(2, "api-b"), (3, "api-a")] {
            d.apply(Object::ReplicaSet(std::sync::Arc::new(replicaset(
                "ns", rs, "api", rev, 1,
            ))));
        }
        let rb = Request::Rollback {
            namespace: "ns".into(),
            name: "api".into(),
            to_revision: 1,
            from_revision: Some(2),
            images: "img:1".into(),
        };
        let records = vec![record("r1", Outcome::Succeeded, &rb, None)];
        let p = plan(&d, 0, &last(&records).unwrap(), &none).unwrap();
        assert!(p.after.starts_with("revision 2"), "{p:?}");
    }

    #[test]
    fn a_set_image_is_undone_by_rolling_back_to_the_revision_before_it() {
        // The image was set at revision 2, making revision 3 current.
        let mut d = ClusterData::default();
        d.apply(Object::Deployment(std::sync::Arc::new(deployment(
            "ns",
            "api",
            2,
            2,
            3,
            ("True", "NewReplicaSetAvailable"),
        ))));
        for (rev, rs) in [(2, "api-b"), (3, "api-c")] {
            d.apply(Object::ReplicaSet(std::sync::Arc::new(replicaset(
                "ns", rs, "api", rev, 1,
            ))));
        }
        let none = |_: &str| None;
        let set = |from_revision| Request::SetImage {
            workload: Workload::Deployment,
            namespace: "ns".into(),
            name: "api".into(),
            container: "app".into(),
            image: "img:3".into(),
            from: "img:2".into(),
            from_revision,
        };
        let records = vec![record("s1", Outcome::Succeeded, &set(Some(2)), None)];
        assert_eq!(undoable(&records).len(), 1);
        let p = plan(&d, 0, &last(&records).unwrap(), &none).unwrap();
        assert_eq!(p.action, "rollback");
        assert_eq!(
            (p.before.as_str(), p.after.as_str()),
            ("revision 3 (img:3)", "revision 2 (img:2) — rev 2")
        );
        assert_eq!(p.params["undoes"], "s1");
        assert!(matches!(
            p.request,
            Some(Request::Rollback {
                to_revision: 2,
                from_revision: Some(3),
                ..
            })
        ));
        let records = vec![record("s2", Outcome::Succeeded, &set(None), None)];
        assert!(
            plan(&d, 0, &last(&records).unwrap(), &none)
                .unwrap_err()
                .contains("did not record the revision")
        );
    }
}
