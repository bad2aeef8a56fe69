//! What a DestinationRule change does, for `diff`'s traffic summary:
//! "version-v2: 1 -> 3 concurrent requests per client proxy; ejection
//! 100% -> 50%". Both versions go through the same merge and cluster
//! computation as `explain`.

use serde_json::Value;

use super::cluster::{compute, ClusterSettings};
use crate::model::traffic_policy_merge::EffectivePolicy;
use crate::model::{DestinationRule, Model};

/// The model of a (normalised) Istio networking object, as `check` reads
/// it. The diff's normal form drops apiVersion (all versions share one
/// schema).
pub fn model_of(v: &Value) -> Option<Model> {
    let mut v = v.clone();
    v.as_object_mut()?
        .insert("apiVersion".into(), Value::from("networking.istio.io/v1"));
    let text = crate::emit::to_yaml(&v);
    let objects = crate::diff::load_objects("<diff>", &text).ok()?;
    let file: std::sync::Arc<str> = std::sync::Arc::from("<diff>");
    crate::model::build(objects.first()?, &file)
}

fn rule(v: &Value) -> Option<DestinationRule> {
    match model_of(v)? {
        Model::DestinationRule(d) => Some(d),
        _ => None,
    }
}

/// Clusters of the rule: the default one, then each subset, each on the
/// ports its port-level settings name and on any other port.
fn clusters(dr: &DestinationRule) -> Vec<(String, ClusterSettings)> {
    let mut names: Vec<Option<&str>> = vec![None];
    names.extend(
        dr.subsets
            .iter()
            .filter_map(|s| s.name.as_ref().map(|n| Some(n.value.as_str()))),
    );
    let mut ports = vec![None];
    ports.extend(dr.policy_ports().into_iter().map(Some));
    let mut out = Vec::new();
    for name in &names {
        for port in &ports {
            let mut label = name.unwrap_or("default cluster").to_string();
            if let Some(p) = port {
                label += &format!(" (port {p})");
            }
            out.push((label, compute(&dr.effective_policy(*name, *port))));
        }
    }
    out
}

/// One line per cluster whose behaviour changes.
pub fn policy_effects(old: &Value, new: &Value) -> Vec<String> {
    let (Some(old), Some(new)) = (rule(old), rule(new)) else {
        return Vec::new();
    };
    let defaults = compute(&EffectivePolicy::default());
    let (old, new) = (clusters(&old), clusters(&new));
    let mut labels: Vec<&String> = old.iter().chain(&new).map(|(l, _)| l).collect();
    let mut seen = Vec::new();
    labels.retain(|l| {
        let fresh = !seen.contains(l);
        if fresh {
            seen.push(*l);
        }
        fresh
    });
    let find = |list: &'_ [(String, ClusterSettings)], l: &str| {
        list.iter().find(|(x, _)| x == l).map(|(_, s)| s.clone())
    };
    // Clusters with the same change share one line.
    let all = labels.len();
    let mut grouped: Vec<(Vec<&str>, String)> = Vec::new();
    for l in labels {
        let a = find(&old, l).unwrap_or_else(|| defaults.clone());
        let b = find(&new, l).unwrap_or_else(|| defaults.clone());
        let parts = differences(&a, &b);
        if parts.is_empty() {
            continue;
        }
        let change = parts.join(", ");
        match grouped.iter_mut().find(|(_, c)| *c == change) {
            Some((names, _)) => names.push(l),
            None => grouped.push((vec![l], change)),
        }
    }
    grouped
        .into_iter()
        .map(|(names, change)| {
            let who = if names.len() == all && all > 1 {
                "every cluster".to_string()
            } else {
                names.join(", ")
            };
            super::human::clean(&format!("{who}: {change}"))
        })
        .collect()
}

fn differences(a: &ClusterSettings, b: &ClusterSettings) -> Vec<String> {
    use super::words::count;
    let mut out = Vec::new();
    let (la, lb) = (a.limit.total(), b.limit.total());
    if la != lb {
        out.push(format!(
            "{} -> {} concurrent requests per client proxy",
            count(la),
            count(lb)
        ));
    }
    let conn = |s: &ClusterSettings| {
        s.max_requests_per_connection
            .map_or("unlimited".into(), |n| n.to_string())
    };
    if a.max_requests_per_connection != b.max_requests_per_connection {
        out.push(format!(
            "requests per connection {} -> {}",
            conn(a),
            conn(b)
        ));
    }
    match (&a.outlier_detection, &b.outlier_detection) {
        (None, Some(_)) => out.push("outlier detection on".into()),
        (Some(_), None) => out.push("outlier detection off".into()),
        (Some(x), Some(y)) => {
            if x.consecutive_5xx.value != y.consecutive_5xx.value {
                out.push(format!(
                    "ejection after {} -> {} consecutive 5xx",
                    x.consecutive_5xx.value, y.consecutive_5xx.value
                ));
            }
            if x.max_ejection_percent.value != y.max_ejection_percent.value {
                out.push(format!(
                    "ejection {}% -> {}%",
                    x.max_ejection_percent.value, y.max_ejection_percent.value
                ));
            }
            let d = crate::duration::format;
            if x.base_ejection_time.value != y.base_ejection_time.value {
                out.push(format!(
                    "ejected for {} -> {}",
                    d(x.base_ejection_time.value),
                    d(y.base_ejection_time.value)
                ));
            }
            if x.interval.value != y.interval.value {
                out.push(format!(
                    "checked every {} -> {}",
                    d(x.interval.value),
                    d(y.interval.value)
                ));
            }
        }
        (None, None) => {}
    }
    if a.panic_threshold != b.panic_threshold {
        out.push(format!(
            "panic threshold {}% -> {}%",
            a.panic_threshold, b.panic_threshold
        ));
    }
    if a.load_balancer.value != b.load_balancer.value {
        out.push(format!(
            "load balancer {} -> {}",
            a.load_balancer.value, b.load_balancer.value
        ));
    }
    let tls = |s: &ClusterSettings| s.tls_mode.clone().unwrap_or_else(|| "auto mTLS".into());
    if tls(a) != tls(b) {
        out.push(format!("tls {} -> {}", tls(a), tls(b)));
    }
    out
}
