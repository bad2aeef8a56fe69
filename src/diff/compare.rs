//! Structured changes between two normalised objects, and the traffic
//! summary in plain words.

use serde::Serialize;
use serde_json::Value;

use crate::yaml::escape_pointer_token;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub pointer: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

pub fn changes(old: &Value, new: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    walk(old, new, String::new(), &mut out);
    out
}

fn walk(old: &Value, new: &Value, at: String, out: &mut Vec<Change>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = format!("{at}/{}", escape_pointer_token(k));
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => walk(x, y, p, out),
                    (x, y) => out.push(Change {
                        pointer: p,
                        old: x.cloned(),
                        new: y.cloned(),
                    }),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let p = format!("{at}/{i}");
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => walk(x, y, p, out),
                    (x, y) => out.push(Change {
                        pointer: p,
                        old: x.cloned(),
                        new: y.cloned(),
                    }),
                }
            }
        }
        (a, b) if a != b => out.push(Change {
            pointer: at,
            old: Some(a.clone()),
            new: Some(b.clone()),
        }),
        _ => {}
    }
}

/// "version-v1 50% -> 75%, version-v2 50% -> 25%" for a VirtualService;
/// "outlierDetection.consecutive5xxErrors 1 -> 3" for a DestinationRule,
/// then what changes in effect ("version-v2: 1 -> 3 concurrent requests per
/// client proxy", computed by `explain`).
pub fn traffic_summary(kind: &str, old: &Value, new: &Value, changes: &[Change]) -> Vec<String> {
    match kind {
        "VirtualService" => routes_summary(old, new),
        "DestinationRule" => {
            let mut out = policy_summary(new, changes);
            out.extend(crate::explain::effect::policy_effects(old, new));
            out
        }
        _ => Vec::new(),
    }
}

fn routes_summary(old: &Value, new: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let (old_shares, new_shares) = (route_shares(old), route_shares(new));
    for section in ["http", "tcp", "tls"] {
        let (a, b) = (&old["spec"][section], &new["spec"][section]);
        let n = a
            .as_array()
            .map_or(0, Vec::len)
            .max(b.as_array().map_or(0, Vec::len));
        let of = |all: &[(&str, Vec<Shares>)], i: usize| {
            all.iter()
                .find(|(s, _)| *s == section)
                .and_then(|(_, rules)| rules.get(i).cloned())
                .unwrap_or_default()
        };
        for i in 0..n {
            let (sa, sb) = (of(&old_shares, i), of(&new_shares, i));
            if sa == sb {
                continue;
            }
            let mut names: Vec<&String> = sa.iter().chain(&sb).map(|(n, _)| n).collect();
            names.dedup();
            let mut seen = Vec::new();
            let parts: Vec<String> = names
                .into_iter()
                .filter(|n| {
                    let fresh = !seen.contains(n);
                    seen.push(*n);
                    fresh
                })
                .map(|n| {
                    let find =
                        |s: &[(String, f64)]| s.iter().find(|(x, _)| x == n).map(|(_, w)| *w);
                    match (find(&sa), find(&sb)) {
                        (Some(x), Some(y)) if x == y => format!("{n} {}", pct(x)),
                        (Some(x), Some(y)) => format!("{n} {} -> {}", pct(x), pct(y)),
                        (None, Some(y)) => format!("{n} new {}", pct(y)),
                        (Some(x), None) => format!("{n} {} -> removed", pct(x)),
                        (None, None) => unreachable!(),
                    }
                })
                .collect();
            let prefix = if n > 1 || section != "http" {
                format!("{section}[{i}] ")
            } else {
                String::new()
            };
            out.push(format!("{prefix}{}", parts.join(", ")));
        }
    }
    out
}

/// The destinations of one rule, by name, with their share in percent.
type Shares = Vec<(String, f64)>;

/// Each destination's share of every route of a VirtualService, per
/// section (`http`, `tcp`, `tls`), through the route module: the model reads
/// the routes as `check` does and `route::answer::shares` splits them as
/// `istiolint route` does (a destination without a positive weight among
/// several gets 0%). A destination is named by its subset, else its host as
/// written.
fn route_shares(vs: &Value) -> Vec<(&'static str, Vec<Shares>)> {
    let Some(crate::model::Model::VirtualService(model)) = crate::explain::effect::model_of(vs)
    else {
        return Vec::new();
    };
    let ns = model.meta.namespace_or("default").to_string();
    let one = |route: &[crate::model::virtual_service::RouteDestination]| {
        let dests = crate::route::compile::dests(route, &ns);
        let shares = crate::route::answer::shares(&dests);
        route
            .iter()
            .zip(shares)
            .map(|(d, share)| {
                let dest = &d.destination;
                let name = dest.subset.as_ref().unwrap_or(&dest.host).value.clone();
                (name, share.unwrap_or(0.0))
            })
            .collect::<Vec<_>>()
    };
    // Rules by their index in the section (the model skips malformed ones).
    let by_index = |routes: Vec<(usize, Shares)>| {
        let n = routes.iter().map(|(i, _)| i + 1).max().unwrap_or(0);
        let mut out: Vec<Shares> = vec![Vec::new(); n];
        for (i, s) in routes {
            out[i] = s;
        }
        out
    };
    vec![
        (
            "http",
            by_index(
                model
                    .http
                    .iter()
                    .map(|r| (r.index, one(&r.route)))
                    .collect(),
            ),
        ),
        (
            "tcp",
            by_index(model.tcp.iter().map(|r| (r.index, one(&r.route))).collect()),
        ),
        (
            "tls",
            by_index(model.tls.iter().map(|r| (r.index, one(&r.route))).collect()),
        ),
    ]
}

fn pct(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{}%", x.round())
    } else {
        format!("{x:.1}%")
    }
}

/// A change of a whole map or list, as one change per leaf value: a
/// trafficPolicy that moves into a subset reads field by field.
fn leaves(c: &Change) -> Vec<Change> {
    fn walk(v: &Value, at: String, out: &mut Vec<(String, Value)>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, child) in m {
                    walk(child, format!("{at}/{}", escape_pointer_token(k)), out);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for (i, child) in a.iter().enumerate() {
                    walk(child, format!("{at}/{i}"), out);
                }
            }
            other => out.push((at, other.clone())),
        }
    }
    let structured = |v: &Option<Value>| matches!(v, Some(Value::Object(_) | Value::Array(_)));
    if !structured(&c.old) && !structured(&c.new) {
        return vec![c.clone()];
    }
    let mut out = Vec::new();
    for (side, v) in [(0, &c.old), (1, &c.new)] {
        let mut found = Vec::new();
        if let Some(v) = v {
            walk(v, c.pointer.clone(), &mut found);
        }
        for (pointer, leaf) in found {
            let (old, new) = if side == 0 {
                (Some(leaf), None)
            } else {
                (None, Some(leaf))
            };
            out.push(Change { pointer, old, new });
        }
    }
    out
}

fn policy_summary(new: &Value, changes: &[Change]) -> Vec<String> {
    let mut out = Vec::new();
    let mut expanded = Vec::new();
    for c in changes {
        let whole_subset =
            c.pointer.split('/').count() == 4 && c.pointer.starts_with("/spec/subsets/");
        if whole_subset {
            expanded.push(c.clone());
        } else {
            expanded.extend(leaves(c));
        }
    }
    for c in &expanded {
        let parts: Vec<&str> = c.pointer.trim_start_matches('/').split('/').collect();
        let Some(tp) = parts.iter().position(|p| *p == "trafficPolicy") else {
            if parts.len() == 3 && parts[..2] == ["spec", "subsets"] {
                let name = |v: &Option<Value>| {
                    v.as_ref()
                        .and_then(|s| s["name"].as_str().map(str::to_string))
                };
                match (name(&c.old), name(&c.new)) {
                    (None, Some(n)) => out.push(format!("subset {n} added")),
                    (Some(o), None) => out.push(format!("subset {o} removed")),
                    _ => {}
                }
            }
            continue;
        };
        let scope = if parts.get(1) == Some(&"subsets") {
            let i: usize = parts.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);
            let name = new["spec"]["subsets"][i]["name"].as_str().unwrap_or("?");
            format!("subset {name}: ")
        } else {
            String::new()
        };
        // Host-wide settings read as `trafficPolicy.x` when the change is
        // about the policy itself, never as an empty label.
        let field = match parts[tp + 1..].join(".") {
            f if f.is_empty() => "trafficPolicy".to_string(),
            f => f,
        };
        let show = |v: &Option<Value>| {
            v.as_ref().map_or("unset".to_string(), |v| {
                v.to_string().trim_matches('"').to_string()
            })
        };
        out.push(format!(
            "{scope}{field} {} -> {}",
            show(&c.old),
            show(&c.new)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vs(w1: i64, w2: i64) -> Value {
        json!({"kind": "VirtualService", "metadata": {"name": "r"}, "spec": {"http": [{"route": [
            {"destination": {"host": "r", "subset": "version-v1"}, "weight": w1},
            {"destination": {"host": "r", "subset": "version-v2"}, "weight": w2}]}]}})
    }

    #[test]
    fn shares_are_the_route_modules() {
        // A zero weight among several gets no cluster: 0%, as `route` says;
        // the rest share by weight over their total.
        let (a, b) = (vs(100, 0), vs(3, 1));
        let c = changes(&a, &b);
        assert_eq!(
            traffic_summary("VirtualService", &a, &b, &c),
            vec!["version-v1 100% -> 75%, version-v2 0% -> 25%"]
        );
        // A TCP route and a host without subset, named as written.
        let tcp = |w: i64| {
            json!({"kind": "VirtualService", "metadata": {"name": "db"}, "spec": {"tcp": [{"route": [
                {"destination": {"host": "db-a"}, "weight": w},
                {"destination": {"host": "db-b"}, "weight": 100 - w}]}]}})
        };
        let (a, b) = (tcp(90), tcp(60));
        assert_eq!(
            traffic_summary("VirtualService", &a, &b, &changes(&a, &b)),
            vec!["tcp[0] db-a 90% -> 60%, db-b 10% -> 40%"]
        );
    }

    #[test]
    fn weights_in_plain_words() {
        let (a, b) = (vs(50, 50), vs(75, 25));
        let c = changes(&a, &b);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].pointer, "/spec/http/0/route/0/weight");
        assert_eq!(
            traffic_summary("VirtualService", &a, &b, &c),
            vec!["version-v1 50% -> 75%, version-v2 50% -> 25%"]
        );
    }

    #[test]
    fn a_policy_moved_into_a_subset_reads_field_by_field() {
        let pool = json!({"connectionPool": {"tcp": {"maxConnections": 1}}});
        let a = json!({"spec": {"trafficPolicy": pool, "subsets": [{"name": "version-v2"}]}});
        let b = json!({"spec": {"subsets": [{"name": "version-v2", "trafficPolicy": pool}]}});
        let c = changes(&a, &b);
        assert_eq!(
            traffic_summary("DestinationRule", &a, &b, &c),
            vec![
                "subset version-v2: connectionPool.tcp.maxConnections unset -> 1",
                "connectionPool.tcp.maxConnections 1 -> unset",
            ]
        );
    }

    #[test]
    fn breaker_in_plain_words() {
        let a =
            json!({"spec": {"trafficPolicy": {"outlierDetection": {"consecutive5xxErrors": 1}}}});
        let b =
            json!({"spec": {"trafficPolicy": {"outlierDetection": {"consecutive5xxErrors": 3}}}});
        let c = changes(&a, &b);
        assert_eq!(
            traffic_summary("DestinationRule", &a, &b, &c),
            vec!["outlierDetection.consecutive5xxErrors 1 -> 3"]
        );
    }
}
