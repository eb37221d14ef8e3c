//! The disruption controller: PodDisruptionBudget status (expected and healthy pods,
//! desired healthy, disruptions allowed) from the pods its selector matches.

use serde_json::json;

use super::{Cx, int_or_percent, pod_active, pod_ready, set_condition};
use crate::sim::clock::fmt_ts;
use crate::sim::kinds::Kind;
use crate::sim::obj;
use crate::sim::selectors::{FromValue, LabelSelector, MatchValue};

pub fn sync_all(cx: &mut Cx) {
    let now_s = fmt_ts(cx.now);
    for pdb in cx.store.list(Kind::Pdb, None) {
        let ns = obj::namespace(&pdb).to_string();
        let sel = LabelSelector::from_value(obj::at(&pdb, &["spec", "selector"]));
        let pods: Vec<_> = cx
            .store
            .list(Kind::Pod, Some(&ns))
            .into_iter()
            .filter(|p| sel.matches(p) && pod_active(p))
            .collect();
        let expected = pods.len() as i64;
        let healthy = pods.iter().filter(|p| pod_ready(p)).count() as i64;
        let min = obj::at(&pdb, &["spec", "minAvailable"]);
        let max = obj::at(&pdb, &["spec", "maxUnavailable"]);
        let desired = if !min.is_null() {
            int_or_percent(min, expected, true)
        } else if !max.is_null() {
            (expected - int_or_percent(max, expected, true)).max(0)
        } else {
            expected
        };
        let allowed = (healthy - desired).max(0);
        let generation = pdb["metadata"]["generation"].clone();
        cx.store.modify(Kind::Pdb, &ns, obj::name(&pdb), |p| {
            let mut conds = p["status"]["conditions"].clone();
            let cond = if allowed > 0 {
                json!({"type": "DisruptionAllowed", "status": "True", "reason": "SufficientPods", "message": "", "observedGeneration": generation})
            } else {
                json!({"type": "DisruptionAllowed", "status": "False", "reason": "InsufficientPods", "message": "", "observedGeneration": generation})
            };
            set_condition(&mut conds, cond, &now_s);
            p["status"] = json!({
                "observedGeneration": generation,
                "currentHealthy": healthy,
                "desiredHealthy": desired,
                "disruptionsAllowed": allowed,
                "expectedPods": expected,
                "conditions": conds,
            });
        });
    }
}
