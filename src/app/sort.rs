//! Sorting a list by one of its columns, as k9s's sort keys do: `o` moves the sort
//! to the next column of the view (after the last, back to the view's own order —
//! worst first, newest first), `O` reverses it. Text sorts A→Z first, counts and
//! times largest (newest) first. The sort is kept per list and said in the header.

use std::cmp::Ordering;

use super::lists::ListView;
use crate::fleet::Fleet;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Sort {
    /// Index into [`columns`] of the view.
    pub column: usize,
    /// Reversed from the column's natural direction.
    pub reversed: bool,
}

/// The columns a view can be sorted by.
pub fn columns(view: ListView) -> &'static [&'static str] {
    match view {
        ListView::Overview | ListView::Workloads => {
            &["NAMESPACE", "NAME", "READY", "RESTARTS", "WARNINGS"]
        }
        ListView::Pods => &[
            "NAMESPACE",
            "NAME",
            "STATUS",
            "RESTARTS",
            "AGE",
            "NODE",
            "CPU",
        ],
        ListView::Hpas => &["NAMESPACE", "NAME", "REPLICAS"],
        ListView::Events => &["LAST", "TYPE", "NAMESPACE", "REASON", "OBJECT", "COUNT"],
        ListView::Services => &["NAMESPACE", "NAME", "TYPE", "READY"],
        ListView::Resources => &["NAMESPACE", "NAME", "CPU", "MEM"],
        ListView::Health => &["NAMESPACE", "WORKLOAD", "STATE", "FAILURES"],
        ListView::Backups => &["NAMESPACE", "NAME", "LAST OK"],
        ListView::Alerts => &["NAMESPACE", "ALERT", "AGE"],
        ListView::Kind(_) => &["NAMESPACE", "NAME"],
        ListView::Table(_) => &["NAMESPACE", "NAME"],
    }
}

/// One cell's value for sorting.
#[derive(Clone, Debug, PartialEq, PartialOrd)]
enum Val {
    Text(String),
    /// Larger first in the natural direction.
    Num(f64),
}

fn text(s: &str) -> Val {
    Val::Text(s.to_lowercase())
}

fn num(n: impl Into<f64>) -> Val {
    Val::Num(n.into())
}

fn value(view: ListView, f: &Fleet, i: usize, col: &str) -> Option<Val> {
    Some(match view {
        ListView::Overview | ListView::Workloads => {
            let r = f.workloads.get(i)?;
            match col {
                "NAMESPACE" => text(&r.namespace),
                "NAME" => text(&r.name),
                "READY" => num(r.ready),
                "RESTARTS" => num(r.restarts),
                _ => num(r.warnings),
            }
        }
        ListView::Pods => {
            let r = f.pods.get(i)?;
            match col {
                "NAMESPACE" => text(&r.namespace),
                "NAME" => text(&r.name),
                "STATUS" => text(&r.status),
                "RESTARTS" => num(r.restarts),
                "AGE" => num(-(r.created as f64)),
                "NODE" => text(r.node.as_deref().unwrap_or("")),
                _ => num(r.cpu_m.unwrap_or(-1.0)),
            }
        }
        ListView::Hpas => {
            let r = f.hpas.get(i)?;
            match col {
                "NAMESPACE" => text(&r.namespace),
                "NAME" => text(&r.name),
                _ => num(r.current),
            }
        }
        ListView::Events => {
            let r = f.events.get(i)?;
            match col {
                "LAST" => num(r.last as f64),
                "TYPE" => num(u8::from(r.warning)),
                "NAMESPACE" => text(&r.namespace),
                "REASON" => text(&r.reason),
                "OBJECT" => text(&r.object),
                _ => num(r.count),
            }
        }
        ListView::Services => {
            let r = f.services.get(i)?;
            match col {
                "NAMESPACE" => text(&r.namespace),
                "NAME" => text(&r.name),
                "TYPE" => text(&r.type_),
                _ => num(r.ready as f64),
            }
        }
        ListView::Resources => {
            let r = f.usage.get(i)?;
            match col {
                "NAMESPACE" => text(&r.namespace),
                "NAME" => text(&r.name),
                "CPU" => num(r.cpu_m),
                _ => num(r.mem),
            }
        }
        ListView::Health => {
            let r = f.health.get(i)?;
            match col {
                "NAMESPACE" => text(&r.key.namespace),
                "WORKLOAD" => text(&r.key.workload),
                "STATE" => text(r.state.label()),
                _ => num(r.failures),
            }
        }
        ListView::Backups => {
            let r = f.backups.get(i)?;
            match col {
                "NAMESPACE" => text(&r.namespace),
                "NAME" => text(&r.name),
                _ => num(r.last_success.map_or(f64::MIN, |t| t as f64)),
            }
        }
        ListView::Alerts => {
            let r = f.alerts.get(i)?;
            match col {
                "NAMESPACE" => text(&r.namespace),
                "ALERT" => text(&r.alert.name),
                _ => num(-(r.alert.starts.unwrap_or(0) as f64)),
            }
        }
        ListView::Kind(k) => {
            let r = f.kinds.get(&k)?.get(i)?;
            match col {
                "NAMESPACE" => text(&r.key.0),
                _ => text(&r.key.1),
            }
        }
        ListView::Table(_) => {
            let (_, key) = f.table.get(i)?;
            match col {
                "NAMESPACE" => text(&key.0),
                _ => text(&key.1),
            }
        }
    })
}

fn compare(a: &Option<Val>, b: &Option<Val>) -> Ordering {
    match (a, b) {
        (Some(Val::Text(x)), Some(Val::Text(y))) => x.cmp(y),
        // Larger first.
        (Some(Val::Num(x)), Some(Val::Num(y))) => y.partial_cmp(x).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

/// Orders `visible` (row indices) by `sort` (stable: ties keep the view's order).
pub fn apply(visible: &mut [usize], view: ListView, f: &Fleet, sort: Option<Sort>) {
    let Some(sort) = sort else { return };
    let Some(col) = columns(view).get(sort.column) else {
        return;
    };
    let mut keyed: Vec<(Option<Val>, usize)> = visible
        .iter()
        .map(|&i| (value(view, f, i, col), i))
        .collect();
    keyed.sort_by(|a, b| {
        let o = compare(&a.0, &b.0);
        if sort.reversed { o.reverse() } else { o }
    });
    for (slot, (_, i)) in visible.iter_mut().zip(keyed) {
        *slot = i;
    }
}

/// The next sort after `now` (`o`): the next column, then back to the view's order.
pub fn next(view: ListView, now: Option<Sort>) -> Option<Sort> {
    let n = columns(view).len();
    match now {
        None if n > 0 => Some(Sort {
            column: 0,
            reversed: false,
        }),
        Some(s) if s.column + 1 < n => Some(Sort {
            column: s.column + 1,
            reversed: false,
        }),
        _ => None,
    }
}

/// `↑NAME` / `↓LAST` for the header (the arrow: first rows are the smallest / the
/// largest).
pub fn label(view: ListView, sort: Sort) -> String {
    let col = columns(view).get(sort.column).copied().unwrap_or("?");
    let numeric = !matches!(
        col,
        "NAMESPACE"
            | "NAME"
            | "STATUS"
            | "NODE"
            | "REASON"
            | "OBJECT"
            | "TYPE"
            | "WORKLOAD"
            | "STATE"
            | "ALERT"
    ) || (view == ListView::Events && col == "TYPE");
    let descending = numeric != sort.reversed;
    format!("{}{col}", if descending { "↓" } else { "↑" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_sort_by_any_column_and_back() {
        let mut s = crate::app::testkit::state();
        // Pod rows are built while the pods view is shown.
        let _ = s.step(crate::app::Event::Command(
            crate::app::command::Command::ViewPods,
        ));
        let f = &s.fleet;
        assert!(f.pods.len() > 3, "{}", f.pods.len());
        let view = ListView::Pods;
        let all: Vec<usize> = (0..f.pods.len()).collect();
        let names = |v: &[usize]| {
            v.iter()
                .map(|&i| f.pods[i].name.to_string())
                .collect::<Vec<_>>()
        };
        let by_name = Some(Sort {
            column: 1,
            reversed: false,
        });
        let mut v = all.clone();
        apply(&mut v, view, f, by_name);
        let got = names(&v);
        let mut want = got.clone();
        want.sort();
        assert_eq!(got, want);
        // Reversed.
        let mut r = all.clone();
        apply(
            &mut r,
            view,
            f,
            Some(Sort {
                column: 1,
                reversed: true,
            }),
        );
        want.reverse();
        assert_eq!(names(&r), want);
        // Restarts: the most first.
        let mut m = all.clone();
        apply(
            &mut m,
            view,
            f,
            Some(Sort {
                column: 3,
                reversed: false,
            }),
        );
        assert_eq!(f.pods[m[0]].name.as_ref(), "api-new-1");
        // o walks the columns, then back to the view's own order.
        let mut sort = None;
        for _ in 0..columns(view).len() {
            sort = next(view, sort);
            assert!(sort.is_some());
        }
        assert_eq!(next(view, sort), None);
        assert_eq!(
            label(
                view,
                Sort {
                    column: 1,
                    reversed: false
                }
            ),
            "↑NAME"
        );
        assert_eq!(
            label(
                view,
                Sort {
                    column: 3,
                    reversed: false
                }
            ),
            "↓RESTARTS"
        );
        assert_eq!(
            label(
                ListView::Events,
                Sort {
                    column: 0,
                    reversed: true
                }
            ),
            "↑LAST"
        );
    }

    #[test]
    fn o_sorts_the_list_on_screen_and_capital_o_reverses_it() {
        use crate::app::Event;
        use crate::app::command::Command;
        use crate::config::keymap::Key;
        let mut s = crate::app::testkit::state();
        let _ = s.step(Event::Command(Command::ViewPods));
        for c in ['o', 'o'] {
            let _ = s.step(Event::Key(Key::char(c)));
        }
        let names = |s: &crate::app::Console| {
            let l = s.list().expect("a list");
            l.visible
                .iter()
                .map(|&i| s.fleet.pods[i].name.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(s.list().and_then(|l| l.sort).map(|x| x.column), Some(1));
        let mut want = names(&s);
        want.sort();
        assert_eq!(names(&s), want);
        let _ = s.step(Event::Key(Key::char('O')));
        want.reverse();
        assert_eq!(names(&s), want);
        assert!(s.notice.as_ref().is_some_and(|n| n.text.contains("NAME")));
    }
}
