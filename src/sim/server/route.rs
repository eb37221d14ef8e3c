//! Path routing: splits on `/`, percent-decodes each segment, and recognises
//! discovery paths, namespaced and cluster-scoped resources, and subresources.

use percent_encoding::percent_decode_str;

use crate::sim::kinds::Surface;

#[derive(Debug)]
pub enum Route {
    Version,
    Health,
    Api,
    Apis,
    Group(String),
    ResourceList(String, String),
    Resource {
        surface: &'static Surface,
        namespace: Option<String>,
        name: Option<String>,
        sub: Option<String>,
        rest: String,
    },
    SimStats,
    /// `PUT /kdeck-sim/churn?paused=true|false`.
    SimChurn,
    /// `PUT /kdeck-sim/controllers?paused=true|false`.
    SimControllers,
    /// `POST /kdeck-sim/faults` `{"status": "503", …}` (only with `--control`).
    SimFaults,
    NotFound,
}

/// A resource request's target.
#[derive(Debug, Clone)]
pub struct Target {
    pub surface: &'static Surface,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub sub: Option<String>,
    /// For proxy: the path after `proxy` (with its leading slash), else empty.
    pub rest: String,
}

/// Finds the surface serving (group, version, plural): built in, or defined by a
/// CustomResourceDefinition.
pub type Lookup<'a> = &'a dyn Fn(&str, &str, &str) -> Option<&'static Surface>;

/// Routes `path` with the built-in surfaces only.
#[cfg(test)]
pub fn parse(path: &str) -> Route {
    parse_with(path, &crate::sim::kinds::surface)
}

pub fn parse_with(path: &str, surface: Lookup) -> Route {
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let trailing_slash = path.ends_with('/') && segs.len() > 1;
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    match s.as_slice() {
        ["version"] => Route::Version,
        ["healthz"] | ["livez"] | ["readyz"] => Route::Health,
        ["kdeck-sim", "stats"] => Route::SimStats,
        ["kdeck-sim", "churn"] => Route::SimChurn,
        ["kdeck-sim", "controllers"] => Route::SimControllers,
        ["kdeck-sim", "faults"] => Route::SimFaults,
        ["api"] => Route::Api,
        ["apis"] => Route::Apis,
        ["api", v] => Route::ResourceList(String::new(), v.to_string()),
        ["apis", g] => Route::Group(g.to_string()),
        ["apis", g, v] => Route::ResourceList(g.to_string(), v.to_string()),
        ["api", v, rest @ ..] => resource("", v, rest, trailing_slash, surface),
        ["apis", g, v, rest @ ..] => resource(g, v, rest, trailing_slash, surface),
        _ => Route::NotFound,
    }
}

fn resource(group: &str, version: &str, rest: &[&str], trailing: bool, surface: Lookup) -> Route {
    // The namespace object itself: /api/v1/namespaces/{name}[/status|finalize].
    let namespaced_res = rest.len() >= 3
        && rest[0] == "namespaces"
        && surface(group, version, rest[2]).is_some_and(|s| s.namespaced);
    let (ns, plural, tail) = if namespaced_res {
        (Some(rest[1].to_string()), rest[2], &rest[3..])
    } else {
        match rest.first() {
            Some(p) => (None, *p, &rest[1..]),
            None => return Route::NotFound,
        }
    };
    let Some(surface) = surface(group, version, plural) else {
        return Route::NotFound;
    };
    if ns.is_none() && surface.namespaced && !tail.is_empty() {
        // A namespaced resource addressed by name without a namespace.
        return Route::NotFound;
    }
    let name = tail.first().map(|n| n.to_string());
    let sub = tail.get(1).map(|n| n.to_string());
    if let Some(sb) = &sub
        && surface.subresource(sb).is_none()
    {
        return Route::NotFound;
    }
    let rest = if tail.len() > 2 {
        let mut r = format!("/{}", tail[2..].join("/"));
        if trailing {
            r.push('/');
        }
        r
    } else if trailing && sub.is_some() {
        "/".to_string()
    } else {
        String::new()
    };
    Route::Resource {
        surface,
        namespace: ns,
        name,
        sub,
        rest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(
        p: &str,
    ) -> (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
    ) {
        match parse(p) {
            Route::Resource {
                surface,
                namespace,
                name,
                sub,
                rest,
            } => (surface.plural.to_string(), namespace, name, sub, rest),
            other => panic!("{p}: {other:?}"),
        }
    }

    #[test]
    fn routes() {
        assert_eq!(res("/api/v1/pods").0, "pods");
        assert_eq!(res("/api/v1/namespaces/ns/pods").1.as_deref(), Some("ns"));
        let ns = res("/api/v1/namespaces/flextime-production");
        assert_eq!(
            (ns.0.as_str(), ns.2.as_deref()),
            ("namespaces", Some("flextime-production"))
        );
        let scale = res("/apis/apps/v1/namespaces/x/deployments/d/scale");
        assert_eq!(scale.3.as_deref(), Some("scale"));
        let proxy = res("/api/v1/namespaces/x/pods/web%3A8080/proxy/health/live");
        assert_eq!(proxy.2.as_deref(), Some("web:8080"));
        assert_eq!(proxy.4, "/health/live");
        let root = res("/api/v1/namespaces/x/services/svc/proxy/");
        assert_eq!(root.4, "/");
        assert!(matches!(
            parse("/apis/apps/v1/namespaces/x/nopes"),
            Route::NotFound
        ));
        assert!(matches!(
            parse("/apis/apps/v1/namespaces/x/deployments/d/bogus"),
            Route::NotFound
        ));
        assert!(matches!(parse("/api"), Route::Api));
        assert!(matches!(parse("/apis/apps/v1"), Route::ResourceList(..)));
    }
}
