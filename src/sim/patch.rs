//! The three patch types the API server accepts: JSON merge (RFC 7386), JSON patch
//! (RFC 6902) and the strategic-merge subset kubectl relies on.

use serde_json::{Map, Value};

/// RFC 7386: objects merge recursively, `null` deletes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let t = target.as_object_mut().expect("made an object");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn parse_pointer(p: &str) -> Result<Vec<String>, String> {
    if p.is_empty() {
        return Ok(Vec::new());
    }
    let rest = p
        .strip_prefix('/')
        .ok_or_else(|| format!("invalid JSON pointer {p:?}"))?;
    Ok(rest.split('/').map(unescape).collect())
}

fn index_of(arr: &[Value], tok: &str, allow_end: bool) -> Result<usize, String> {
    if allow_end && tok == "-" {
        return Ok(arr.len());
    }
    let i: usize = tok
        .parse()
        .map_err(|_| format!("invalid array index {tok:?}"))?;
    let max = if allow_end {
        arr.len()
    } else {
        arr.len().saturating_sub(1)
    };
    if i > max || (!allow_end && arr.is_empty()) {
        return Err(format!("array index {i} out of bounds"));
    }
    Ok(i)
}

fn parent_mut<'a>(doc: &'a mut Value, path: &[String]) -> Result<&'a mut Value, String> {
    let mut cur = doc;
    for tok in path {
        cur = match cur {
            Value::Object(m) => m
                .get_mut(tok)
                .ok_or_else(|| format!("doc is missing path: /{}", path.join("/")))?,
            Value::Array(a) => {
                let i = index_of(a, tok, false)?;
                &mut a[i]
            }
            _ => return Err(format!("doc is missing path: /{}", path.join("/"))),
        };
    }
    Ok(cur)
}

fn get_ptr<'a>(doc: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = doc;
    for tok in path {
        cur = match cur {
            Value::Object(m) => m.get(tok)?,
            Value::Array(a) => a.get(tok.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn add_at(doc: &mut Value, path: &[String], val: Value) -> Result<(), String> {
    let Some((last, parent)) = path.split_last() else {
        *doc = val;
        return Ok(());
    };
    match parent_mut(doc, parent)? {
        Value::Object(m) => {
            m.insert(last.clone(), val);
            Ok(())
        }
        Value::Array(a) => {
            let i = index_of(a, last, true)?;
            a.insert(i, val);
            Ok(())
        }
        _ => Err(format!("doc is missing path: /{}", path.join("/"))),
    }
}

fn remove_at(doc: &mut Value, path: &[String]) -> Result<Value, String> {
    let Some((last, parent)) = path.split_last() else {
        return Err("cannot remove the root".into());
    };
    let missing = || format!("doc is missing path: /{}", path.join("/"));
    match parent_mut(doc, parent)? {
        Value::Object(m) => m.remove(last).ok_or_else(missing),
        Value::Array(a) => {
            let i = index_of(a, last, false)?;
            Ok(a.remove(i))
        }
        _ => Err(missing()),
    }
}

/// RFC 6902. Errors carry the operation that failed, as the API server reports them.
pub fn json_patch(doc: &mut Value, ops: &Value) -> Result<(), String> {
    let ops = ops
        .as_array()
        .ok_or("json patch must be a list of operations")?;
    for op in ops {
        let kind = op["op"].as_str().ok_or("operation has no \"op\"")?;
        let path = parse_pointer(op["path"].as_str().ok_or("operation has no \"path\"")?)?;
        let res = match kind {
            "add" => add_at(doc, &path, op.get("value").cloned().unwrap_or(Value::Null)),
            "remove" => remove_at(doc, &path).map(|_| ()),
            "replace" => {
                if get_ptr(doc, &path).is_none() {
                    Err(format!(
                        "doc is missing path: {}",
                        op["path"].as_str().unwrap_or("")
                    ))
                } else {
                    let v = op.get("value").cloned().unwrap_or(Value::Null);
                    match path.is_empty() {
                        true => {
                            *doc = v;
                            Ok(())
                        }
                        false => parent_mut(doc, &path).map(|slot| *slot = v),
                    }
                }
            }
            "move" => {
                let from = parse_pointer(op["from"].as_str().ok_or("move has no \"from\"")?)?;
                remove_at(doc, &from).and_then(|v| add_at(doc, &path, v))
            }
            "copy" => {
                let from = parse_pointer(op["from"].as_str().ok_or("copy has no \"from\"")?)?;
                match get_ptr(doc, &from).cloned() {
                    Some(v) => add_at(doc, &path, v),
                    None => Err(format!("doc is missing path: /{}", from.join("/"))),
                }
            }
            "test" => match get_ptr(doc, &path) {
                Some(v) if Some(v) == op.get("value") => Ok(()),
                _ => Err(format!("testing value /{} failed", path.join("/"))),
            },
            other => Err(format!("Unexpected kind: {other}")),
        };
        res.map_err(|e| format!("{kind} operation does not apply: {e}"))?;
    }
    Ok(())
}

/// The merge key of a list field, for strategic merge.
fn merge_key(field: &str, items: &[Value]) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "volumeDevices" => Some("devicePath"),
        "ownerReferences" => Some("uid"),
        "conditions" => Some("type"),
        "ports" => {
            if items.iter().any(|i| i.get("containerPort").is_some()) {
                Some("containerPort")
            } else {
                Some("port")
            }
        }
        _ => None,
    }
}

fn is_directive(k: &str) -> bool {
    k == "$patch"
        || k == "$retainKeys"
        || k.starts_with("$setElementOrder/")
        || k.starts_with("$deleteFromPrimitiveList/")
}

fn strip_directives(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !is_directive(k))
                .map(|(k, v)| (k.clone(), strip_directives(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_directives).collect()),
        other => other.clone(),
    }
}

/// Strategic merge patch: maps merge (null deletes), lists with a known merge key
/// merge element-wise, other lists are replaced; `$patch: replace|delete` honoured.
pub fn strategic_merge(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    match p.get("$patch").and_then(Value::as_str) {
        Some("replace") => {
            *target = strip_directives(patch);
            return;
        }
        Some("delete") => {
            *target = Value::Null;
            return;
        }
        _ => {}
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let t = target.as_object_mut().expect("made an object");
    for (k, v) in p {
        if is_directive(k) {
            continue;
        }
        match v {
            Value::Null => {
                t.remove(k);
            }
            Value::Object(inner)
                if inner.get("$patch").and_then(Value::as_str) == Some("delete") =>
            {
                t.remove(k);
            }
            Value::Array(items) => {
                let existing = t.get(k).and_then(Value::as_array).cloned();
                let merged = merge_list(k, existing.unwrap_or_default(), items);
                t.insert(k.clone(), Value::Array(merged));
            }
            Value::Object(_) => {
                let slot = t.entry(k.clone()).or_insert(Value::Null);
                strategic_merge(slot, v);
                if slot.is_null() {
                    t.remove(k);
                }
            }
            other => {
                t.insert(k.clone(), other.clone());
            }
        }
    }
}

fn merge_list(field: &str, mut current: Vec<Value>, patch: &[Value]) -> Vec<Value> {
    if patch
        .iter()
        .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        return patch
            .iter()
            .filter(|i| i.get("$patch").is_none())
            .map(strip_directives)
            .collect();
    }
    let Some(key) = merge_key(field, patch) else {
        return patch.iter().map(strip_directives).collect();
    };
    for item in patch {
        let Some(kv) = item.get(key) else {
            continue;
        };
        let pos = current.iter().position(|c| c.get(key) == Some(kv));
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (pos, delete) {
            (Some(i), true) => {
                current.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => strategic_merge(&mut current[i], item),
            (None, false) => current.push(strip_directives(item)),
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_rfc7386() {
        let mut d = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut d, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(d, json!({"a": "z", "c": {"d": "e"}}));
        let mut d = json!({"spec": {"paused": true, "replicas": 2}});
        merge_patch(&mut d, &json!({"spec": {"paused": null}}));
        assert_eq!(d, json!({"spec": {"replicas": 2}}));
    }

    #[test]
    fn json_patch_ops() {
        let mut d = json!({"spec": {"template": {"a": 1}}, "metadata": {"annotations": {"x": "y"}}, "l": [1, 2]});
        json_patch(
            &mut d,
            &json!([
                {"op": "replace", "path": "/spec/template", "value": {"b": 2}},
                {"op": "add", "path": "/l/-", "value": 3},
                {"op": "remove", "path": "/l/0"},
                {"op": "add", "path": "/metadata/annotations/a~1b", "value": "c"},
                {"op": "test", "path": "/l/0", "value": 2}
            ]),
        )
        .unwrap();
        assert_eq!(d["spec"]["template"], json!({"b": 2}));
        assert_eq!(d["l"], json!([2, 3]));
        assert_eq!(d["metadata"]["annotations"]["a/b"], "c");
        let err = json_patch(
            &mut d,
            &json!([{"op": "replace", "path": "/nope", "value": 1}]),
        )
        .unwrap_err();
        assert!(err.contains("replace operation does not apply"), "{err}");
        assert!(json_patch(&mut d, &json!([{"op": "remove", "path": "/nope"}])).is_err());
        assert!(json_patch(&mut d, &json!({"op": "add"})).is_err());
    }

    #[test]
    fn strategic_merge_lists_by_key() {
        let mut d = json!({"spec": {"containers": [
            {"name": "api", "image": "a:1", "env": [{"name": "X", "value": "1"}]},
            {"name": "side", "image": "s:1"}
        ], "selector": {"app": "x", "slot": "blue"}}});
        strategic_merge(
            &mut d,
            &json!({
                "$setElementOrder/containers": [{"name": "api"}],
                "spec": {
                    "containers": [
                        {"name": "api", "image": "a:2", "env": [{"name": "Y", "value": "2"}]},
                        {"name": "side", "$patch": "delete"}
                    ],
                    "selector": {"slot": "green"}
                }
            }),
        );
        assert_eq!(d["spec"]["containers"].as_array().unwrap().len(), 1);
        assert_eq!(d["spec"]["containers"][0]["image"], "a:2");
        assert_eq!(
            d["spec"]["containers"][0]["env"].as_array().unwrap().len(),
            2
        );
        assert_eq!(d["spec"]["selector"], json!({"app": "x", "slot": "green"}));
    }

    #[test]
    fn strategic_merge_replace_and_delete_directives() {
        let mut d = json!({"a": {"x": 1, "y": 2}, "b": {"z": 1}, "args": ["1", "2"]});
        strategic_merge(
            &mut d,
            &json!({"a": {"$patch": "replace", "q": 9}, "b": {"$patch": "delete"}, "args": ["3"]}),
        );
        assert_eq!(d, json!({"a": {"q": 9}, "args": ["3"]}));
        let mut svc = json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}});
        strategic_merge(
            &mut svc,
            &json!({"spec": {"ports": [{"port": 80, "targetPort": 9090}]}}),
        );
        assert_eq!(svc["spec"]["ports"][0]["targetPort"], 9090);
        assert_eq!(svc["spec"]["ports"].as_array().unwrap().len(), 2);
    }
}
