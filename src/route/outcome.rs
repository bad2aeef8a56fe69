//! Where a request went: the answer of `istiolint route`, its JSON form and
//! the trace of how it was found.

use serde::Serialize;
use serde_json::Value;

/// The VirtualService that answered.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct VsRef {
    pub namespace: String,
    pub name: String,
    pub file: String,
    pub line: u32,
}

/// The rule (`http[index]`) and the match inside it that answered.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RouteRef {
    pub index: usize,
    pub name: Option<String>,
    pub match_index: Option<usize>,
    /// Where the rule is written (the delegate's rule after a delegate merge).
    #[serde(skip)]
    pub file: String,
    #[serde(skip)]
    pub line: u32,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Destination {
    /// Resolved as Istio resolves it (short names in the VirtualService's namespace).
    pub host: String,
    pub subset: Option<String>,
    pub port: Option<u32>,
    pub weight: Option<i64>,
    /// The share of requests: weight over the sum of the non-zero weights
    /// (100 for a single destination, whatever its weight).
    pub percent: f64,
}

/// One line of the trace, shown by the human output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub text: String,
    /// `file:line` it refers to, if any.
    pub at: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Outcome {
    pub matched: bool,
    pub virtual_service: Option<VsRef>,
    pub route: Option<RouteRef>,
    pub destinations: Vec<Destination>,
    pub clusters: Vec<String>,
    pub redirect: Option<Value>,
    pub direct_response: Option<Value>,
    pub rewrite: Option<Value>,
    pub fault: Option<Value>,
    pub timeout: Option<Value>,
    pub retries: Option<Value>,
    pub mirrors: Vec<Value>,
    pub headers: Option<Value>,
    pub status: u16,
    /// The answering rule's `route` as written (istio-config-validator compares it).
    #[serde(skip)]
    pub written_route: Option<Value>,
    /// The `delegate` of the root rule a merged rule came from, as written.
    #[serde(skip)]
    pub delegate: Option<Value>,
    #[serde(skip)]
    pub decision: String,
    #[serde(skip)]
    pub trace: Vec<Step>,
}

impl Outcome {
    /// No route: Envoy answers 404 (NR).
    pub fn not_routed(decision: String, trace: Vec<Step>) -> Outcome {
        Outcome {
            matched: false,
            virtual_service: None,
            route: None,
            destinations: Vec::new(),
            clusters: Vec::new(),
            redirect: None,
            direct_response: None,
            rewrite: None,
            fault: None,
            timeout: None,
            retries: None,
            mirrors: Vec::new(),
            headers: None,
            status: 404,
            written_route: None,
            delegate: None,
            decision,
            trace,
        }
    }

    /// The JSON document of `--format json`.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// Envoy's outbound cluster name (Istio model.BuildSubsetKey).
pub fn cluster_name(port: u32, subset: Option<&str>, fqdn: &str) -> String {
    format!("outbound|{port}|{}|{fqdn}", subset.unwrap_or(""))
}

/// The status Envoy answers with for a route: a redirect's code (301 by
/// default), a direct response's status, an abort injected for every
/// request, else 200 (forwarded).
pub fn status_of(redirect: Option<&Value>, direct: Option<&Value>, fault: Option<&Value>) -> u16 {
    if let Some(r) = redirect {
        return r["redirectCode"]
            .as_u64()
            .filter(|c| *c != 0)
            .map_or(301, |c| c as u16);
    }
    if let Some(d) = direct {
        return d["status"].as_u64().map_or(200, |c| c as u16);
    }
    if let Some(abort) = fault.map(|f| &f["abort"]) {
        // Istio: an abort without percentage aborts nothing.
        let all = abort["percentage"]["value"]
            .as_f64()
            .is_some_and(|p| p >= 100.0);
        if let (true, Some(code)) = (all, abort["httpStatus"].as_u64()) {
            return code as u16;
        }
    }
    200
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cluster_names_as_envoy() {
        assert_eq!(
            cluster_name(
                8080,
                Some("version-v2"),
                "recommendation.tutorial.svc.cluster.local"
            ),
            "outbound|8080|version-v2|recommendation.tutorial.svc.cluster.local"
        );
        assert_eq!(
            cluster_name(80, None, "a.b.svc.cluster.local"),
            "outbound|80||a.b.svc.cluster.local"
        );
    }

    #[test]
    fn statuses() {
        assert_eq!(status_of(Some(&json!({"uri": "/"})), None, None), 301);
        assert_eq!(
            status_of(Some(&json!({"redirectCode": 302})), None, None),
            302
        );
        assert_eq!(status_of(None, Some(&json!({"status": 503})), None), 503);
        let half = json!({"abort": {"httpStatus": 503, "percentage": {"value": 50}}});
        assert_eq!(status_of(None, None, Some(&half)), 200);
        let all = json!({"abort": {"httpStatus": 403, "percentage": {"value": 100}}});
        assert_eq!(status_of(None, None, Some(&all)), 403);
        let none = json!({"abort": {"httpStatus": 403}});
        assert_eq!(status_of(None, None, Some(&none)), 200);
    }
}
