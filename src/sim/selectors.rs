//! Label selectors (equality and set-based, as `?labelSelector=` spells them and as
//! `spec.selector` objects hold them) and field selectors over object fields.

use serde_json::Value;

use super::obj;

#[derive(Debug, Clone, PartialEq)]
enum Req {
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelSelector {
    reqs: Vec<Req>,
}

fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn set_values(s: &str) -> Option<Vec<String>> {
    let s = s.trim();
    let inner = s.strip_prefix('(')?.strip_suffix(')')?;
    Some(
        inner
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect(),
    )
}

impl LabelSelector {
    /// Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut reqs = Vec::new();
        for part in split_top_level(s) {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            if let Some(k) = p.strip_prefix('!') {
                reqs.push(Req::NotExists(k.trim().to_string()));
            } else if let Some((k, v)) = p.split_once("!=") {
                reqs.push(Req::Ne(k.trim().into(), v.trim().into()));
            } else if let Some((k, v)) = p.split_once("==") {
                reqs.push(Req::Eq(k.trim().into(), v.trim().into()));
            } else if let Some((k, v)) = p.split_once('=') {
                reqs.push(Req::Eq(k.trim().into(), v.trim().into()));
            } else if let Some(idx) = p.find(" notin ") {
                let vals = set_values(&p[idx + 7..])
                    .ok_or_else(|| format!("unable to parse requirement: {p}"))?;
                reqs.push(Req::NotIn(p[..idx].trim().into(), vals));
            } else if let Some(idx) = p.find(" in ") {
                let vals = set_values(&p[idx + 4..])
                    .ok_or_else(|| format!("unable to parse requirement: {p}"))?;
                reqs.push(Req::In(p[..idx].trim().into(), vals));
            } else if p
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
            {
                reqs.push(Req::Exists(p.to_string()));
            } else {
                return Err(format!("unable to parse requirement: {p}"));
            }
        }
        Ok(LabelSelector { reqs })
    }

    /// From a `spec.selector` object (`matchLabels`, `matchExpressions`) or a plain
    /// map (a Service's selector).
    pub fn from_value(v: &Value) -> Self {
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

    pub fn is_empty(&self) -> bool {
        self.reqs.is_empty()
    }

    pub fn matches_labels(&self, get: impl Fn(&str) -> Option<String>) -> bool {
        self.reqs.iter().all(|r| match r {
            Req::Eq(k, v) => get(k).as_deref() == Some(v.as_str()),
            Req::Ne(k, v) => get(k).as_deref() != Some(v.as_str()),
            Req::In(k, vs) => get(k).is_some_and(|x| vs.contains(&x)),
            Req::NotIn(k, vs) => get(k).is_none_or(|x| !vs.contains(&x)),
            Req::Exists(k) => get(k).is_some(),
            Req::NotExists(k) => get(k).is_none(),
        })
    }

    /// Matches an object's `metadata.labels`.
    pub fn matches(&self, v: &Value) -> bool {
        self.matches_labels(|k| obj::label(v, k).map(String::from))
    }

    /// Matches a plain label map.
    pub fn matches_map(&self, labels: &Value) -> bool {
        self.matches_labels(|k| labels.get(k).and_then(Value::as_str).map(String::from))
    }

    /// The `a=b,c=d` form (equality requirements only are common here).
    pub fn to_query(&self) -> String {
        self.reqs
            .iter()
            .map(|r| match r {
                Req::Eq(k, v) => format!("{k}={v}"),
                Req::Ne(k, v) => format!("{k}!={v}"),
                Req::In(k, vs) => format!("{k} in ({})", vs.join(",")),
                Req::NotIn(k, vs) => format!("{k} notin ({})", vs.join(",")),
                Req::Exists(k) => k.clone(),
                Req::NotExists(k) => format!("!{k}"),
            })
            .collect::<Vec<_>>()
            .join(",")
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
    fn label_selector_forms() {
        let pod = json!({"metadata": {"labels": {"app": "web", "tier": "fe"}}});
        for (sel, want) in [
            ("app=web", true),
            ("app==web,tier=fe", true),
            ("app!=web", false),
            ("app in (web, api)", true),
            ("app notin (web)", false),
            ("tier", true),
            ("!tier", false),
            ("!missing", true),
            ("", true),
        ] {
            assert_eq!(
                LabelSelector::parse(sel).unwrap().matches(&pod),
                want,
                "{sel}"
            );
        }
        assert!(LabelSelector::parse("a in b").is_err());
    }

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
