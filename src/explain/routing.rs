//! The routing view: which VirtualService rules a host's requests meet, per
//! source (the mesh, each gateway), in order, with their destinations and
//! shares. Kept in one file so it can switch to `src/route/`'s selection.
//!
//! Selection as Istio builds routes: a VirtualService applies to the
//! sources in `gateways` (none: the mesh); a match naming gateways applies
//! only to those. From the mesh the first VirtualService claiming the host
//! wins (most specific host, then oldest); a gateway concatenates the rules
//! of all of them in that order.

use crate::model::virtual_service::{
    Destination, HttpMatch, HttpRoute, L4Match, RouteDestination, StringMatch, VirtualService,
};
use crate::model::{Host, Located};

use super::view::{DestinationView, RouteView};

pub const MESH: &str = "mesh";

/// `mesh` or `gateway NS/NAME` for each source the VirtualService binds.
fn sources(vs: &VirtualService, ns: &str) -> Vec<String> {
    if vs.gateways.is_empty() {
        return vec![MESH.into()];
    }
    vs.gateways.iter().map(|g| source(&g.value, ns)).collect()
}

/// The source a `gateways` entry names, short names in namespace `ns`.
pub fn source(gateway: &str, ns: &str) -> String {
    if gateway == MESH {
        return MESH.into();
    }
    match gateway.split_once('/') {
        Some((n, name)) => format!("gateway {n}/{name}"),
        None => format!("gateway {ns}/{gateway}"),
    }
}

/// The most specific of the VirtualService's hosts that matches `host`.
fn claim(vs: &VirtualService, ns: &str, host: &Host) -> Option<Host> {
    let mut best: Option<Host> = None;
    for h in &vs.hosts {
        let h = Host::resolve(&h.value, ns);
        if h.matches(host) && best.as_ref().is_none_or(|b| h.more_specific(b)) {
            best = Some(h);
        }
    }
    best
}

/// The rules `host` meets, per source, sources in order (mesh first).
/// `only` keeps one source (`mesh` or `gateway NS/NAME`, see [`source`]).
pub fn routes(
    services: &[(&VirtualService, String)],
    host: &Host,
    only: Option<&str>,
) -> Vec<RouteView> {
    let mut claims: Vec<(Host, &VirtualService, &str)> = services
        .iter()
        .filter_map(|(vs, ns)| Some((claim(vs, ns, host)?, *vs, ns.as_str())))
        .collect();
    // Most specific host first; the input order is already oldest first.
    claims.sort_by(
        |a, b| match (a.0.more_specific(&b.0), b.0.more_specific(&a.0)) {
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            _ => std::cmp::Ordering::Equal,
        },
    );
    let mut all_sources: Vec<String> = Vec::new();
    for (_, vs, ns) in &claims {
        for s in sources(vs, ns) {
            if !all_sources.contains(&s) {
                all_sources.push(s);
            }
        }
    }
    all_sources.sort_by_key(|s| (s != MESH, s.clone()));
    let mut out = Vec::new();
    for src in all_sources {
        if only.is_some_and(|o| o != src) {
            continue;
        }
        let binding: Vec<&(Host, &VirtualService, &str)> = claims
            .iter()
            .filter(|(_, vs, ns)| sources(vs, ns).contains(&src))
            .collect();
        let take = if src == MESH { 1 } else { binding.len() };
        for (_, vs, ns) in binding.into_iter().take(take) {
            out.extend(rules(vs, ns, &src));
        }
    }
    out
}

fn rules(vs: &VirtualService, ns: &str, src: &str) -> Vec<RouteView> {
    let name = format!("{ns}/{}", vs.meta.name.as_deref().unwrap_or("?"));
    let mut out = Vec::new();
    for r in &vs.http {
        let Some(matched) = http_matches(r, ns, src) else {
            continue;
        };
        out.push(RouteView {
            source: src.to_string(),
            virtual_service: name.clone(),
            protocol: "http",
            index: r.index,
            matched,
            destinations: destinations(&r.route, ns),
            action: action(r, ns),
        });
    }
    let l4 = vs
        .tcp
        .iter()
        .map(|r| {
            let m: Vec<L4> = r.matches.iter().map(|m| (m, &[][..])).collect();
            ("tcp", r.index, m, &r.route)
        })
        .chain(vs.tls.iter().map(|r| {
            let m: Vec<L4> = r
                .matches
                .iter()
                .map(|m| (&m.l4, m.sni_hosts.as_slice()))
                .collect();
            ("tls", r.index, m, &r.route)
        }));
    for (protocol, index, matches, route) in l4 {
        let Some(matched) = l4_matches(&matches, ns, src, protocol) else {
            continue;
        };
        out.push(RouteView {
            source: src.to_string(),
            virtual_service: name.clone(),
            protocol,
            index,
            matched,
            destinations: destinations(route, ns),
            action: None,
        });
    }
    out
}

/// A match applies to `src` when it names no gateways or names `src`.
fn applies(gateways: &[Located<String>], ns: &str, src: &str) -> bool {
    gateways.is_empty() || gateways.iter().any(|g| source(&g.value, ns) == src)
}

/// The rule's matches in words for `src`; `None` when none applies there.
fn http_matches(r: &HttpRoute, ns: &str, src: &str) -> Option<String> {
    if r.matches.is_empty() {
        return Some(ANY.into());
    }
    let words: Vec<String> = r
        .matches
        .iter()
        .filter(|m| applies(&m.gateways, ns, src))
        .map(http_match)
        .collect();
    (!words.is_empty()).then(|| join_or(words))
}

pub const ANY: &str = "any request";

fn join_or(words: Vec<String>) -> String {
    if words.iter().any(|w| w == ANY) {
        return ANY.into();
    }
    if words.len() == 1 {
        return words.into_iter().next().unwrap_or_default();
    }
    words
        .iter()
        .map(|w| format!("({w})"))
        .collect::<Vec<_>>()
        .join(" or ")
}

fn string_match(subject: &str, m: &StringMatch) -> String {
    match m {
        StringMatch::Exact(v) => format!("{subject} = {v}"),
        StringMatch::Prefix(v) => format!("{subject} prefix {v}"),
        StringMatch::Regex(v) => format!("{subject} ~ {v}"),
        StringMatch::Present => format!("{subject} present"),
    }
}

fn http_match(m: &HttpMatch) -> String {
    let mut parts = Vec::new();
    if let Some(u) = &m.uri {
        parts.push(match &u.value {
            StringMatch::Prefix(p) => format!("prefix {p}"),
            other => string_match("uri", other),
        });
        if m.ignore_uri_case {
            parts.push("uri case ignored".into());
        }
    }
    for (what, v) in [
        ("scheme", &m.scheme),
        ("method", &m.method),
        ("authority", &m.authority),
    ] {
        if let Some(v) = v {
            parts.push(string_match(what, &v.value));
        }
    }
    for (k, v) in &m.headers {
        parts.push(string_match(&format!("header {k}"), &v.value));
    }
    for (k, v) in &m.without_headers {
        parts.push(format!(
            "not {}",
            string_match(&format!("header {k}"), &v.value)
        ));
    }
    for (k, v) in &m.query_params {
        parts.push(string_match(&format!("query {k}"), &v.value));
    }
    if let Some(p) = &m.port {
        parts.push(format!("port {}", p.value));
    }
    if !m.source_labels.is_empty() {
        parts.push(format!("from workloads {}", labels(&m.source_labels)));
    }
    if let Some(n) = &m.source_namespace {
        parts.push(format!("from namespace {}", n.value));
    }
    if parts.is_empty() {
        return ANY.into();
    }
    parts.join(" and ")
}

/// An L4 match and, for TLS, its SNI hosts.
type L4<'a> = (&'a L4Match, &'a [Located<String>]);

fn l4_matches(matches: &[L4], ns: &str, src: &str, protocol: &str) -> Option<String> {
    if matches.is_empty() {
        return Some(if protocol == "tcp" {
            "any connection".into()
        } else {
            ANY.into()
        });
    }
    let words: Vec<String> = matches
        .iter()
        .filter(|(m, _)| applies(&m.gateways, ns, src))
        .map(|(m, sni)| {
            let mut parts = Vec::new();
            if !sni.is_empty() {
                let hosts: Vec<&str> = sni.iter().map(|s| s.value.as_str()).collect();
                parts.push(format!("sni {}", hosts.join(", ")));
            }
            if let Some(p) = &m.port {
                parts.push(format!("port {}", p.value));
            }
            let subnets: Vec<&str> = m
                .destination_subnets
                .iter()
                .map(|s| s.value.as_str())
                .collect();
            if !subnets.is_empty() {
                parts.push(format!("to {}", subnets.join(", ")));
            }
            if !m.source_labels.is_empty() {
                parts.push(format!("from workloads {}", labels(&m.source_labels)));
            }
            if let Some(n) = &m.source_namespace {
                parts.push(format!("from namespace {}", n.value));
            }
            if parts.is_empty() {
                ANY.to_string()
            } else {
                parts.join(" and ")
            }
        })
        .collect();
    (!words.is_empty()).then(|| join_or(words))
}

pub fn labels(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Shares as Envoy computes them from Istio's weighted clusters: one
/// destination takes everything; with several, each gets weight / total
/// (pilot/pkg/networking/core/route/route.go: weights are relative and a
/// 0 or missing weight drops the destination).
fn destinations(route: &[RouteDestination], ns: &str) -> Vec<DestinationView> {
    let weight = |d: &RouteDestination| d.weight.as_ref().map_or(0, |w| w.value.max(0));
    let total: i64 = route.iter().map(weight).sum();
    route
        .iter()
        .map(|d| {
            let percent = if route.len() == 1 {
                100.0
            } else if total > 0 {
                weight(d) as f64 * 100.0 / total as f64
            } else {
                0.0
            };
            view(&d.destination, ns, percent)
        })
        .collect()
}

fn view(d: &Destination, ns: &str, percent: f64) -> DestinationView {
    DestinationView {
        host: Host::resolve(&d.host.value, ns).as_str().to_string(),
        subset: d.subset.as_ref().map(|s| s.value.clone()),
        port: d.port.as_ref().map(|p| p.value),
        percent,
    }
}

fn action(r: &HttpRoute, ns: &str) -> Option<String> {
    if let Some(d) = &r.delegate {
        let dns = d.namespace.as_ref().map_or(ns, |n| n.value.as_str());
        return Some(format!(
            "delegates to VirtualService {dns}/{}",
            d.name.value
        ));
    }
    if let Some(d) = &r.direct_response {
        let status = d.value.get("status").and_then(|s| s.as_i64()).unwrap_or(0);
        return Some(format!("answers {status} itself (directResponse)"));
    }
    if let Some(rd) = &r.redirect {
        let code = rd
            .value
            .get("redirectCode")
            .and_then(|s| s.as_i64())
            .unwrap_or(301);
        return Some(format!("redirects with {code}"));
    }
    None
}
