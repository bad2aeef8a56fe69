//! The routing view: which VirtualService rules a host's requests meet, per
//! source (the mesh, each gateway), in order, with their destinations and
//! shares, taken from `src/route/` so that `explain` and `route` cannot
//! disagree: VirtualServices merged with their delegates and sorted in
//! Istio's order (`route::select::Table`), exportTo as a proxy in `-n` (a
//! gateway: in its namespace) sees it; from the mesh the VirtualService that
//! wins the host for a sidecar (`route::sidecar::winner`), from a gateway the
//! rules of all of them concatenated with catch-alls moved last
//! (`route::gateway::sort_vhost_routes`); shares from `route::answer::shares`.
//! Unlike `route`, no request is given: every match is listed with its
//! port and source conditions in words.

use crate::model::virtual_service::{L4Match, VirtualService};
use crate::model::{Host, Located};
use crate::route::eval::{build_all, Built};
use crate::route::pattern::{Kind, Pattern};
use crate::route::rule::{Cond, Rule};
use crate::route::select::Table;
use crate::route::sidecar::{claim_of, winner, Claim};

use super::view::{DestinationView, RouteView};

pub const MESH: &str = "mesh";

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

/// `mesh` or `gateway NS/NAME` for a resolved gateway name.
fn source_of(gateway: &str) -> String {
    if gateway == MESH {
        MESH.into()
    } else {
        format!("gateway {gateway}")
    }
}

/// The rules `host` meets, per source, sources in order (mesh first).
/// `only` keeps one source (`mesh` or `gateway NS/NAME`, see [`source`]);
/// `services` are the model VirtualServices (for TCP and TLS rules),
/// `namespace` where the mesh's client is.
pub fn routes(
    table: &Table,
    services: &[(&VirtualService, String)],
    host: &Host,
    only: Option<&str>,
    namespace: &str,
) -> Vec<RouteView> {
    let among = table.for_host(host);
    let mut gateways: Vec<&str> = Vec::new();
    for &i in &among {
        for g in &table.entries[i].gateways {
            if !gateways.contains(&g.as_str()) {
                gateways.push(g);
            }
        }
    }
    gateways.sort_by_key(|g| (*g != MESH, *g));
    let mut out = Vec::new();
    for gateway in gateways {
        let src = source_of(gateway);
        if only.is_some_and(|o| o != src) {
            continue;
        }
        let proxy_ns = match gateway.split_once('/') {
            Some((ns, _)) => ns,
            None => namespace,
        };
        let order = table.for_proxy(gateway, proxy_ns, &among);
        let (built, l4_from): (Vec<Built>, Vec<usize>) = if gateway == MESH {
            let claims: Vec<Claim> = order
                .iter()
                .filter_map(|&i| {
                    let (exact, claim) = claim_of(&table.entries[i], host)?;
                    Some(Claim {
                        entry: i,
                        exact,
                        host: claim,
                        routes: build_all(&table.entries[i].rules, i, gateway),
                    })
                })
                .collect();
            match winner(&claims, false) {
                Some(w) => (w.routes.clone(), vec![w.entry]),
                // No HTTP route: the first claim's TCP and TLS rules.
                None => (
                    Vec::new(),
                    claims.first().map(|c| c.entry).into_iter().collect(),
                ),
            }
        } else {
            let all: Vec<Built> = order
                .iter()
                .flat_map(|&i| build_all(&table.entries[i].rules, i, gateway))
                .collect();
            (
                crate::route::gateway::sort_vhost_routes(&all),
                order.clone(),
            )
        };
        out.extend(http_views(table, &built, &src));
        for i in l4_from {
            let e = &table.entries[i];
            let model = services.iter().find(|(vs, ns)| {
                *ns == e.namespace && vs.meta.name.as_deref() == Some(e.name.as_str())
            });
            if let Some((vs, ns)) = model {
                out.extend(l4_rules(vs, ns, &src, gateway));
            }
        }
    }
    out
}

/// One view per run of built routes from the same rule (a rule whose
/// catch-all match a gateway moved last appears twice).
fn http_views(table: &Table, built: &[Built], src: &str) -> Vec<RouteView> {
    let mut out: Vec<(RouteView, Vec<String>)> = Vec::new();
    let mut last: Option<(usize, *const Rule)> = None;
    for b in built {
        let key = (b.vs, b.rule as *const Rule);
        let words = b.cond.map_or_else(|| ANY.to_string(), cond_words);
        if last == Some(key) {
            if let Some((_, w)) = out.last_mut() {
                w.push(words);
            }
            continue;
        }
        last = Some(key);
        let e = &table.entries[b.vs];
        let r = b.rule;
        let view = RouteView {
            source: src.to_string(),
            virtual_service: e.label(),
            protocol: "http",
            index: r.delegate_of.as_ref().map_or(r.index, |d| d.root_index),
            matched: String::new(),
            destinations: destinations(r),
            action: action(r),
        };
        out.push((view, vec![words]));
    }
    out.into_iter()
        .map(|(mut v, words)| {
            v.matched = join_or(words);
            v
        })
        .collect()
}

fn l4_rules(vs: &VirtualService, ns: &str, src: &str, gateway: &str) -> Vec<RouteView> {
    let name = format!("{ns}/{}", vs.meta.name.as_deref().unwrap_or("?"));
    let mut out = Vec::new();
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
        let Some(matched) = l4_matches(&matches, ns, gateway, protocol) else {
            continue;
        };
        let dests = crate::route::compile::dests(route, ns);
        out.push(RouteView {
            source: src.to_string(),
            virtual_service: name.clone(),
            protocol,
            index,
            matched,
            destinations: views(&dests),
            action: None,
        });
    }
    out
}

/// A match applies to `gateway` (resolved) when it names no gateways or names it.
fn applies(gateways: &[Located<String>], ns: &str, gateway: &str) -> bool {
    gateways.is_empty()
        || gateways
            .iter()
            .any(|g| crate::route::compile::resolve_gateway(&g.value, ns) == gateway)
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

fn pattern_words(subject: &str, p: &Pattern) -> String {
    match &p.kind {
        Kind::Exact(v) => format!("{subject} = {v}"),
        Kind::Prefix(v) => format!("{subject} prefix {v}"),
        Kind::Regex(v, _) => format!("{subject} ~ {v}"),
        Kind::Present => format!("{subject} present"),
    }
}

/// A match in words, as the route module reads it (header names lower-cased).
fn cond_words(m: &Cond) -> String {
    let mut parts = Vec::new();
    if let Some(u) = &m.uri {
        parts.push(match &u.kind {
            Kind::Prefix(p) => format!("prefix {p}"),
            _ => pattern_words("uri", u),
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
            parts.push(pattern_words(what, v));
        }
    }
    for (k, v) in &m.headers {
        parts.push(pattern_words(&format!("header {k}"), v));
    }
    for (k, v) in &m.without_headers {
        parts.push(format!("not {}", pattern_words(&format!("header {k}"), v)));
    }
    for (k, v) in &m.query_params {
        parts.push(pattern_words(&format!("query {k}"), v));
    }
    if let Some(p) = m.port {
        parts.push(format!("port {p}"));
    }
    if !m.source_labels.is_empty() {
        parts.push(format!("from workloads {}", labels(&m.source_labels)));
    }
    if let Some(n) = &m.source_namespace {
        parts.push(format!("from namespace {n}"));
    }
    if parts.is_empty() {
        return ANY.into();
    }
    parts.join(" and ")
}

/// An L4 match and, for TLS, its SNI hosts.
type L4<'a> = (&'a L4Match, &'a [Located<String>]);

fn l4_matches(matches: &[L4], ns: &str, gateway: &str, protocol: &str) -> Option<String> {
    if matches.is_empty() {
        return Some(if protocol == "tcp" {
            "any connection".into()
        } else {
            ANY.into()
        });
    }
    let words: Vec<String> = matches
        .iter()
        .filter(|(m, _)| applies(&m.gateways, ns, gateway))
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

/// The destinations of a rule with their shares, as `route` computes them
/// (a destination without a positive weight among several gets 0%).
fn destinations(r: &Rule) -> Vec<DestinationView> {
    if r.action.redirect.is_some() || r.action.direct_response.is_some() {
        return Vec::new();
    }
    views(&r.dests)
}

fn views(dests: &[crate::route::rule::Dest]) -> Vec<DestinationView> {
    dests
        .iter()
        .zip(crate::route::answer::shares(dests))
        .map(|(d, share)| DestinationView {
            host: d.host.clone(),
            subset: d.subset.clone(),
            port: d.port,
            percent: share.unwrap_or(0.0),
        })
        .collect()
}

fn action(r: &Rule) -> Option<String> {
    let a = &r.action;
    let own = if let Some(d) = &a.direct_response {
        let status = d.get("status").and_then(|s| s.as_i64()).unwrap_or(0);
        Some(format!("answers {status} itself (directResponse)"))
    } else {
        a.redirect.as_ref().map(|rd| {
            let code = rd
                .get("redirectCode")
                .and_then(|s| s.as_i64())
                .filter(|c| *c != 0)
                .unwrap_or(301);
            format!("redirects with {code}")
        })
    };
    let via = r.delegate_of.as_ref().map(|d| {
        format!(
            "from delegate VirtualService {}/{} http[{}]",
            d.namespace, d.name, r.index
        )
    });
    match (own, via) {
        (Some(o), Some(v)) => Some(format!("{o}, {v}")),
        (o, v) => o.or(v),
    }
}
