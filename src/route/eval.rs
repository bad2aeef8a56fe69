//! Evaluating rules for one proxy and one request, in two steps as Istio and
//! Envoy do: which routes Istio builds for this proxy (TranslateRoute: match
//! port, sourceMatchHTTP), then which built route Envoy picks (first match).

use super::outcome::Step;
use super::pattern::Pattern;
use super::request::Request;
use super::rule::{Cond, Rule};

/// The proxy routes are built for.
pub struct Proxy<'a> {
    /// The port of the listener (the request's port on a sidecar, the
    /// server's port on a gateway).
    pub listen_port: u32,
    /// `mesh` for a sidecar; the resolved `namespace/name` of the gateway
    /// whose server is being built.
    pub gateway_name: &'a str,
    pub labels: &'a [(String, String)],
    pub namespace: &'a str,
}

/// Why Istio does not build a route for this match on this proxy, if it does not.
pub fn not_built(c: &Cond, proxy: &Proxy) -> Option<String> {
    if let Some(p) = c.port {
        if p != proxy.listen_port {
            return Some(format!(
                "port {p} (the request is on port {})",
                proxy.listen_port
            ));
        }
    }
    // sourceMatchHTTP: a match naming gateways is decided by them alone (its
    // sourceLabels and sourceNamespace are then not looked at, as in Istio).
    if !c.gateways.is_empty() {
        if c.gateways.iter().any(|g| g == proxy.gateway_name) {
            return None;
        }
        return Some(format!(
            "gateways [{}] (the request is on {})",
            c.gateways.join(", "),
            proxy.gateway_name
        ));
    }
    for (k, v) in &c.source_labels {
        if !proxy.labels.iter().any(|(pk, pv)| pk == k && pv == v) {
            return Some(format!(
                "sourceLabels {k}={v} (the source has {})",
                labels(proxy.labels)
            ));
        }
    }
    if let Some(ns) = &c.source_namespace {
        if ns != proxy.namespace {
            return Some(format!(
                "sourceNamespace {ns} (the source is in {})",
                proxy.namespace
            ));
        }
    }
    None
}

fn labels(l: &[(String, String)]) -> String {
    if l.is_empty() {
        return "no labels".into();
    }
    l.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// One route Envoy gets: a rule and the match it was built from (`None` for
/// a rule without matches).
#[derive(Clone, Copy)]
pub struct Built<'r> {
    pub rule: &'r Rule,
    pub cond: Option<&'r Cond>,
    /// The VirtualService it came from, an index into the caller's list.
    pub vs: usize,
}

impl Built<'_> {
    pub fn is_catch_all(&self) -> bool {
        self.cond.is_none_or(Cond::is_catch_all)
    }
}

/// BuildHTTPRoutesForVirtualService: the routes of one VirtualService for
/// this proxy, stopping after the first catch-all. Each match not built is
/// noted in `trace` with the reason: "`label` http[i] match[j] not built
/// `place`: why" (`place` is "for this proxy" or "on GATEWAY").
pub fn build<'r>(
    rules: &'r [Rule],
    vs: usize,
    proxy: &Proxy,
    (label, place): (&str, &str),
    trace: &mut Vec<Step>,
) -> Vec<Built<'r>> {
    let keep = |rule: &Rule, cond: &Cond| match not_built(cond, proxy) {
        Some(why) => {
            trace.push(Step {
                text: format!(
                    "{label} http[{}] match[{}] not built {place}: {why}",
                    rule.index, cond.index
                ),
                at: Some(format!("{}:{}", rule.file, cond.line)),
            });
            false
        }
        None => true,
    };
    built(rules, vs, keep, |_| true)
}

/// The routes of one VirtualService on `gateway_name` (`mesh` for
/// sidecars) whatever the request's port and the client's labels, for
/// `explain`: every match that applies there (its own gateways, when it
/// names some), stopping after the first catch-all that holds on every port
/// and for every source, as `build` stops after the first one built.
pub fn build_all<'r>(rules: &'r [Rule], vs: usize, gateway_name: &str) -> Vec<Built<'r>> {
    let applies = |_: &Rule, cond: &Cond| {
        cond.gateways.is_empty() || cond.gateways.iter().any(|g| g == gateway_name)
    };
    let everywhere = |cond: &Cond| {
        cond.port.is_none()
            && (!cond.gateways.is_empty()
                || (cond.source_labels.is_empty() && cond.source_namespace.is_none()))
    };
    built(rules, vs, applies, everywhere)
}

/// The one walk of `build` and `build_all`: rules in order, the matches
/// `keep` accepts, up to the first catch-all (a rule without matches, or a
/// kept catch-all match that `ends` the list).
fn built<'r>(
    rules: &'r [Rule],
    vs: usize,
    mut keep: impl FnMut(&Rule, &Cond) -> bool,
    ends: impl Fn(&Cond) -> bool,
) -> Vec<Built<'r>> {
    let mut out = Vec::new();
    for rule in rules {
        if rule.matches.is_empty() {
            out.push(Built {
                rule,
                cond: None,
                vs,
            });
            break;
        }
        for cond in rule.matches.iter().filter(|c| keep(rule, c)) {
            let b = Built {
                rule,
                cond: Some(cond),
                vs,
            };
            out.push(b);
            if b.is_catch_all() && ends(cond) {
                return out;
            }
        }
    }
    out
}

/// The first condition of a match the request does not meet, in the order
/// Envoy's route entry lists them (path, headers sorted by name, then
/// method, authority, scheme, then query parameters). `None`: it matches.
pub fn mismatch(c: &Cond, req: &Request) -> Option<String> {
    if let Some(u) = &c.uri {
        let value = match u.kind {
            // Envoy's prefix looks at the whole :path, query included.
            super::pattern::Kind::Prefix(_) => req.path.as_str(),
            _ => req.path_only(),
        };
        if !u.matches(value, c.ignore_uri_case) {
            return Some(format!("uri {} does not match {value:?}", u.describe()));
        }
    }
    for (name, p) in &c.headers {
        let v = header(req, name);
        if !p.matches_opt(v) {
            return Some(about_header("headers", name, p, v));
        }
    }
    for (name, p) in &c.without_headers {
        let v = header(req, name);
        if !p.excludes(v) {
            return Some(format!(
                "withoutHeaders {name} {} matches {}",
                p.describe(),
                v.map_or("the missing header (read as \"\")".into(), |v| format!(
                    "{v:?}"
                ))
            ));
        }
    }
    for (what, p, v) in [
        ("method", &c.method, Some(req.method.as_str())),
        ("authority", &c.authority, Some(req.authority())),
        ("scheme", &c.scheme, Some(req.scheme.as_str())),
    ] {
        if let Some(p) = p {
            if !p.matches_opt(v) {
                return Some(format!(
                    "{what} {} does not match {:?}",
                    p.describe(),
                    v.unwrap_or("")
                ));
            }
        }
    }
    for (name, p) in &c.query_params {
        let v = req.query_param(name);
        if !p.matches_opt(v.as_deref()) {
            return Some(about_header("queryParams", name, p, v.as_deref()));
        }
    }
    None
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        ":authority" | "host" => Some(req.authority()),
        _ => req.header(&lower),
    }
}

fn about_header(what: &str, name: &str, p: &Pattern, v: Option<&str>) -> String {
    match v {
        None => format!("{what} {name} {}: not in the request", p.describe()),
        Some(v) => format!("{what} {name} {} does not match {v:?}", p.describe()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::request::Origin;
    use super::*;

    fn req(path: &str, headers: &[(&str, &str)]) -> Request {
        Request {
            host: "reviews".into(),
            port: 9080,
            path: path.into(),
            method: "GET".into(),
            scheme: "http".into(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            origin: Origin::Sidecar {
                namespace: "default".into(),
                labels: vec![],
            },
        }
    }

    #[test]
    fn conditions_in_envoy_order_and_first_failure_named() {
        let c = Cond {
            uri: Some(Pattern::prefix("/api")),
            headers: vec![("end-user".into(), Pattern::exact("jason"))],
            query_params: vec![("v".into(), Pattern::exact("2"))],
            ..Cond::default()
        };
        assert_eq!(
            mismatch(&c, &req("/web", &[])).unwrap(),
            "uri prefix \"/api\" does not match \"/web\""
        );
        assert_eq!(
            mismatch(&c, &req("/api", &[])).unwrap(),
            "headers end-user exact \"jason\": not in the request"
        );
        assert_eq!(
            mismatch(&c, &req("/api?v=1", &[("end-user", "jason")])).unwrap(),
            "queryParams v exact \"2\" does not match \"1\""
        );
        assert_eq!(
            mismatch(&c, &req("/api?v=2", &[("end-user", "jason")])),
            None
        );
    }

    #[test]
    fn exact_and_regex_uri_ignore_the_query_prefix_does_not() {
        let exact = Cond {
            uri: Some(Pattern::exact("/login")),
            ..Cond::default()
        };
        assert_eq!(mismatch(&exact, &req("/login?next=/", &[])), None);
        let prefix = Cond {
            uri: Some(Pattern::prefix("/login?next")),
            ..Cond::default()
        };
        assert_eq!(mismatch(&prefix, &req("/login?next=/", &[])), None);
    }

    #[test]
    fn match_gateways_override_source_labels() {
        let c = Cond {
            gateways: vec!["istio-system/gw".into()],
            source_labels: vec![("app".into(), "x".into())],
            ..Cond::default()
        };
        let proxy = Proxy {
            listen_port: 80,
            gateway_name: "istio-system/gw",
            labels: &[],
            namespace: "istio-system",
        };
        assert_eq!(not_built(&c, &proxy), None);
        let mesh = Proxy {
            gateway_name: "mesh",
            ..proxy
        };
        assert!(not_built(&c, &mesh)
            .unwrap()
            .starts_with("gateways [istio-system/gw]"));
        let port = Cond {
            port: Some(8080),
            ..Cond::default()
        };
        assert_eq!(
            not_built(&port, &mesh).unwrap(),
            "port 8080 (the request is on port 80)"
        );
    }
}
