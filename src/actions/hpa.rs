//! Change an HPA's replica bounds: what scale offers instead of scaling a workload the
//! HPA manages (scaling it directly would be undone on the HPA's next sync).

use std::sync::Arc;

use serde_json::json;

use super::run::{self, Stop, Write};
use super::{Plan, Progress, Request, Risk};
use crate::cluster::msg::CtxId;
use crate::cluster::store::ClusterData;

pub fn plan(
    d: &ClusterData,
    ctx: CtxId,
    namespace: &str,
    name: &str,
    min: i32,
    max: i32,
) -> Result<Plan, String> {
    let h = d
        .kinds
        .hpas
        .get(&(Arc::from(namespace), Arc::from(name)))
        .ok_or_else(|| format!("hpa/{name} is gone"))?;
    let mut p = Plan::new("scale-hpa", ctx, namespace, format!("hpa/{name}"));
    p.before = format!("min {} max {}", h.min, h.max);
    p.after = format!("min {min} max {max}");
    p.risk = if min < h.min {
        Risk::High
    } else {
        Risk::Medium
    };
    p.blast = format!(
        "{}/{} will run between {min} and {max} replicas (now {})",
        if h.target_kind.as_ref() == "StatefulSet" {
            "sts"
        } else {
            "deploy"
        },
        h.target_name,
        h.current
    );
    p.params = json!({"min": min, "max": max, "fromMin": h.min, "fromMax": h.max});
    p.undo = Some(format!(
        "set hpa/{name} back to min {} max {}",
        h.min, h.max
    ));
    if min < 1 || max < min {
        p.refused = Some(format!(
            "min must be at least 1 and max at least min (asked min {min} max {max})"
        ));
    } else if min == h.min && max == h.max {
        p.refused = Some(format!("hpa/{name} already has min {min} max {max}"));
    }
    p.request = Some(Request::ScaleHpa {
        namespace: namespace.to_string(),
        name: name.to_string(),
        min,
        max,
        from_min: h.min,
        from_max: h.max,
    });
    Ok(p)
}

pub async fn writes(client: &kube::Client, req: &Request) -> Result<Vec<Write>, Stop> {
    let Request::ScaleHpa {
        namespace,
        name,
        min,
        max,
        from_min,
        from_max,
    } = req
    else {
        return Err(Stop::Failed("not an HPA request".into()));
    };
    let path =
        format!("/apis/autoscaling/v2/namespaces/{namespace}/horizontalpodautoscalers/{name}");
    let live = run::get_json(client, &path).await?;
    let (lmin, lmax) = (
        live["spec"]["minReplicas"].as_i64().unwrap_or(1),
        live["spec"]["maxReplicas"].as_i64().unwrap_or(0),
    );
    if (lmin, lmax) != (i64::from(*from_min), i64::from(*from_max)) {
        return Err(Stop::Conflict(format!(
            "hpa/{name} is now min {lmin} max {lmax} (the plan saw min {from_min} max {from_max})"
        )));
    }
    let rv = run::str_at(&live, &["metadata", "resourceVersion"]).unwrap_or("");
    Ok(vec![run::merge_patch(
        path,
        rv,
        json!({"spec": {"minReplicas": min, "maxReplicas": max}}),
        req.access(),
        format!("PATCH hpa/{name}"),
    )])
}

pub fn verify(d: &ClusterData, req: &Request) -> Progress {
    let Request::ScaleHpa {
        namespace,
        name,
        min,
        max,
        ..
    } = req
    else {
        return Progress::Failed("not an HPA request".into());
    };
    match d
        .kinds
        .hpas
        .get(&(Arc::from(namespace.as_str()), Arc::from(name.as_str())))
    {
        None => Progress::Failed(format!("hpa/{name} is gone")),
        Some(h) if h.min == *min && h.max == *max => Progress::Done(format!(
            "min {} max {}, {} replicas",
            h.min, h.max, h.current
        )),
        Some(h) => Progress::Waiting(format!("min {} max {}", h.min, h.max)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::kinds::Object;
    use crate::cluster::kinds::{HpaRec, Interner};

    #[test]
    fn bounds_say_what_runs_and_lowering_the_floor_is_riskier() {
        let h: crate::cluster::kinds::Hpa = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "api", "namespace": "ns"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "api", "apiVersion": "apps/v1"},
                "minReplicas": 4, "maxReplicas": 20},
            "status": {"currentReplicas": 6, "desiredReplicas": 6}
        }))
        .expect("hpa");
        let mut d = ClusterData::default();
        d.apply(Object::Hpa(std::sync::Arc::new(HpaRec::from(
            &h,
            &mut Interner::default(),
        ))));
        let p = plan(&d, 0, "ns", "api", 2, 20).unwrap();
        assert_eq!(
            (p.before.as_str(), p.after.as_str()),
            ("min 4 max 20", "min 2 max 20")
        );
        assert_eq!(
            p.blast,
            "deploy/api will run between 2 and 20 replicas (now 6)"
        );
        assert_eq!(p.risk, Risk::High);
        assert_eq!(p.undo.as_deref(), Some("set hpa/api back to min 4 max 20"));
        assert_eq!(plan(&d, 0, "ns", "api", 4, 30).unwrap().risk, Risk::Medium);
        assert!(plan(&d, 0, "ns", "api", 4, 20).unwrap().refused.is_some());
        assert!(plan(&d, 0, "ns", "api", 0, 20).unwrap().refused.is_some());
        assert!(plan(&d, 0, "ns", "api", 5, 3).unwrap().refused.is_some());
        assert!(plan(&d, 0, "ns", "gone", 1, 2).is_err());
    }
}
