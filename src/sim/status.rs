//! Kubernetes `Status` errors as the API server returns them: reason, code, message
//! shapes and `details` that kubectl and kube-rs recognise.

use serde_json::{Value, json};

use super::kinds::Surface;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Value,
}

/// One `causes[]` entry of a 422.
#[derive(Debug, Clone)]
pub struct Cause {
    pub kind: &'static str,
    pub field: String,
    pub message: String,
}

impl Cause {
    pub fn invalid(field: &str, value: impl std::fmt::Display, why: &str) -> Cause {
        Cause {
            kind: "FieldValueInvalid",
            field: field.into(),
            message: format!("Invalid value: {value}: {why}"),
        }
    }
    pub fn required(field: &str) -> Cause {
        Cause {
            kind: "FieldValueRequired",
            field: field.into(),
            message: "Required value".into(),
        }
    }
    pub fn forbidden(field: &str, why: &str) -> Cause {
        Cause {
            kind: "FieldValueForbidden",
            field: field.into(),
            message: format!("Forbidden: {why}"),
        }
    }
    pub fn unsupported(field: &str, value: &str, allowed: &[&str]) -> Cause {
        let list = allowed
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(", ");
        Cause {
            kind: "FieldValueNotSupported",
            field: field.into(),
            message: format!("Unsupported value: \"{value}\": supported values: {list}"),
        }
    }
}

impl ApiError {
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: Value::Null,
        }
    }

    fn with_details(mut self, name: &str, surface: &Surface) -> Self {
        let mut d = json!({ "name": name, "kind": surface.plural });
        if !surface.group.is_empty() {
            d["group"] = json!(surface.group);
        }
        self.details = d;
        self
    }

    pub fn not_found(surface: &Surface, name: &str) -> Self {
        ApiError::new(
            404,
            "NotFound",
            format!("{} \"{}\" not found", surface.qualified(), name),
        )
        .with_details(name, surface)
    }

    pub fn namespace_not_found(ns: &str) -> Self {
        ApiError::new(404, "NotFound", format!("namespaces \"{ns}\" not found"))
            .with_details(ns, super::kinds::Kind::Namespace.native())
    }

    pub fn no_route() -> Self {
        ApiError::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
        .with_details_raw(json!({}))
    }

    pub fn already_exists(surface: &Surface, name: &str) -> Self {
        ApiError::new(
            409,
            "AlreadyExists",
            format!("{} \"{}\" already exists", surface.qualified(), name),
        )
        .with_details(name, surface)
    }

    pub fn conflict(surface: &Surface, name: &str) -> Self {
        ApiError::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{}\": the object has been modified; please apply your changes to the latest version and try again",
                surface.qualified(),
                name
            ),
        )
        .with_details(name, surface)
    }

    pub fn conflict_msg(surface: &Surface, name: &str, why: &str) -> Self {
        ApiError::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{}\": {}",
                surface.qualified(),
                name,
                why
            ),
        )
        .with_details(name, surface)
    }

    pub fn invalid(surface: &Surface, name: &str, causes: Vec<Cause>) -> Self {
        let joined = causes
            .iter()
            .map(|c| format!("{}: {}", c.field, c.message))
            .collect::<Vec<_>>();
        let body = if joined.len() == 1 {
            joined[0].clone()
        } else {
            format!("[{}]", joined.join(", "))
        };
        let group_suffix = if surface.group.is_empty() {
            String::new()
        } else {
            format!(".{}", surface.group)
        };
        let mut e = ApiError::new(
            422,
            "Invalid",
            format!(
                "{}{} \"{}\" is invalid: {}",
                surface.kind, group_suffix, name, body
            ),
        );
        let mut d = json!({
            "name": name,
            "kind": surface.kind,
            "causes": causes.iter().map(|c| json!({"reason": c.kind, "message": c.message, "field": c.field})).collect::<Vec<_>>(),
        });
        if !surface.group.is_empty() {
            d["group"] = json!(surface.group);
        }
        e.details = d;
        e
    }

    #[allow(clippy::too_many_arguments)]
    pub fn forbidden(
        user: &str,
        verb: &str,
        surface: &Surface,
        subresource: Option<&str>,
        namespace: &str,
        name: &str,
        reason: &str,
    ) -> Self {
        let resource = match subresource {
            Some(s) => format!("{}/{}", surface.plural, s),
            None => surface.plural.to_string(),
        };
        let subject = if name.is_empty() {
            surface.qualified()
        } else {
            format!("{} \"{}\"", surface.qualified(), name)
        };
        let scope = if namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{namespace}\"")
        };
        let why = if reason.is_empty() {
            String::new()
        } else {
            format!(": {reason}")
        };
        ApiError::new(
            403,
            "Forbidden",
            format!(
                "{subject} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{}\" {scope}{why}",
                surface.group
            ),
        )
        .with_details(name, surface)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(400, "BadRequest", message)
    }

    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        ApiError::new(405, "MethodNotAllowed", message)
    }

    pub fn unsupported_media_type(ct: &str) -> Self {
        ApiError::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got \"{ct}\")"
            ),
        )
    }

    pub fn too_large(limit: usize) -> Self {
        ApiError::new(
            413,
            "RequestEntityTooLarge",
            format!("Request entity too large: limit is {limit}"),
        )
    }

    pub fn expired(message: impl Into<String>) -> Self {
        ApiError::new(410, "Expired", message)
    }

    pub fn service_unavailable(message: impl Into<String>) -> Self {
        ApiError::new(503, "ServiceUnavailable", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(500, "InternalError", message)
    }

    fn with_details_raw(mut self, d: Value) -> Self {
        self.details = d;
        self
    }

    /// The `Status` object.
    pub fn to_status(&self) -> Value {
        let mut s = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if !self.details.is_null() {
            s["details"] = self.details.clone();
        }
        s
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.reason, self.message)
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::kinds::surface;

    #[test]
    fn messages_have_kubernetes_shapes() {
        let d = surface("apps", "v1", "deployments").unwrap();
        assert_eq!(
            ApiError::not_found(d, "x").message,
            "deployments.apps \"x\" not found"
        );
        let e = ApiError::invalid(
            d,
            "x",
            vec![Cause::invalid(
                "spec.replicas",
                -1,
                "must be greater than or equal to 0",
            )],
        );
        assert_eq!(
            e.message,
            "Deployment.apps \"x\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        );
        assert_eq!(e.details["causes"][0]["field"], "spec.replicas");
        let f = ApiError::forbidden("u", "patch", d, Some("scale"), "ns", "x", "");
        assert_eq!(
            f.message,
            "deployments.apps \"x\" is forbidden: User \"u\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"ns\""
        );
        assert_eq!(f.to_status()["code"], 403);
    }
}
