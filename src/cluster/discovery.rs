//! What a server serves, as kubectl finds out: aggregated discovery (`/api` and
//! `/apis` as `APIGroupDiscoveryList`, two requests) where the server offers it, else
//! the legacy walk (`/api/v1`, `/apis`, each group's preferred version). Every
//! listable resource with its names (plural, singular, short names, kind), scope and
//! verbs — what `:` resolves names against and completes from.

use std::sync::Arc;

use serde_json::Value;

use super::kinds::{Ident, Info};

/// One resource a server serves.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ApiRes {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub singular: String,
    pub short: Vec<String>,
    pub namespaced: bool,
    pub verbs: Vec<String>,
}

impl ApiRes {
    pub fn ident(&self) -> Ident<'_> {
        Ident {
            group: &self.group,
            version: &self.version,
            kind: &self.kind,
            plural: &self.plural,
            singular: &self.singular,
            namespaced: self.namespaced,
        }
    }

    /// `v1`, `argoproj.io/v1alpha1`.
    pub fn api_version(&self) -> String {
        self.ident().api_version()
    }

    /// `rollouts.argoproj.io`, `pods`.
    pub fn qualified(&self) -> String {
        self.ident().qualified()
    }

    /// Whether `name` names it as `kubectl get NAME` accepts.
    pub fn named(&self, name: &str) -> bool {
        self.ident().named(name, &self.short)
    }

    /// The collection's path (`/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts`).
    pub fn path(&self, namespace: Option<&str>) -> String {
        self.ident().path(namespace)
    }

    /// The kube-rs resource, to fetch one object.
    pub fn api_resource(&self) -> kube::discovery::ApiResource {
        kube::discovery::ApiResource {
            group: self.group.clone(),
            version: self.version.clone(),
            api_version: self.api_version(),
            kind: self.kind.clone(),
            plural: self.plural.clone(),
        }
    }

    /// A first-class kind as discovery would list it.
    pub fn of(i: &Info) -> ApiRes {
        ApiRes {
            group: i.group.into(),
            version: i.version.into(),
            kind: i.kind.into(),
            plural: i.plural.into(),
            singular: i.singular.into(),
            short: i.short.iter().map(|s| s.to_string()).collect(),
            namespaced: i.namespaced,
            verbs: vec!["get".into(), "list".into(), "watch".into()],
        }
    }
}

/// The largest discovery document read (a server with thousands of CRDs is still far
/// below this).
const MAX_BODY: usize = 16 << 20;

const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

async fn get(client: &kube::Client, path: &str, accept: &str) -> Result<(String, Value), String> {
    let (ct, bytes) = super::raw::get(client, path, accept, MAX_BODY).await?;
    let v = serde_json::from_slice(&bytes).map_err(|e| format!("{path}: {e}"))?;
    Ok((ct, v))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str())
        .map(|s| crate::util::sanitize::line(s, 100))
        .collect()
}

fn clean(v: &Value) -> String {
    crate::util::sanitize::line(v.as_str().unwrap_or(""), 253)
}

/// From an `APIGroupDiscoveryList` (each group's first version is its preferred).
fn from_aggregated(list: &Value, out: &mut Vec<ApiRes>) {
    for g in list["items"].as_array().into_iter().flatten() {
        let group = clean(&g["metadata"]["name"]);
        let Some(v) = g["versions"].as_array().and_then(|v| v.first()) else {
            continue;
        };
        let version = clean(&v["version"]);
        for r in v["resources"].as_array().into_iter().flatten() {
            let verbs = strings(&r["verbs"]);
            if !verbs.iter().any(|v| v == "list") {
                continue;
            }
            out.push(ApiRes {
                group: group.clone(),
                version: version.clone(),
                kind: clean(&r["responseKind"]["kind"]),
                plural: clean(&r["resource"]),
                singular: clean(&r["singularResource"]),
                short: strings(&r["shortNames"]),
                namespaced: r["scope"] == "Namespaced",
                verbs,
            });
        }
    }
}

/// From an `APIResourceList` of one group/version.
fn from_list(group: &str, version: &str, list: &Value, out: &mut Vec<ApiRes>) {
    for r in list["resources"].as_array().into_iter().flatten() {
        let plural = clean(&r["name"]);
        let verbs = strings(&r["verbs"]);
        if plural.contains('/') || !verbs.iter().any(|v| v == "list") {
            continue;
        }
        out.push(ApiRes {
            group: group.into(),
            version: version.into(),
            kind: clean(&r["kind"]),
            singular: match clean(&r["singularName"]) {
                s if s.is_empty() => clean(&r["kind"]).to_ascii_lowercase(),
                s => s,
            },
            plural,
            short: strings(&r["shortNames"]),
            namespaced: r["namespaced"].as_bool().unwrap_or(false),
            verbs,
        });
    }
}

/// Everything the server serves that can be listed, in discovery order (core
/// first: `kubectl get` resolves an ambiguous short name to the first).
pub async fn discover(client: &kube::Client) -> Result<Vec<Arc<ApiRes>>, String> {
    let mut out = Vec::new();
    let (ct_core, core) = get(client, "/api", AGGREGATED).await?;
    if ct_core.contains("APIGroupDiscoveryList") {
        from_aggregated(&core, &mut out);
        let (_, groups) = get(client, "/apis", AGGREGATED).await?;
        from_aggregated(&groups, &mut out);
    } else {
        let (_, v1) = get(client, "/api/v1", "application/json").await?;
        from_list("", "v1", &v1, &mut out);
        let (_, groups) = get(client, "/apis", "application/json").await?;
        for g in groups["groups"].as_array().into_iter().flatten() {
            let name = clean(&g["name"]);
            let version = clean(&g["preferredVersion"]["version"]);
            if name.is_empty() || version.is_empty() {
                continue;
            }
            match get(
                client,
                &format!("/apis/{name}/{version}"),
                "application/json",
            )
            .await
            {
                Ok((_, list)) => from_list(&name, &version, &list, &mut out),
                // An aggregated API that is down does not hide the others.
                Err(e) => tracing::debug!("discovery of {name}/{version}: {e}"),
            }
        }
    }
    Ok(out.into_iter().map(Arc::new).collect())
}

/// Finds what `name` names among `resources` (the first match, in discovery order).
pub fn resolve<'a>(resources: &'a [Arc<ApiRes>], name: &str) -> Option<&'a Arc<ApiRes>> {
    resources.iter().find(|r| r.named(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_as_kubectl_resolves_them() {
        let list = serde_json::json!({"items": [{"metadata": {"name": "argoproj.io"}, "versions": [
            {"version": "v1alpha1", "resources": [{"resource": "rollouts", "singularResource": "rollout",
                "responseKind": {"group": "argoproj.io", "version": "v1alpha1", "kind": "Rollout"},
                "scope": "Namespaced", "shortNames": ["ro"], "verbs": ["get", "list", "watch"]},
                {"resource": "rollouts/status", "verbs": ["get"]}]}]}]});
        let mut out = Vec::new();
        from_aggregated(&list, &mut out);
        assert_eq!(out.len(), 1, "only listable resources");
        let rs: Vec<Arc<ApiRes>> = out.into_iter().map(Arc::new).collect();
        for n in [
            "ro",
            "rollout",
            "rollouts",
            "Rollout",
            "rollouts.argoproj.io",
            "ro.v1alpha1.argoproj.io",
        ] {
            assert!(resolve(&rs, n).is_some(), "{n}");
        }
        assert!(resolve(&rs, "rollouts.apps").is_none());
        assert_eq!(
            rs[0].path(Some("flagwise")),
            "/apis/argoproj.io/v1alpha1/namespaces/flagwise/rollouts"
        );
    }
}
