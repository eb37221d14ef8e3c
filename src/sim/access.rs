//! Access rules of the simulated cluster: a small ordered rule table (first match
//! wins, default allow) that both enforces requests (403 Forbidden) and answers
//! SelfSubjectAccessReviews, so tests can make a verb, resource or namespace forbidden.
//! Also admission policies: writes matching a rule are rejected with 422 Invalid, as a
//! ValidatingAdmissionPolicy denies them (dry runs included), with the policy's message.

use serde_json::{Value, json};

use crate::util::glob;

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// Verb glob: `patch`, `*`.
    pub verb: String,
    /// Resource glob, with subresource after a slash: `deployments/scale`, `pods`, `*`.
    pub resource: String,
    /// Namespace glob; `*` also matches cluster-scoped requests.
    pub namespace: String,
    /// User glob.
    pub user: String,
    pub allow: bool,
}

impl Rule {
    /// Parses `VERB:RESOURCE[/SUB]:NAMESPACE[:USER]` (the `--deny`/`--allow` syntax).
    pub fn parse(spec: &str, allow: bool) -> Result<Rule, String> {
        let parts: Vec<&str> = spec.split(':').collect();
        if !(3..=4).contains(&parts.len()) || parts.iter().any(|p| p.is_empty()) {
            return Err(format!(
                "access rule {spec:?}: expected VERB:RESOURCE[/SUBRESOURCE]:NAMESPACE[:USER], e.g. patch:deployments/scale:flagwise"
            ));
        }
        Ok(Rule {
            verb: parts[0].to_string(),
            resource: parts[1].to_string(),
            namespace: parts[2].to_string(),
            user: parts.get(3).unwrap_or(&"*").to_string(),
            allow,
        })
    }

    pub fn matches(&self, a: &Attributes) -> bool {
        let res = match &a.subresource {
            Some(s) if !s.is_empty() => format!("{}/{}", a.resource, s),
            _ => a.resource.clone(),
        };
        glob::matches(&self.verb, &a.verb)
            && glob::matches(&self.resource, &res)
            && glob::matches(&self.namespace, &a.namespace)
            && glob::matches(&self.user, &a.user)
    }
}

/// What a request (or an access review) asks to do.
#[derive(Clone, Debug, Default)]
pub struct Attributes {
    pub user: String,
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: Option<String>,
    pub namespace: String,
    pub name: String,
}

#[derive(Clone, Debug, Default)]
pub struct AccessRules {
    rules: Vec<Rule>,
}

impl AccessRules {
    pub fn new(rules: Vec<Rule>) -> Self {
        AccessRules { rules }
    }

    pub fn push(&mut self, r: Rule) {
        self.rules.push(r);
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    pub fn allowed(&self, a: &Attributes) -> bool {
        self.rules
            .iter()
            .find(|r| r.matches(a))
            .is_none_or(|r| r.allow)
    }

    /// Answers a SelfSubjectAccessReview body for `user`.
    pub fn review(&self, user: &str, body: &Value) -> Value {
        let ra = &body["spec"]["resourceAttributes"];
        let s = |k: &str| ra[k].as_str().unwrap_or("").to_string();
        let sub = s("subresource");
        let attrs = Attributes {
            user: user.to_string(),
            verb: s("verb"),
            group: s("group"),
            resource: s("resource"),
            subresource: (!sub.is_empty()).then_some(sub),
            namespace: s("namespace"),
            name: s("name"),
        };
        let allowed = if ra.is_null() {
            // Non-resource URLs: allow.
            true
        } else {
            self.allowed(&attrs)
        };
        let mut status = json!({"allowed": allowed});
        if !allowed {
            status["denied"] = json!(true);
        } else {
            status["reason"] = json!("allowed by kdeck-sim access rules");
        }
        json!({
            "kind": "SelfSubjectAccessReview",
            "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": null},
            "spec": body["spec"],
            "status": status,
        })
    }
}

/// A validating admission policy: writes matching `rule` are denied with `message`.
#[derive(Clone, Debug, PartialEq)]
pub struct Admission {
    pub rule: Rule,
    pub message: String,
}

impl Admission {
    /// Parses `VERB:RESOURCE[/SUB]:NAMESPACE:MESSAGE` (the `--admission-deny` syntax).
    pub fn parse(spec: &str) -> Result<Admission, String> {
        let mut parts = spec.splitn(4, ':');
        let (Some(v), Some(r), Some(n), Some(m)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "admission rule {spec:?}: expected VERB:RESOURCE[/SUBRESOURCE]:NAMESPACE:MESSAGE"
            ));
        };
        Ok(Admission {
            rule: Rule::parse(&format!("{v}:{r}:{n}"), false)?,
            message: m.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(verb: &str, res: &str, sub: Option<&str>, ns: &str) -> Attributes {
        Attributes {
            user: "kdeck".into(),
            verb: verb.into(),
            resource: res.into(),
            subresource: sub.map(String::from),
            namespace: ns.into(),
            ..Default::default()
        }
    }

    #[test]
    fn first_match_wins_and_default_allows() {
        let mut r = AccessRules::default();
        assert!(r.allowed(&attrs("patch", "deployments", Some("scale"), "x")));
        r.push(Rule::parse("patch:deployments/scale:flagwise", false).unwrap());
        assert!(!r.allowed(&attrs("patch", "deployments", Some("scale"), "flagwise")));
        assert!(r.allowed(&attrs("patch", "deployments", None, "flagwise")));
        assert!(r.allowed(&attrs("patch", "deployments", Some("scale"), "other")));
        r.push(Rule::parse("*:*:secret-ns", false).unwrap());
        assert!(!r.allowed(&attrs("list", "pods", None, "secret-ns")));
        let mut only = AccessRules::default();
        only.push(Rule::parse("*:*:*", false).unwrap());
        assert!(!only.allowed(&attrs("list", "namespaces", None, "")));
    }

    #[test]
    fn parse_errors_explain_the_syntax() {
        assert!(
            Rule::parse("patch:deployments", false)
                .unwrap_err()
                .contains("VERB:RESOURCE")
        );
    }

    #[test]
    fn review_answers() {
        let mut r = AccessRules::default();
        r.push(Rule::parse("patch:deployments/scale:no-ns", false).unwrap());
        let body = json!({"spec": {"resourceAttributes": {"verb": "patch", "resource": "deployments", "subresource": "scale", "namespace": "no-ns", "group": "apps"}}});
        assert_eq!(r.review("u", &body)["status"]["allowed"], false);
        let body2 = json!({"spec": {"resourceAttributes": {"verb": "patch", "resource": "deployments", "subresource": "scale", "namespace": "yes-ns"}}});
        assert_eq!(r.review("u", &body2)["status"]["allowed"], true);
    }
}
