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
    // (entry, exact claim?, claiming host, built routes)
    let mut claims: Vec<(usize, bool, Host, Vec<Built>)> = Vec::new();
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
        let exact = e.hosts.contains(&host);
        let claim = if exact {
            host.clone()
        } else {
            let best = e
                .hosts
                .iter()
                .filter(|h| h.is_wildcard() && host.subset_of(h))
                .fold(None::<&Host>, |b, h| match b {
                    Some(b) if b.more_specific(h) => Some(b),
                    _ => Some(h),
                });
            match best {
                Some(h) => h.clone(),
                None => continue,
            }
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
        claims.push((i, exact, claim, routes));
    }
    // The first exact claim with routes wins the domain. Otherwise the most
    // specific wildcard: for a service, Istio binds it to the most specific
    // wildcard VirtualService even if that one yields no routes.
    let winner = claims.iter().find(|c| c.1 && !c.3.is_empty()).or_else(|| {
        let wild = claims.iter().filter(|c| !c.1);
        let wild: Vec<_> = if service.is_some() {
            wild.collect()
        } else {
            wild.filter(|c| !c.3.is_empty()).collect()
        };
        let best = wild
            .iter()
            .fold(None::<&&(usize, bool, Host, Vec<Built>)>, |b, c| match b {
                Some(b) if b.2.more_specific(&c.2) => Some(b),
                _ => Some(c),
            });
        best.copied().filter(|c| !c.3.is_empty())
    });
    let claimed: Vec<usize> = claims.iter().map(|c| c.0).collect();
    dropped_notes(table, &claimed, req, &mut trace);
    let ctx = Ctx {
        table,
        registry: &world.registry,
        listen_port: req.port,
        on_gateway: false,
    };
    if let Some((i, _, claim, routes)) = winner {
        let e = &table.entries[*i];
        for (j, ..) in claims.iter().filter(|c| c.0 != *i && !c.3.is_empty()) {
            trace.push(Step {
                text: format!(
                    "{} also claims {fqdn}; {} came first and wins",
                    table.entries[*j].label(),
                    e.label()
                ),
                at: Some(format!(
                    "{}:{}",
                    table.entries[*j].file, table.entries[*j].line
                )),
            });
        }
        trace.push(Step {
            text: format!("virtual host {claim} from {}", e.label()),
            at: Some(format!("{}:{}", e.file, e.line)),
        });
        return answer(&ctx, routes, req, trace, claim.as_str());
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
