//! Rows of a first-class kind's own list (ConfigMaps, Nodes, Ingresses…), across
//! contexts: one per object, assessed by the kind's own rule, problems first, then
//! by context, namespace and name. Built only while a screen shows the kind. The
//! cells are read from the records when drawn (only the rows in view).

use std::sync::Arc;

use super::Ctx;
use crate::cluster::kinds::{Join, Key, Record, ResKind, Severity, Stored, Visit, Width};
use crate::cluster::msg::CtxId;

/// One object in a kind's list.
#[derive(Clone, Debug, PartialEq)]
pub struct KindRow {
    pub ctx: CtxId,
    pub key: Key,
    pub severity: Severity,
    /// What needs attention, if anything.
    pub problem: Option<String>,
}

struct Rows<'a, 'b> {
    contexts: &'a [Ctx<'b>],
}

impl Visit for Rows<'_, '_> {
    type Out = Vec<KindRow>;
    fn visit<K: Stored>(self) -> Vec<KindRow> {
        let mut out = Vec::new();
        for c in self.contexts {
            let j = Join {
                tables: &c.data.kinds,
                now: c.now,
            };
            for r in K::table(&c.data.kinds).values() {
                let assessed = K::assess(r, &j);
                out.push(KindRow {
                    ctx: c.id,
                    key: r.key(),
                    severity: assessed.as_ref().map_or(Severity::Ok, |a| a.0),
                    problem: assessed.map(|a| a.1),
                });
            }
        }
        out.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.ctx.cmp(&b.ctx))
                .then(a.key.cmp(&b.key))
        });
        out
    }
}

/// The rows of `kind` across contexts, sorted.
pub fn build(kind: ResKind, contexts: &[Ctx]) -> Vec<KindRow> {
    kind.visit(Rows { contexts })
}

/// A kind's columns after NAMESPACE and NAME: (title, width).
pub fn columns(kind: ResKind) -> Vec<(&'static str, Width)> {
    struct Cols;
    impl Visit for Cols {
        type Out = Vec<(&'static str, Width)>;
        fn visit<K: Stored>(self) -> Self::Out {
            K::columns().iter().map(|c| (c.title, c.width)).collect()
        }
    }
    kind.visit(Cols)
}

/// The cells of one object's row (after NAMESPACE and NAME), `None` if it is gone.
pub fn cells(kind: ResKind, join: &Join, key: &Key) -> Option<Vec<String>> {
    struct Cells<'a, 'b> {
        join: &'a Join<'b>,
        key: &'a Key,
    }
    impl Visit for Cells<'_, '_> {
        type Out = Option<Vec<String>>;
        fn visit<K: Stored>(self) -> Self::Out {
            let r = K::table(self.join.tables).get(self.key)?;
            Some(
                K::columns()
                    .iter()
                    .map(|c| (c.cell)(r, self.join))
                    .collect(),
            )
        }
    }
    kind.visit(Cells { join, key })
}

/// The kind's part of a describe page for one object, `None` if it is gone.
pub fn describe(kind: ResKind, join: &Join, key: &Key) -> Option<Vec<(String, String)>> {
    struct Describe<'a, 'b> {
        join: &'a Join<'b>,
        key: &'a Key,
    }
    impl Visit for Describe<'_, '_> {
        type Out = Option<Vec<(String, String)>>;
        fn visit<K: Stored>(self) -> Self::Out {
            let r = K::table(self.join.tables).get(self.key)?;
            let mut out = Vec::new();
            if let Some((sev, why)) = K::assess(r, self.join) {
                out.push(("Attention".into(), format!("{sev}: {why}")));
            }
            K::describe(r, self.join, &mut out);
            Some(out)
        }
    }
    kind.visit(Describe { join, key })
}

/// Where Enter on one object leads.
pub fn drill(
    kind: ResKind,
    tables: &crate::cluster::kinds::Tables,
    key: &Key,
) -> Option<crate::cluster::kinds::Drill> {
    struct D<'a> {
        tables: &'a crate::cluster::kinds::Tables,
        key: &'a Key,
    }
    impl Visit for D<'_> {
        type Out = Option<crate::cluster::kinds::Drill>;
        fn visit<K: Stored>(self) -> Self::Out {
            K::drill(K::table(self.tables).get(self.key)?)
        }
    }
    kind.visit(D { tables, key })
}

/// When one object was created, and its labels (for describe).
pub fn identity(
    kind: ResKind,
    tables: &crate::cluster::kinds::Tables,
    key: &Key,
) -> Option<(crate::cluster::kinds::Ts, String)> {
    struct C<'a> {
        tables: &'a crate::cluster::kinds::Tables,
        key: &'a Key,
    }
    impl Visit for C<'_> {
        type Out = Option<(crate::cluster::kinds::Ts, String)>;
        fn visit<K: Stored>(self) -> Self::Out {
            K::table(self.tables).get(self.key).map(|r| {
                (
                    r.created(),
                    r.labels().map(|l| l.join()).unwrap_or_default(),
                )
            })
        }
    }
    kind.visit(C { tables, key })
}

/// The key of an object of `kind` (cluster-scoped kinds have no namespace).
pub fn key_of(kind: ResKind, namespace: &Arc<str>, name: &Arc<str>) -> Key {
    if kind.info().namespaced {
        (namespace.clone(), name.clone())
    } else {
        (Arc::from(""), name.clone())
    }
}
