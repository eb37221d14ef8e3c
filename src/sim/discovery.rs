//! API discovery: `/version`, legacy discovery (`/api`, `/apis`, `/api/v1`,
//! `/apis/{group}[/{version}]`) and aggregated discovery (`APIGroupDiscoveryList`,
//! v2 and v2beta1), all generated from the resource registry and the custom APIs the
//! stored CustomResourceDefinitions define.

use serde_json::{Value, json};

use super::crd::Apis;
use super::kinds::{GROUPS, Surface};

/// Every group with its versions (preferred first), built in then custom.
fn all_groups(apis: &Apis) -> Vec<(&'static str, Vec<&'static str>)> {
    let mut out: Vec<(&'static str, Vec<&'static str>)> =
        GROUPS.iter().map(|(g, v)| (*g, vec![*v])).collect();
    for (g, vs) in apis.groups() {
        if !out.iter().any(|(x, _)| *x == g) {
            out.push((g, vs));
        }
    }
    out
}

/// The surfaces of one group/version.
fn surfaces_of<'a>(
    group: &'a str,
    version: &'a str,
    apis: &'a Apis,
) -> impl Iterator<Item = &'static Surface> + 'a {
    super::kinds::surfaces_of(group, version).chain(
        apis.surfaces()
            .filter(move |s| s.group == group && s.version == version),
    )
}

pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.4-kdeck-sim",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.23.8",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// The media type of aggregated discovery, if the Accept header asks for it.
pub fn aggregated_type(accept: &str) -> Option<&'static str> {
    for part in accept.split(',') {
        let p = part.replace(' ', "");
        if p.contains("g=apidiscovery.k8s.io") && p.contains("as=APIGroupDiscoveryList") {
            if p.contains("v=v2beta1") {
                return Some(
                    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
                );
            }
            if p.contains("v=v2") {
                return Some(
                    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
                );
            }
        }
    }
    None
}

fn resource_entry(s: &Surface) -> Value {
    let mut r = json!({
        "name": s.plural,
        "singularName": s.singular,
        "namespaced": s.namespaced,
        "kind": s.kind,
        "verbs": s.verbs,
    });
    if !s.short_names.is_empty() {
        r["shortNames"] = json!(s.short_names);
    }
    if !s.categories.is_empty() {
        r["categories"] = json!(s.categories);
    }
    r
}

/// `/api/v1` or `/apis/{g}/{v}`.
pub fn resource_list(group: &str, version: &str, apis: &Apis) -> Option<Value> {
    let surfaces: Vec<&Surface> = surfaces_of(group, version, apis).collect();
    if surfaces.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for s in &surfaces {
        resources.push(resource_entry(s));
        for sub in s.subresources {
            let mut e = json!({
                "name": format!("{}/{}", s.plural, sub.name),
                "singularName": "",
                "namespaced": s.namespaced,
                "kind": sub.kind,
                "verbs": sub.verbs,
            });
            if sub.group != s.group || sub.version != s.version {
                e["group"] = json!(sub.group);
                e["version"] = json!(sub.version);
            }
            resources.push(e);
        }
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
    )
}

pub fn api_versions(server: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server}],
    })
}

fn group_entry(group: &str, versions: &[&str]) -> Value {
    let gvs: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({"name": group, "preferredVersion": gvs.first().cloned().unwrap_or_default(), "versions": gvs})
}

pub fn group_list(apis: &Apis) -> Value {
    let groups: Vec<Value> = all_groups(apis)
        .iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, v)| group_entry(g, v))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub fn group(name: &str, apis: &Apis) -> Option<Value> {
    all_groups(apis)
        .iter()
        .find(|(g, _)| *g == name && !g.is_empty())
        .map(|(g, v)| {
            let mut e = group_entry(g, v);
            e["kind"] = json!("APIGroup");
            e["apiVersion"] = json!("v1");
            e
        })
}

fn aggregated_resource(s: &Surface) -> Value {
    let mut r = json!({
        "resource": s.plural,
        "responseKind": {"group": s.group, "version": s.version, "kind": s.kind},
        "scope": if s.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": s.singular,
        "verbs": s.verbs,
    });
    if !s.short_names.is_empty() {
        r["shortNames"] = json!(s.short_names);
    }
    if !s.categories.is_empty() {
        r["categories"] = json!(s.categories);
    }
    if !s.subresources.is_empty() {
        r["subresources"] =
            json!(s
            .subresources
            .iter()
            .map(|sub| json!({
                "subresource": sub.name,
                "responseKind": {"group": sub.group, "version": sub.version, "kind": sub.kind},
                "verbs": sub.verbs,
            }))
            .collect::<Vec<_>>());
    }
    r
}

/// Aggregated discovery for `/api` (core) or `/apis` (every other group).
pub fn aggregated(core: bool, media_type: &str, apis: &Apis) -> Value {
    let api_version = if media_type.contains("v2beta1") {
        "apidiscovery.k8s.io/v2beta1"
    } else {
        "apidiscovery.k8s.io/v2"
    };
    let items: Vec<Value> = all_groups(apis)
        .iter()
        .filter(|(g, _)| g.is_empty() == core)
        .map(|(g, vs)| {
            let versions: Vec<Value> = vs
                .iter()
                .map(|v| {
                    let resources: Vec<Value> =
                        surfaces_of(g, v, apis).map(aggregated_resource).collect();
                    json!({"version": v, "resources": resources, "freshness": "Current"})
                })
                .collect();
            let mut meta = json!({"creationTimestamp": null});
            if !g.is_empty() {
                meta["name"] = json!(g);
            }
            json!({"metadata": meta, "versions": versions})
        })
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": api_version, "metadata": {}, "items": items})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_subresource_is_autoscaling_v1() {
        let apis = Apis::default();
        let apps = resource_list("apps", "v1", &apis).unwrap();
        let scale = apps["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "deployments/scale")
            .unwrap();
        assert_eq!(scale["group"], "autoscaling");
        assert_eq!(scale["version"], "v1");
        assert_eq!(scale["kind"], "Scale");
        let agg = aggregated(false, "v2", &apis);
        let apps = agg["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["metadata"]["name"] == "apps")
            .unwrap();
        let dep = &apps["versions"][0]["resources"][0];
        assert_eq!(dep["subresources"][1]["responseKind"]["kind"], "Scale");
    }

    #[test]
    fn accept_negotiation() {
        assert!(aggregated_type("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json").is_some());
        assert!(aggregated_type("application/json, */*").is_none());
        assert!(
            aggregated_type(
                "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
            )
            .unwrap()
            .contains("v2beta1")
        );
        let apis = Apis::default();
        assert!(resource_list("nope", "v1", &apis).is_none());
        assert_eq!(group_list(&apis)["groups"][0]["name"], "apps");
    }
}
