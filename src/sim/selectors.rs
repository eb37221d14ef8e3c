//! Label and field selectors over the simulated cluster's JSON objects. The selector
//! itself lives in `util::selector`; this adds reading one from a `spec.selector`
//! object and matching object labels.

use serde_json::Value;

use super::obj;
pub use crate::util::selector::{LabelSelector, Req};

/// Builds a selector from a `spec.selector` object (`matchLabels`,
/// `matchExpressions`) or a plain map (a Service's selector).
pub trait FromValue {
    fn from_value(v: &Value) -> LabelSelector;
}

impl FromValue for LabelSelector {
    /// From a `spec.selector` object (`matchLabels`, `matchExpressions`) or a plain
    /// map (a Service's selector).
    fn from_value(v: &Value) -> LabelSelector {
        let mut reqs = Vec::new();
        let Some(m) = v.as_object() else {
            return LabelSelector::default();
        };
        let structured = m.contains_key("matchLabels") || m.contains_key("matchExpressions");
        let labels = if structured {
            m.get("matchLabels").and_then(Value::as_object)
        } else {
            Some(m)
        };
        if let Some(labels) = labels {
            for (k, v) in labels {
                if let Some(v) = v.as_str() {
                    reqs.push(Req::Eq(k.clone(), v.to_string()));
                }
            }
        }
        if let Some(exprs) = m.get("matchExpressions").and_then(Value::as_array) {
            for e in exprs {
                let key = e["key"].as_str().unwrap_or("").to_string();
                let vals: Vec<String> = e["values"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                match e["operator"].as_str().unwrap_or("") {
                    "In" => reqs.push(Req::In(key, vals)),
                    "NotIn" => reqs.push(Req::NotIn(key, vals)),
                    "Exists" => reqs.push(Req::Exists(key)),
                    "DoesNotExist" => reqs.push(Req::NotExists(key)),
                    _ => {}
                }
            }
        }
        LabelSelector { reqs }
    }
}

/// Matching JSON objects' labels.
pub trait MatchValue {
    fn matches(&self, v: &Value) -> bool;
    fn matches_map(&self, labels: &Value) -> bool;
}

impl MatchValue for LabelSelector {
    /// Matches an object's `metadata.labels`.
    fn matches(&self, v: &Value) -> bool {
        self.matches_labels(|k| obj::label(v, k).map(String::from))
    }

    /// Matches a plain label map.
    fn matches_map(&self, labels: &Value) -> bool {
        self.matches_labels(|k| labels.get(k).and_then(Value::as_str).map(String::from))
    }
}

/// A field selector: `metadata.name=x,status.phase!=Running`.
#[derive(Debug, Clone, Default)]
pub struct FieldSelector {
    reqs: Vec<(Vec<String>, bool, String)>,
}

impl FieldSelector {
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut reqs = Vec::new();
        for part in s.split(',') {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            let (k, eq, v) = if let Some((k, v)) = p.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = p.split_once("==") {
                (k, true, v)
            } else if let Some((k, v)) = p.split_once('=') {
                (k, true, v)
            } else {
                return Err(format!("invalid selector: '{p}'; can't understand '{p}'"));
            };
            reqs.push((
                k.trim().split('.').map(String::from).collect(),
                eq,
                v.trim().to_string(),
            ));
        }
        Ok(FieldSelector { reqs })
    }

    pub fn is_empty(&self) -> bool {
        self.reqs.is_empty()
    }

    pub fn matches(&self, v: &Value) -> bool {
        self.reqs.iter().all(|(path, eq, want)| {
            let refs: Vec<&str> = path.iter().map(String::as_str).collect();
            let got = match obj::at(v, &refs) {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (got == *want) == *eq
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn structured_selectors() {
        let sel = LabelSelector::from_value(&json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "slot", "operator": "In", "values": ["blue"]}]
        }));
        assert!(sel.matches_map(&json!({"app": "web", "slot": "blue"})));
        assert!(!sel.matches_map(&json!({"app": "web", "slot": "green"})));
        let plain = LabelSelector::from_value(&json!({"app": "web"}));
        assert_eq!(plain.to_query(), "app=web");
    }

    #[test]
    fn field_selectors() {
        let ev = json!({"involvedObject": {"name": "p", "kind": "Pod"}, "type": "Warning", "metadata": {"name": "e"}});
        assert!(
            FieldSelector::parse("involvedObject.name=p,type=Warning")
                .unwrap()
                .matches(&ev)
        );
        assert!(
            !FieldSelector::parse("metadata.name!=e")
                .unwrap()
                .matches(&ev)
        );
        assert!(FieldSelector::parse("bogus").is_err());
    }
}
