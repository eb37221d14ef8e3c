//! The hash chain: canonical JSON (keys sorted, no whitespace) of a record without its
//! `hash`, hashed with SHA-256 together with nothing else — `prev` is inside the
//! record, so each hash covers the whole history before it.

use sha2::{Digest, Sha256};

use super::record::Record;

/// The `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Canonical JSON: object keys sorted (explicitly — map order may depend on crate
/// features elsewhere in the build), no whitespace, serde_json's escaping and numbers.
pub fn canonical(v: &serde_json::Value) -> String {
    let mut out = String::new();
    write(v, &mut out);
    out
}

fn write(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String((*k).clone()).to_string());
                out.push(':');
                write(&m[*k], out);
            }
            out.push('}');
        }
        serde_json::Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The hash a record should carry.
pub fn hash_of(r: &Record) -> String {
    let mut v = serde_json::to_value(r).unwrap_or(serde_json::Value::Null);
    if let Some(m) = v.as_object_mut() {
        m.remove("hash");
    }
    hash_value(&v)
}

/// The hash of a parsed line (whatever fields it has), without its `hash`.
pub fn hash_value(v: &serde_json::Value) -> String {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("hash");
    }
    hex::encode(Sha256::digest(canonical(&v).as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_and_hashes_are_stable() {
        let a: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":{"d":2,"c":3}}"#).unwrap();
        assert_eq!(canonical(&a), r#"{"a":{"c":3,"d":2},"b":1}"#);
        let b: serde_json::Value =
            serde_json::from_str("{ \"a\": {\"c\": 3, \"d\": 2}, \"b\": 1, \"hash\": \"x\" }")
                .unwrap();
        assert_eq!(
            hash_value(&a),
            hash_value(&b),
            "order, spaces and hash do not count"
        );
        assert_eq!(hash_value(&a).len(), 64);
    }
}
