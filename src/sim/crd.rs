//! CustomResourceDefinitions: a stored CRD makes its custom resources served. Each
//! served version of a definition becomes an API surface (discovery, routing, Table
//! printing from its `additionalPrinterColumns`, watch and the write verbs, like any
//! other); objects are stored under one `Kind::Custom(id)` per definition. Removing
//! the definition stops serving it and removes its objects, as a real API server does.
//!
//! Surfaces are `'static` like the built-in ones: a definition's surfaces are leaked
//! once per distinct definition and kept for the life of the process (ids are unique
//! across every simulated cluster in it, so tests running several do not meet).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, LazyLock, RwLock};

use serde_json::{Value, json};

use super::kinds::{Cell, Col, Kind, Repr, Sub, Surface};
use super::obj;

/// Stand-in for a kind that is not (or no longer) registered: serves nothing.
pub static UNKNOWN: Surface = Surface {
    group: "",
    version: "",
    kind: "Unknown",
    plural: "",
    singular: "",
    namespaced: false,
    short_names: &[],
    categories: &[],
    verbs: &[],
    subresources: &[],
    stored: None,
    repr: Repr::Native,
    printer: &[],
};

/// Every custom kind's storage surface, by id (append-only).
static NATIVE: LazyLock<RwLock<HashMap<u32, &'static Surface>>> =
    LazyLock::new(|| RwLock::new(HashMap::new()));
static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// The storage surface of custom kind `id`.
pub fn native(id: u32) -> &'static Surface {
    NATIVE
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .get(&id)
        .copied()
        .unwrap_or(&UNKNOWN)
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

const RW: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const GU: &[&str] = &["get", "patch", "update"];

/// What one definition serves.
#[derive(Debug)]
struct Served {
    kind: Kind,
    /// Its definition's spec, to tell a changed definition from the same one again.
    spec: Value,
    /// One surface per served version; the storage version first.
    surfaces: Vec<&'static Surface>,
}

/// The custom APIs one simulated cluster serves, from its stored definitions.
#[derive(Debug, Default)]
pub struct Apis {
    /// By definition name (`rollouts.argoproj.io`).
    served: BTreeMap<String, Served>,
}

/// Why a definition cannot be served (becomes its `NamesAccepted` condition).
fn check(crd: &Value) -> Result<(), String> {
    let s = &crd["spec"];
    let group = s["group"].as_str().unwrap_or("");
    let plural = s["names"]["plural"].as_str().unwrap_or("");
    if group.is_empty() || plural.is_empty() || s["names"]["kind"].as_str().unwrap_or("").is_empty()
    {
        return Err("spec.group, spec.names.plural and spec.names.kind are required".into());
    }
    if obj::name(crd) != format!("{plural}.{group}") {
        return Err(format!("metadata.name must be {plural}.{group}"));
    }
    let versions = s["versions"].as_array().map_or(0, |v| v.len());
    if versions == 0 {
        return Err("spec.versions must name at least one version".into());
    }
    Ok(())
}

fn printer(version: &Value) -> &'static [Col] {
    let declared = version["additionalPrinterColumns"].as_array();
    let mut cols = vec![Col {
        name: "Name",
        ty: "string",
        priority: 0,
        cell: Cell::Name,
    }];
    for c in declared.into_iter().flatten().take(20) {
        let (Some(name), Some(path)) = (c["name"].as_str(), c["jsonPath"].as_str()) else {
            continue;
        };
        cols.push(Col {
            name: leak(name),
            ty: leak(c["type"].as_str().unwrap_or("string")),
            priority: c["priority"].as_u64().unwrap_or(0).min(9) as u8,
            cell: Cell::JsonPath(leak(path)),
        });
    }
    if declared.is_none_or(|d| d.is_empty()) {
        cols.push(Col {
            name: "Age",
            ty: "date",
            priority: 0,
            cell: Cell::JsonPath(".metadata.creationTimestamp"),
        });
    }
    Box::leak(cols.into_boxed_slice())
}

fn surfaces(crd: &Value, kind: Kind) -> Vec<&'static Surface> {
    let s = &crd["spec"];
    let names = &s["names"];
    let group = leak(s["group"].as_str().unwrap_or(""));
    let kind_name = leak(names["kind"].as_str().unwrap_or(""));
    let plural = leak(names["plural"].as_str().unwrap_or(""));
    let singular = leak(
        names["singular"]
            .as_str()
            .map(String::from)
            .unwrap_or_else(|| kind_name.to_lowercase())
            .as_str(),
    );
    let list = |k: &str| -> &'static [&'static str] {
        let v: Vec<&'static str> = names[k]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str())
            .map(leak)
            .collect();
        Box::leak(v.into_boxed_slice())
    };
    let short_names = list("shortNames");
    let categories = list("categories");
    let namespaced = s["scope"].as_str() != Some("Cluster");
    let mut versions: Vec<&Value> = s["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["served"].as_bool().unwrap_or(true))
        .collect();
    // The storage version first: it is the kind's native surface.
    versions.sort_by_key(|v| !v["storage"].as_bool().unwrap_or(false));
    versions
        .into_iter()
        .map(|v| {
            let version = leak(v["name"].as_str().unwrap_or("v1"));
            let mut subs = Vec::new();
            if !v["subresources"]["status"].is_null() {
                subs.push(Sub {
                    name: "status",
                    group,
                    version,
                    kind: kind_name,
                    verbs: GU,
                });
            }
            if !v["subresources"]["scale"].is_null() {
                subs.push(Sub {
                    name: "scale",
                    group: "autoscaling",
                    version: "v1",
                    kind: "Scale",
                    verbs: GU,
                });
            }
            let surface: &'static Surface = Box::leak(Box::new(Surface {
                group,
                version,
                kind: kind_name,
                plural,
                singular,
                namespaced,
                short_names,
                categories,
                verbs: RW,
                subresources: Box::leak(subs.into_boxed_slice()),
                stored: Some(kind),
                repr: Repr::Native,
                printer: printer(v),
            }));
            surface
        })
        .collect()
}

impl Apis {
    /// Brings what is served in line with the stored definitions. Returns the status
    /// each definition should carry (its conditions and accepted names), and the
    /// kinds no longer served (their objects are to be removed).
    pub fn sync(&mut self, crds: &[Arc<Value>]) -> (Vec<(String, Value)>, Vec<Kind>) {
        let mut statuses = Vec::new();
        let mut keep: BTreeMap<String, Served> = BTreeMap::new();
        for crd in crds {
            let name = obj::name(crd).to_string();
            if let Err(why) = check(crd) {
                statuses.push((name, status(crd, Some(&why))));
                continue;
            }
            let served = match self.served.remove(&name) {
                Some(s) if s.spec == crd["spec"] => s,
                previous => {
                    // New, or changed: the same id keeps its objects.
                    let id = match previous.map(|p| p.kind) {
                        Some(Kind::Custom(id)) => id,
                        _ => NEXT_ID.fetch_add(1, Ordering::Relaxed),
                    };
                    let kind = Kind::Custom(id);
                    let surfaces = surfaces(crd, kind);
                    if let Some(first) = surfaces.first() {
                        NATIVE
                            .write()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(id, first);
                    }
                    Served {
                        kind,
                        spec: crd["spec"].clone(),
                        surfaces,
                    }
                }
            };
            statuses.push((name.clone(), status(crd, None)));
            keep.insert(name, served);
        }
        let gone = std::mem::take(&mut self.served)
            .into_values()
            .map(|s| s.kind)
            .collect();
        self.served = keep;
        (statuses, gone)
    }

    /// The surface serving `plural` under `group/version`, if a definition serves it.
    pub fn surface(&self, group: &str, version: &str, plural: &str) -> Option<&'static Surface> {
        self.surfaces()
            .find(|s| s.group == group && s.version == version && s.plural == plural)
    }

    /// Every served custom surface.
    pub fn surfaces(&self) -> impl Iterator<Item = &'static Surface> + '_ {
        self.served
            .values()
            .flat_map(|s| s.surfaces.iter().copied())
    }

    /// Served groups with their versions (the storage version first).
    pub fn groups(&self) -> Vec<(&'static str, Vec<&'static str>)> {
        let mut out: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
        for s in self.served.values() {
            for surface in &s.surfaces {
                match out.iter_mut().find(|(g, _)| *g == surface.group) {
                    Some((_, vs)) => {
                        if !vs.contains(&surface.version) {
                            vs.push(surface.version)
                        }
                    }
                    None => out.push((surface.group, vec![surface.version])),
                }
            }
        }
        out
    }

    /// The custom kind of objects with this `apiVersion` and `kind`.
    pub fn kind_of(&self, api_version: &str, kind: &str) -> Option<Kind> {
        self.surfaces()
            .find(|s| s.kind == kind && s.api_version() == api_version)
            .and_then(|s| s.stored)
    }
}

/// The status a definition carries: established and its names accepted, or why not.
fn status(crd: &Value, problem: Option<&str>) -> Value {
    let at = crd["metadata"]["creationTimestamp"].clone();
    let ok = problem.is_none();
    let cond = |ty: &str, reason: &str, message: &str| {
        json!({"type": ty, "status": if ok { "True" } else { "False" }, "reason": reason,
            "message": message, "lastTransitionTime": at})
    };
    let stored: Vec<Value> = crd["spec"]["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["storage"].as_bool().unwrap_or(false))
        .map(|v| v["name"].clone())
        .collect();
    json!({
        "acceptedNames": crd["spec"]["names"],
        "conditions": [
            cond(
                "NamesAccepted",
                if ok { "NoConflicts" } else { "Invalid" },
                problem.unwrap_or("no conflicts found"),
            ),
            cond(
                "Established",
                if ok { "InitialNamesAccepted" } else { "NotAccepted" },
                if ok { "the initial names have been accepted" } else { "not all names are accepted" },
            ),
        ],
        "storedVersions": stored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rollouts() -> Value {
        json!({
            "metadata": {"name": "rollouts.argoproj.io"},
            "spec": {"group": "argoproj.io", "scope": "Namespaced",
                "names": {"kind": "Rollout", "plural": "rollouts", "singular": "rollout", "shortNames": ["ro"], "listKind": "RolloutList"},
                "versions": [{"name": "v1alpha1", "served": true, "storage": true,
                    "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}},
                    "additionalPrinterColumns": [
                        {"name": "Desired", "type": "integer", "jsonPath": ".spec.replicas"},
                        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]}]}
        })
    }

    #[test]
    fn a_definition_is_served_and_its_removal_stops_it() {
        let mut apis = Apis::default();
        let (st, gone) = apis.sync(&[Arc::new(rollouts())]);
        assert!(gone.is_empty());
        assert_eq!(st[0].1["conditions"][1]["status"], "True");
        let s = apis
            .surface("argoproj.io", "v1alpha1", "rollouts")
            .expect("served");
        assert_eq!((s.kind, s.short_names), ("Rollout", &["ro"][..]));
        assert!(s.subresource("scale").is_some());
        let kind = s.stored.expect("stored");
        assert_eq!(kind.native().plural, "rollouts");
        assert_eq!(kind.native().printer[1].name, "Desired");
        // The same definition again keeps its kind.
        apis.sync(&[Arc::new(rollouts())]);
        assert_eq!(apis.kind_of("argoproj.io/v1alpha1", "Rollout"), Some(kind));
        let (_, gone) = apis.sync(&[]);
        assert_eq!(gone, vec![kind]);
        assert!(
            apis.surface("argoproj.io", "v1alpha1", "rollouts")
                .is_none()
        );
    }

    #[test]
    fn a_bad_definition_is_not_served_and_says_why() {
        let mut bad = rollouts();
        bad["metadata"]["name"] = json!("wrong");
        let mut apis = Apis::default();
        let (st, _) = apis.sync(&[Arc::new(bad)]);
        assert!(apis.surfaces().next().is_none());
        assert_eq!(st[0].1["conditions"][0]["status"], "False");
        assert!(
            st[0].1["conditions"][0]["message"]
                .as_str()
                .unwrap()
                .contains("rollouts.argoproj.io")
        );
    }
}
