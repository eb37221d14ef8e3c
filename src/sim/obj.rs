//! Small accessors over `serde_json::Value` objects as the simulated cluster stores
//! them: metadata fields, nested gets and sets, owner references.

use serde_json::{Map, Value, json};

static NULL: Value = Value::Null;

/// Walks `path` through nested objects; missing steps yield `Null`.
pub fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    let mut cur = v;
    for p in path {
        match cur.get(*p) {
            Some(next) => cur = next,
            None => return &NULL,
        }
    }
    cur
}

pub fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path).as_str()
}

pub fn i64_at(v: &Value, path: &[&str]) -> Option<i64> {
    at(v, path).as_i64()
}

/// Sets `path` to `val`, creating (or replacing non-object) intermediate steps.
pub fn set(v: &mut Value, path: &[&str], val: Value) {
    let mut cur = v;
    for (i, p) in path.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let map = cur.as_object_mut().expect("just made an object");
        if i == path.len() - 1 {
            map.insert((*p).to_string(), val);
            return;
        }
        cur = map
            .entry((*p).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Removes the last step of `path` if present.
pub fn remove(v: &mut Value, path: &[&str]) -> Option<Value> {
    let (last, parent) = path.split_last()?;
    let mut cur = v;
    for p in parent {
        cur = cur.get_mut(*p)?;
    }
    cur.as_object_mut()?.remove(*last)
}

pub fn name(v: &Value) -> &str {
    str_at(v, &["metadata", "name"]).unwrap_or("")
}

pub fn namespace(v: &Value) -> &str {
    str_at(v, &["metadata", "namespace"]).unwrap_or("")
}

pub fn uid(v: &Value) -> &str {
    str_at(v, &["metadata", "uid"]).unwrap_or("")
}

pub fn resource_version(v: &Value) -> &str {
    str_at(v, &["metadata", "resourceVersion"]).unwrap_or("")
}

pub fn label<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    at(v, &["metadata", "labels"]).get(key)?.as_str()
}

pub fn annotation<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    at(v, &["metadata", "annotations"]).get(key)?.as_str()
}

pub fn set_annotation(v: &mut Value, key: &str, val: &str) {
    set(
        v,
        &["metadata", "annotations", key],
        Value::String(val.into()),
    );
}

pub fn labels(v: &Value) -> Vec<(&str, &str)> {
    at(v, &["metadata", "labels"])
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.as_str(), s)))
                .collect()
        })
        .unwrap_or_default()
}

pub fn is_terminating(v: &Value) -> bool {
    !at(v, &["metadata", "deletionTimestamp"]).is_null()
}

/// The uid of the controlling owner, if any.
pub fn controller_uid(v: &Value) -> Option<&str> {
    at(v, &["metadata", "ownerReferences"])
        .as_array()?
        .iter()
        .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
        .and_then(|o| o.get("uid")?.as_str())
}

/// Every owner uid (controlling or not).
pub fn owner_uids(v: &Value) -> Vec<&str> {
    at(v, &["metadata", "ownerReferences"])
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|o| o.get("uid")?.as_str())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
}

/// A controller owner reference pointing at `owner`.
pub fn owner_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": name(owner),
        "uid": uid(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// Removes nulls, empty maps and empty lists recursively: the comparison kubectl's
/// rollback relies on (it sends `creationTimestamp: null`).
pub fn normalized(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, val) in m {
                let n = normalized(val);
                let empty = match &n {
                    Value::Null => true,
                    Value::Object(o) => o.is_empty(),
                    Value::Array(a) => a.is_empty(),
                    _ => false,
                };
                if !empty {
                    out.insert(k.clone(), n);
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(normalized).collect()),
        other => other.clone(),
    }
}

pub use crate::util::quantity::{canonical as canonical_quantity, parse as quantity};

pub fn quantity_value(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => quantity(s),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_get_nested() {
        let mut v = json!({});
        set(
            &mut v,
            &["spec", "template", "metadata", "labels", "a"],
            json!("b"),
        );
        assert_eq!(
            str_at(&v, &["spec", "template", "metadata", "labels", "a"]),
            Some("b")
        );
        assert!(at(&v, &["spec", "nope", "x"]).is_null());
        assert!(remove(&mut v, &["spec", "template"]).is_some());
        assert!(at(&v, &["spec", "template"]).is_null());
    }

    #[test]
    fn normalization_drops_empties() {
        let v = json!({"a": null, "b": {}, "c": [], "d": {"e": null, "f": 1}, "g": [{"x": null}]});
        assert_eq!(normalized(&v), json!({"d": {"f": 1}, "g": [{}]}));
    }
}
