//! From the model's VirtualService to the engine's rules, with Istio's
//! ResolveVirtualServiceShortnames applied (destination hosts and gateway
//! names resolved in the VirtualService's namespace).

use serde_json::{json, Map, Value};

use super::pattern::Pattern;
use super::rule::{Action, Cond, Dest, Rule};
use crate::model::virtual_service::{
    Destination, HttpMatch, HttpRoute, RouteDestination, StringMatch,
};
use crate::model::{Host, VirtualService};

/// Istio's resolveGatewayName: `name` and `./name` are in the
/// VirtualService's namespace, `ns/name` stays, the legacy
/// `name.ns.svc.cluster.local` becomes `ns/name`; `mesh` stays.
pub fn resolve_gateway(raw: &str, namespace: &str) -> String {
    if raw == "mesh" {
        return raw.to_string();
    }
    match raw.split_once('/') {
        Some((".", name)) => format!("{namespace}/{name}"),
        Some(_) => raw.to_string(),
        None => match raw.split_once('.') {
            None => format!("{namespace}/{raw}"),
            Some((name, rest)) => {
                let ns = rest.split('.').next().unwrap_or(rest);
                format!("{ns}/{name}")
            }
        },
    }
}

fn pattern(m: &StringMatch, header: bool) -> Pattern {
    match m {
        StringMatch::Exact(s) => Pattern::exact(s),
        StringMatch::Prefix(s) => Pattern::prefix(s),
        StringMatch::Regex(s) if header => Pattern::header_regex(s),
        StringMatch::Regex(s) => Pattern::regex(s),
        StringMatch::Present => Pattern::present(),
    }
}

fn cond(m: &HttpMatch, namespace: &str) -> Cond {
    let map = |v: &[(String, crate::model::Located<StringMatch>)]| {
        let mut out: Vec<(String, Pattern)> = v
            .iter()
            .map(|(k, p)| (k.to_ascii_lowercase(), pattern(&p.value, true)))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    };
    Cond {
        index: m.index,
        name: m.name.clone(),
        line: m.at.span.line,
        uri: m.uri.as_ref().map(|p| pattern(&p.value, false)),
        scheme: m.scheme.as_ref().map(|p| pattern(&p.value, true)),
        method: m.method.as_ref().map(|p| pattern(&p.value, true)),
        authority: m.authority.as_ref().map(|p| pattern(&p.value, true)),
        headers: map(&m.headers),
        without_headers: map(&m.without_headers),
        query_params: map(&m.query_params),
        // Istio treats port 0 as "no port".
        port: m.port.as_ref().map(|p| p.value).filter(|p| *p != 0),
        source_labels: m.source_labels.clone(),
        source_namespace: m
            .source_namespace
            .as_ref()
            .map(|s| s.value.clone())
            .filter(|s| !s.is_empty()),
        gateways: m
            .gateways
            .iter()
            .map(|g| resolve_gateway(g, namespace))
            .collect(),
        ignore_uri_case: m.ignore_uri_case,
    }
}

/// A destination as written (camelCase), for the output and for
/// istio-config-validator's comparisons.
pub fn destination_json(d: &Destination) -> Value {
    let mut m = Map::new();
    m.insert("host".into(), Value::from(d.host.value.clone()));
    if let Some(s) = &d.subset {
        m.insert("subset".into(), Value::from(s.value.clone()));
    }
    if let Some(p) = &d.port {
        m.insert("port".into(), json!({"number": p.value}));
    }
    Value::Object(m)
}

fn rule(r: &HttpRoute, namespace: &str, file: &str) -> Rule {
    let route: Vec<Value> = r
        .route
        .iter()
        .map(|d| {
            let mut m = Map::new();
            m.insert("destination".into(), destination_json(&d.destination));
            if let Some(w) = &d.weight {
                m.insert("weight".into(), Value::from(w.value));
            }
            if let Some(h) = &d.headers {
                m.insert("headers".into(), h.value.clone());
            }
            Value::Object(m)
        })
        .collect();
    let mirrors: Vec<Value> = r
        .mirrors
        .iter()
        .map(|m| {
            let mut o = Map::new();
            o.insert("destination".into(), destination_json(&m.destination));
            if let Some(p) = &m.percentage {
                o.insert("percentage".into(), p.value.clone());
            }
            Value::Object(o)
        })
        .collect();
    let json = |v: &Option<crate::model::loc::Json>| v.as_ref().map(|v| v.value.clone());
    Rule {
        index: r.index,
        name: r.name.as_ref().map(|n| n.value.clone()),
        file: file.to_string(),
        line: r.at.span.line,
        matches: r.matches.iter().map(|m| cond(m, namespace)).collect(),
        dests: dests(&r.route, namespace),
        action: Action {
            route: (!r.route.is_empty()).then_some(Value::Array(route)),
            redirect: json(&r.redirect),
            direct_response: json(&r.direct_response),
            rewrite: json(&r.rewrite),
            timeout: r.timeout.as_ref().map(|t| Value::from(t.value.clone())),
            retries: json(&r.retries),
            fault: json(&r.fault),
            mirror: r.mirror.as_ref().map(destination_json),
            mirrors: (!mirrors.is_empty()).then_some(Value::Array(mirrors)),
            mirror_percentage: json(&r.mirror_percentage),
            mirror_percent: json(&r.mirror_percent),
            cors_policy: json(&r.cors_policy),
            headers: json(&r.headers),
        },
        delegate_of: None,
    }
}

/// The destinations of a route (HTTP, TCP or TLS), hosts resolved in the
/// VirtualService's namespace.
pub fn dests(route: &[RouteDestination], namespace: &str) -> Vec<Dest> {
    route
        .iter()
        .map(|d| Dest {
            host: Host::resolve(&d.destination.host.value, namespace)
                .as_str()
                .to_string(),
            subset: d.destination.subset.as_ref().map(|s| s.value.clone()),
            port: d.destination.port.as_ref().map(|p| p.value),
            weight: d.weight.as_ref().map(|w| w.value),
        })
        .collect()
}

/// The HTTP rules of a VirtualService as written (no delegate merge), each
/// with its `delegate` if it has one.
pub fn rules(vs: &VirtualService, namespace: &str) -> Vec<(Rule, Option<(String, String)>)> {
    vs.http
        .iter()
        .map(|r| {
            let delegate = r.delegate.as_ref().map(|d| {
                let ns = d
                    .namespace
                    .as_ref()
                    .map(|n| n.value.clone())
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| namespace.to_string());
                (ns, d.name.value.clone())
            });
            (rule(r, namespace, &vs.meta.file), delegate)
        })
        .collect()
}

/// The `delegate` of a root rule as written, for the validator's `delegate`.
pub fn delegate_json(r: &HttpRoute) -> Option<Value> {
    let d = r.delegate.as_ref()?;
    let mut m = Map::new();
    m.insert("name".into(), Value::from(d.name.value.clone()));
    if let Some(ns) = &d.namespace {
        m.insert("namespace".into(), Value::from(ns.value.clone()));
    }
    Some(Value::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_names_resolve_as_istio() {
        // Restated from pilot/pkg/model/virtualservice_test.go TestResolveGatewayName.
        assert_eq!(resolve_gateway("./gateway", "default"), "default/gateway");
        assert_eq!(resolve_gateway("gateway", "default"), "default/gateway");
        assert_eq!(resolve_gateway("default/gateway", "foo"), "default/gateway");
        assert_eq!(
            resolve_gateway("gateway.default", "default"),
            "default/gateway"
        );
        assert_eq!(resolve_gateway("gateway.default", "foo"), "default/gateway");
        assert_eq!(
            resolve_gateway("private.ingress.svc.cluster.local", "foo"),
            "ingress/private"
        );
        assert_eq!(resolve_gateway("mesh", "default"), "mesh");
    }
}
