//! A request leaving a sidecar (pilot/pkg/networking/core/httproute.go
//! BuildSidecarOutboundVirtualHosts, route.go BuildSidecarVirtualHostWrapper):
//! the VirtualServices bound to `mesh` that this namespace sees, in Istio's
//! order; the first that claims the host exactly (else the most specific
//! wildcard) and yields routes for this port and source gets the virtual
//! host; one that yields none is skipped and the service keeps its default
//! route.

use super::answer::{answer, dropped_notes, Ctx};
use super::eval::{build, Built, Proxy};
use super::outcome::{cluster_name, Destination, Outcome, Step};
use super::request::Request;
use super::select::VsEntry;
use super::world::World;
use crate::model::{expand_namespace_host, Host};

/// The FQDN Envoy's virtual host domains resolve a sidecar's host to: a
/// short name is in the source namespace; `name.ns` and `name.ns.svc` are
/// the service's own alternative names when `ns` is a namespace we know.
pub fn resolve_host(world: &World, host: &str, namespace: &str) -> String {
    let host = host.to_ascii_lowercase();
    if !host.contains('.') {
        return Host::resolve(&host, namespace).as_str().to_string();
    }
    expand_namespace_host(&host, |ns| world.knows_namespace(ns))
        .map_or(host, |h| h.as_str().to_string())
}

pub fn route(
    world: &World,
    req: &Request,
    namespace: &str,
    labels: &[(String, String)],
) -> Outcome {
    let fqdn = resolve_host(world, &req.host, namespace);
    let host = Host::new(fqdn.as_str());
    let mut trace = vec![Step {
        text: format!(
            "from a sidecar in namespace {namespace}: {} resolves to {fqdn}, port {}",
            req.host, req.port
        ),
        at: None,
    }];
    let service = world.registry.lookup(&fqdn);
    if let Some(s) = service {
        if !world.registry.implicit && !s.ports.contains(&req.port) {
            trace.push(Step {
                text: format!(
                    "service {fqdn} has no port {}: no HTTP route for it on that port",
                    req.port
                ),
                at: None,
            });
            return passthrough(
                trace,
                &format!("{fqdn} does not listen on port {}", req.port),
            );
        }
    }
    if world.registry.implicit && service.is_some() {
        trace.push(Step {
            text: format!(
                "no Service or ServiceEntry in the inputs: {fqdn} is assumed to be a service listening on port {}",
                req.port
            ),
            at: None,
        });
    }
    let proxy = Proxy {
        listen_port: req.port,
        gateway_name: "mesh",
        labels,
        namespace,
    };
    let table = &world.table;
    let among = table.for_host(&host);
    let order = table.for_proxy("mesh", namespace, &among);
    for i in &among {
        if !order.contains(i) {
            let e = &table.entries[*i];
            let why = if e.binds("mesh") {
                format!("not exported to namespace {namespace}")
            } else {
                format!("bound to gateways [{}], not mesh", e.gateways.join(", "))
            };
            trace.push(Step {
                text: format!("{} skipped: {why}", e.label()),
                at: Some(format!("{}:{}", e.file, e.line)),
            });
        }
    }
    let mut claims: Vec<Claim> = Vec::new();
    for &i in &order {
        let e = &table.entries[i];
        let at = Some(format!("{}:{}", e.file, e.line));
        if req.port != 80 && !e.hosts.iter().any(|h| world.registry.serves(h, req.port)) {
            trace.push(Step {
                text: format!(
                    "{} skipped: none of its hosts is a service on port {} (Istio routes other hosts on port 80 only)",
                    e.label(),
                    req.port
                ),
                at,
            });
            continue;
        }
        let Some((exact, claim)) = claim_of(e, &host) else {
            continue;
        };
        let routes = build(
            &e.rules,
            i,
            &proxy,
            (&e.label(), "for this proxy"),
            &mut trace,
        );
        if routes.is_empty() {
            trace.push(Step {
                text: format!(
                    "{} yields no route for this port and source: skipped",
                    e.label()
                ),
                at,
            });
        }
        claims.push(Claim {
            entry: i,
            exact,
            host: claim,
            routes,
        });
    }
    let winner = winner(&claims, service.is_some());
    let claimed: Vec<usize> = claims.iter().map(|c| c.entry).collect();
    dropped_notes(table, &claimed, req, &mut trace);
    let ctx = Ctx {
        table,
        registry: &world.registry,
        listen_port: req.port,
        on_gateway: false,
    };
    if let Some(w) = winner {
        let e = &table.entries[w.entry];
        for c in claims
            .iter()
            .filter(|c| c.entry != w.entry && !c.routes.is_empty())
        {
            let other = &table.entries[c.entry];
            trace.push(Step {
                text: format!(
                    "{} also claims {fqdn}; {} came first and wins",
                    other.label(),
                    e.label()
                ),
                at: Some(format!("{}:{}", other.file, other.line)),
            });
        }
        trace.push(Step {
            text: format!("virtual host {} from {}", w.host, e.label()),
            at: Some(format!("{}:{}", e.file, e.line)),
        });
        return answer(&ctx, &w.routes, req, trace, w.host.as_str());
    }
    match service {
        Some(_) => {
            let cluster = cluster_name(req.port, None, &fqdn);
            let mut o = Outcome::not_routed(
                format!(
                    "no VirtualService routes {fqdn} for this request: the service's default route"
                ),
                trace,
            );
            o.destinations.push(Destination {
                host: fqdn.clone(),
                subset: None,
                port: Some(req.port),
                weight: None,
                percent: 100.0,
            });
            o.clusters.push(cluster);
            o.status = 200;
            o
        }
        None => passthrough(trace, &format!("no service or VirtualService for {fqdn}")),
    }
}

/// A VirtualService claiming the host for a sidecar, with its routes.
pub struct Claim<'r> {
    pub entry: usize,
    pub exact: bool,
    /// The host it claims with: the request's, or its most specific wildcard.
    pub host: Host,
    pub routes: Vec<Built<'r>>,
}

/// How `e` claims `host`: exactly, or by its most specific wildcard.
pub fn claim_of(e: &VsEntry, host: &Host) -> Option<(bool, Host)> {
    if e.hosts.contains(host) {
        return Some((true, host.clone()));
    }
    e.hosts
        .iter()
        .filter(|h| h.is_wildcard() && host.subset_of(h))
        .fold(None::<&Host>, |b, h| match b {
            Some(b) if b.more_specific(h) => Some(b),
            _ => Some(h),
        })
        .map(|h| (false, h.clone()))
}

/// The claim that gets the virtual host, claims in Istio's order: the
/// first exact one with routes; otherwise the most specific wildcard (for
/// a service, Istio binds it to the most specific wildcard VirtualService
/// even if that one yields no routes, and then nothing routes it).
pub fn winner<'c, 'r>(claims: &'c [Claim<'r>], has_service: bool) -> Option<&'c Claim<'r>> {
    if let Some(c) = claims.iter().find(|c| c.exact && !c.routes.is_empty()) {
        return Some(c);
    }
    claims
        .iter()
        .filter(|c| !c.exact && (has_service || !c.routes.is_empty()))
        .fold(None::<&Claim>, |b, c| match b {
            Some(b) if b.host.more_specific(&c.host) => Some(b),
            _ => Some(c),
        })
        .filter(|c| !c.routes.is_empty())
}

/// Envoy's catch-all virtual host of a sidecar (outboundTrafficPolicy ALLOW_ANY).
fn passthrough(trace: Vec<Step>, why: &str) -> Outcome {
    let mut o = Outcome::not_routed(
        format!("{why}: Envoy's allow_any virtual host sends it to PassthroughCluster (502 under REGISTRY_ONLY)"),
        trace,
    );
    o.clusters.push("PassthroughCluster".into());
    o.status = 200;
    o
}
