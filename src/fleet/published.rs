//! Other people's actions, as the cluster tells them: every kdeck publishes each
//! audited action as a `KdeckAction` Event on its target (`cluster::publish`), so a
//! console watching Events sees what the rest of the team did — for the row ("↺
//! rolled back 2m ago by bob@bastion-2") and the timeline. The event's message is
//! `kdeck ACTION TARGET: OUTCOME (by USER@HOST as KUBE-USER)`; anything else with that
//! reason is ignored.

use std::collections::HashMap;

use crate::cluster::kinds::{EventRec, Ts};

/// One published action.
#[derive(Clone, Debug, PartialEq)]
pub struct Published {
    pub at: Ts,
    pub namespace: String,
    /// The involved object (`Deployment`, `dashboard`).
    pub kind: String,
    pub name: String,
    pub action: String,
    pub target: String,
    pub outcome: String,
    /// `bob@bastion-2 as kube-admin`.
    pub who: String,
}

/// The action an event publishes, if it is one.
pub fn parse(e: &EventRec) -> Option<Published> {
    if &*e.reason != crate::cluster::publish::REASON {
        return None;
    }
    let rest = e.message.strip_prefix("kdeck ")?;
    let (action, rest) = rest.split_once(' ')?;
    let (target, rest) = rest.split_once(": ")?;
    let (outcome, who) = rest.split_once(" (by ")?;
    let who = who.strip_suffix(')')?;
    Some(Published {
        at: e.last,
        namespace: e.namespace.to_string(),
        kind: e.object_kind.to_string(),
        name: e.object_name.to_string(),
        action: action.to_string(),
        target: target.to_string(),
        outcome: outcome.to_string(),
        who: who.to_string(),
    })
}

/// The newest published action per (namespace, kind, name), from `events`.
pub fn newest<'a>(
    events: impl Iterator<Item = &'a EventRec>,
) -> HashMap<(String, String, String), Published> {
    let mut out: HashMap<(String, String, String), Published> = HashMap::new();
    for p in events.filter_map(parse) {
        let k = (p.namespace.clone(), p.kind.clone(), p.name.clone());
        if out.get(&k).is_none_or(|old| old.at <= p.at) {
            out.insert(k, p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(reason: &str, message: &str, last: Ts) -> EventRec {
        EventRec {
            name: "kdeck.x.1".into(),
            namespace: "flextime-production".into(),
            object_kind: "Deployment".into(),
            object_name: "flextime-api".into(),
            field_path: None,
            reason: reason.into(),
            message: message.into(),
            warning: false,
            count: 1,
            first: last,
            last,
            source: "kdeck".into(),
        }
    }

    #[test]
    fn a_published_action_is_read_back_and_anything_else_is_not() {
        let p = parse(&ev(
            "KdeckAction",
            "kdeck rollback deploy/flextime-api: succeeded (by bob@bastion-2 as kube-admin)",
            100,
        ))
        .expect("parsed");
        assert_eq!(
            (p.action.as_str(), p.target.as_str(), p.outcome.as_str()),
            ("rollback", "deploy/flextime-api", "succeeded")
        );
        assert_eq!(p.who, "bob@bastion-2 as kube-admin");
        assert_eq!(parse(&ev("BackOff", "kdeck rollback x: y (by z)", 1)), None);
        assert_eq!(parse(&ev("KdeckAction", "someone typed this", 1)), None);
        let events = [
            ev(
                "KdeckAction",
                "kdeck scale deploy/flextime-api: succeeded (by a@h as u)",
                50,
            ),
            ev(
                "KdeckAction",
                "kdeck rollback deploy/flextime-api: succeeded (by b@h as u)",
                90,
            ),
        ];
        let n = newest(events.iter());
        let k = (
            "flextime-production".to_string(),
            "Deployment".to_string(),
            "flextime-api".to_string(),
        );
        assert_eq!(n.get(&k).map(|p| p.action.as_str()), Some("rollback"));
    }
}
