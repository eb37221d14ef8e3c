//! PodDisruptionBudget effect of an action, from state: which budgets cover the
//! workload's pods, how many disruptions they allow now, and whether the planned
//! replica count would leave a budget unsatisfiable. Budgets do not block scaling or
//! rollouts (only evictions), so these are warnings the person reads, not refusals.

use crate::cluster::kinds::in_namespace;
use crate::cluster::kinds::{Labels, selector_matches};
use crate::cluster::store::ClusterData;

/// One line per budget covering pods with `labels`; `replicas_after` is the planned
/// count for a scale (None for actions that keep the count).
pub fn effect(
    d: &ClusterData,
    namespace: &str,
    labels: &Labels,
    replicas_after: Option<i32>,
) -> Vec<String> {
    in_namespace(&d.kinds.pdbs, namespace)
        .filter(|p| selector_matches(&p.selector, labels))
        .map(|p| {
            let mut line = format!(
                "pdb/{} allows {} disruption{} now ({} of {} healthy)",
                p.meta.name,
                p.disruptions_allowed,
                if p.disruptions_allowed == 1 { "" } else { "s" },
                p.current_healthy,
                p.expected
            );
            if let (Some(after), Some(min)) = (
                replicas_after,
                p.min_available
                    .as_deref()
                    .and_then(|m| m.parse::<i32>().ok()),
            ) && after < min
            {
                line.push_str(&format!(
                    "; {after} replicas is below its minAvailable {min}: node drains will block"
                ));
            } else if replicas_after.is_none() && p.disruptions_allowed == 0 {
                line.push_str("; node drains during this rollout will wait");
            }
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::kinds::Object;
    use crate::cluster::kinds::{Interner, PdbRec};

    #[test]
    fn budgets_covering_the_pods_are_named_with_what_the_plan_does_to_them() {
        let p: crate::cluster::kinds::Pdb = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "api", "namespace": "ns"},
            "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "api"}}},
            "status": {"currentHealthy": 3, "desiredHealthy": 2, "disruptionsAllowed": 1, "expectedPods": 3}
        }))
        .expect("pdb");
        let mut d = ClusterData::default();
        d.apply(Object::Pdb(std::sync::Arc::new(PdbRec::from(
            &p,
            &mut Interner::default(),
        ))));
        let mut names = Interner::default();
        let api = Labels::from_map(
            &Some(
                [("app".to_string(), "api".to_string())]
                    .into_iter()
                    .collect(),
            ),
            &mut names,
        );
        let other = Labels::from_map(
            &Some(
                [("app".to_string(), "web".to_string())]
                    .into_iter()
                    .collect(),
            ),
            &mut names,
        );
        let e = effect(&d, "ns", &api, Some(1));
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("pdb/api allows 1 disruption now (3 of 3 healthy)"),
            "{e:?}"
        );
        assert!(e[0].contains("below its minAvailable 2"), "{e:?}");
        assert!(!effect(&d, "ns", &api, Some(3))[0].contains("below"));
        assert!(effect(&d, "ns", &other, Some(1)).is_empty());
    }
}
