//! What does not count as a change: server-set metadata, status, the
//! apiVersion (v1alpha3/v1beta1/v1 share one schema), key order, duration
//! spellings, and empty versus absent optional fields.

use serde_json::Value;

use crate::duration;

const SERVER_FIELDS: &[&str] = &[
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "selfLink",
];
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The comparable form of an object.
pub fn normalize(object: &Value, default_namespace: &str, ignore_paths: &[String]) -> Value {
    let mut v = object.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("status");
        o.remove("apiVersion");
        if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
            for f in SERVER_FIELDS {
                meta.remove(*f);
            }
            if let Some(a) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
                a.remove(LAST_APPLIED);
            }
            if !meta.contains_key("namespace") {
                meta.insert("namespace".into(), Value::String(default_namespace.into()));
            }
        }
    }
    for p in ignore_paths {
        remove_pointer(&mut v, p);
    }
    normalize_values(&mut v, None);
    prune(&mut v);
    v
}

fn normalize_values(v: &mut Value, key: Option<&str>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                normalize_values(child, Some(k));
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|c| normalize_values(c, None)),
        Value::String(s) if key.is_some_and(|k| duration::FIELDS.contains(&k)) => {
            if let Ok(n) = duration::parse(s) {
                *s = duration::format(n);
            }
        }
        _ => {}
    }
}

/// Drops nulls, empty maps and empty lists (Istio treats them as absent).
fn prune(v: &mut Value) -> bool {
    match v {
        Value::Null => false,
        Value::Object(m) => {
            let keys: Vec<String> = m.keys().cloned().collect();
            for k in keys {
                let keep = m.get_mut(&k).is_some_and(prune);
                if !keep {
                    m.remove(&k);
                }
            }
            !m.is_empty()
        }
        Value::Array(a) => {
            for c in a.iter_mut() {
                prune(c);
            }
            !a.is_empty()
        }
        _ => true,
    }
}

/// The unescaped tokens of a JSON pointer.
fn tokens(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Removes what the pointer names; a `*` token stands for every key or index.
fn remove_pointer(v: &mut Value, pointer: &str) {
    remove_at(v, &tokens(pointer));
}

fn remove_at(v: &mut Value, tokens: &[String]) {
    let Some((first, rest)) = tokens.split_first() else {
        return;
    };
    let last = rest.is_empty();
    match v {
        Value::Object(m) if first == "*" => {
            if last {
                m.clear();
            } else {
                m.values_mut().for_each(|c| remove_at(c, rest));
            }
        }
        Value::Object(m) if last => {
            m.remove(first);
        }
        Value::Object(m) => {
            if let Some(c) = m.get_mut(first) {
                remove_at(c, rest);
            }
        }
        // List items become null (pruned later) so later indexes keep their place.
        Value::Array(a) if first == "*" => {
            if last {
                a.iter_mut().for_each(|c| *c = Value::Null);
            } else {
                a.iter_mut().for_each(|c| remove_at(c, rest));
            }
        }
        Value::Array(a) => {
            if let Some(c) = first.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                if last {
                    *c = Value::Null;
                } else {
                    remove_at(c, rest);
                }
            }
        }
        _ => {}
    }
}

/// Whether the pointer (with `*` tokens) names anything in the object.
pub fn pointer_matches(v: &Value, pointer: &str) -> bool {
    fn at(v: &Value, tokens: &[String]) -> bool {
        let Some((first, rest)) = tokens.split_first() else {
            return true;
        };
        match v {
            Value::Object(m) if first == "*" => m.values().any(|c| at(c, rest)),
            Value::Object(m) => m.get(first).is_some_and(|c| at(c, rest)),
            Value::Array(a) if first == "*" => a.iter().any(|c| at(c, rest)),
            Value::Array(a) => first
                .parse::<usize>()
                .ok()
                .and_then(|i| a.get(i))
                .is_some_and(|c| at(c, rest)),
            _ => false,
        }
    }
    at(v, &tokens(pointer))
}

pub use crate::emit::sorted;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_fields_versions_durations_and_empties() {
        let applied = json!({
            "apiVersion": "networking.istio.io/v1beta1", "kind": "DestinationRule",
            "metadata": {"name": "r", "namespace": "t", "uid": "x", "resourceVersion": "9", "generation": 2,
                "creationTimestamp": "2024-01-01T00:00:00Z", "managedFields": [{}],
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            "spec": {"host": "r", "trafficPolicy": {"outlierDetection": {"interval": "1.000s", "baseEjectionTime": "180s"}}, "exportTo": []},
            "status": {"conditions": []}
        });
        let local = json!({
            "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
            "metadata": {"name": "r"},
            "spec": {"trafficPolicy": {"outlierDetection": {"baseEjectionTime": "3m", "interval": "1s"}}, "host": "r"}
        });
        assert_eq!(normalize(&applied, "t", &[]), normalize(&local, "t", &[]));
    }

    #[test]
    fn ignore_paths() {
        let a = json!({"kind": "VirtualService", "metadata": {"name": "r"}, "spec": {"http": [{"route": [{"weight": 10}, {"weight": 90}]}]}});
        let b = json!({"kind": "VirtualService", "metadata": {"name": "r"}, "spec": {"http": [{"route": [{"weight": 50}, {"weight": 50}]}]}});
        let ignore = vec![
            "/spec/http/0/route/0/weight".to_string(),
            "/spec/http/0/route/1/weight".to_string(),
        ];
        assert_eq!(normalize(&a, "d", &ignore), normalize(&b, "d", &ignore));
        let star = vec!["/spec/http/*/route/*/weight".to_string()];
        assert_eq!(normalize(&a, "d", &star), normalize(&b, "d", &star));
        assert!(pointer_matches(&a, "/spec/http/*/route/*/weight"));
        assert!(pointer_matches(&a, "/spec/http/0/route/1/weight"));
        assert!(!pointer_matches(&a, "/spec/http/0/route/2/weight"));
        assert!(!pointer_matches(&a, "/spec/tcp/*/route"));
    }
}
