//! A request entering a gateway workload (pilot/pkg/networking/core/gateway.go
//! buildGatewayHTTPRouteConfig). Every Istio Gateway selecting the workload
//! is merged; plain HTTP servers on the port share one route table, an HTTPS
//! server has its own (picked by SNI). Per host, the routes of every
//! VirtualService bound to the server's gateway are concatenated in Istio's
//! order and catch-alls moved last (SortVHostRoutes); an httpsRedirect on
//! any server of a host makes the whole virtual host redirect plain HTTP.

use super::answer::{answer, dropped_notes, Ctx};
use super::eval::{build, Built, Proxy};
use super::outcome::{Outcome, Step};
use super::request::Request;
use super::world::{Gateway, Server, World};
use crate::model::Host;

/// sanitizeServerHostNamespace then NamesForNamespace: the server hosts that
/// count for VirtualServices of `vs_namespace`.
pub fn server_hosts_for(server: &Server, gateway_namespace: &str, vs_namespace: &str) -> Vec<Host> {
    let mut out = Vec::new();
    for h in &server.hosts {
        let (ns, name) = match h.split_once('/') {
            Some((".", n)) => (Some(gateway_namespace), n),
            Some(("*", n)) => (None, n),
            Some((ns, n)) => (Some(ns), n),
            None => (None, h.as_str()),
        };
        if ns.is_some_and(|ns| ns != vs_namespace) {
            continue;
        }
        out.push(Host::new(name.to_ascii_lowercase()));
    }
    out
}

/// Istio Names.Intersection: for each overlapping pair, the more specific.
pub fn intersection(a: &[Host], b: &[Host]) -> Vec<Host> {
    let mut out: Vec<Host> = Vec::new();
    for x in a {
        for y in b {
            let pick = if x.subset_of(y) {
                x
            } else if y.subset_of(x) {
                y
            } else {
                continue;
            };
            if !out.contains(pick) {
                out.push(pick.clone());
            }
        }
    }
    out
}

/// The most specific of `hosts` that covers `host` (Envoy's domain match:
/// exact, then the longest wildcard suffix).
fn best_domain<'h>(host: &Host, hosts: impl Iterator<Item = &'h Host>) -> Option<&'h Host> {
    hosts
        .filter(|h| host.subset_of(h))
        .fold(None, |best: Option<&Host>, h| match best {
            Some(b) if b.more_specific(h) => Some(b),
            _ => Some(h),
        })
}

/// The Gateways merged into the workload `gw` selects, oldest first.
pub fn merged<'w>(world: &'w World, gw: &Gateway) -> Vec<&'w Gateway> {
    let mut out: Vec<&Gateway> = world
        .gateways
        .iter()
        .filter(|g| {
            (g.namespace == gw.namespace && g.name == gw.name)
                || (!g.selector.is_empty() && g.selector.iter().all(|kv| gw.selector.contains(kv)))
        })
        .collect();
    out.sort_by(|a, b| {
        a.created
            .cmp(&b.created)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.namespace.cmp(&b.namespace))
    });
    out
}

struct VHost<'r> {
    host: Host,
    routes: Vec<Built<'r>>,
    from: Vec<usize>,
    require_tls: bool,
}

pub fn route(world: &World, req: &Request, namespace: &str, name: &str) -> Result<Outcome, String> {
    let Some(gw) = world
        .gateways
        .iter()
        .find(|g| g.namespace == namespace && g.name == name)
    else {
        let label = format!("{namespace}/{name}");
        if world.k8s_gateways.contains(&label) {
            return Err(format!(
                "{label} is a Gateway API Gateway: its routes (HTTPRoute) are not modelled; --gateway takes an Istio Gateway"
            ));
        }
        return Err(format!("no Gateway {label} in the inputs"));
    };
    let host = Host::new(req.host.to_ascii_lowercase());
    let tls = req.scheme == "https";
    let gateways = merged(world, gw);
    let mut trace = vec![Step {
        text: format!(
            "into the workload of Gateway {} on port {} ({}); merged: {}",
            gw.label(),
            req.port,
            req.scheme,
            gateways
                .iter()
                .map(|g| g.label())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        at: Some(format!("{}:{}", gw.file, gw.line)),
    }];
    let mut servers: Vec<(&Gateway, &Server)> = gateways
        .iter()
        .flat_map(|g| g.servers.iter().map(move |s| (*g, s)))
        .filter(|(_, s)| s.port == req.port && if tls { s.is_https() } else { s.is_plain_http() })
        .collect();
    if tls {
        // Each HTTPS server has its own route table; SNI picks one.
        let sni: Vec<Host> = servers
            .iter()
            .flat_map(|(g, s)| server_hosts_any(s, &g.namespace))
            .collect();
        let best = best_domain(&host, sni.iter()).cloned();
        servers.retain(|(g, s)| {
            best.as_ref()
                .is_some_and(|b| server_hosts_any(s, &g.namespace).contains(b))
        });
        servers.truncate(1);
    }
    if servers.is_empty() {
        let what = if tls {
            "HTTPS server for this SNI"
        } else {
            "HTTP server"
        };
        return Ok(Outcome::not_routed(
            format!(
                "no {what} on port {} in the merged Gateways: nothing listens for it",
                req.port
            ),
            trace,
        ));
    }
    let table = &world.table;
    let among = table.for_host(&host);
    let mut vhosts: Vec<VHost> = Vec::new();
    for (g, s) in &servers {
        let gname = g.label();
        let proxy = Proxy {
            listen_port: s.port,
            gateway_name: &gname,
            labels: &gw.selector,
            namespace: &gw.namespace,
        };
        for i in table.for_proxy(&gname, &gw.namespace, &among) {
            let e = &table.entries[i];
            let inter = intersection(&server_hosts_for(s, &g.namespace, &e.namespace), &e.hosts);
            let inter: Vec<Host> = inter.into_iter().filter(|h| host.subset_of(h)).collect();
            if inter.is_empty() {
                trace.push(Step {
                    text: format!(
                        "{} skipped: its hosts are not among server {} of {gname}",
                        e.label(),
                        s.index
                    ),
                    at: Some(format!("{}:{}", e.file, e.line)),
                });
                continue;
            }
            let on = format!("on {gname}");
            let routes = build(&e.rules, i, &proxy, (&e.label(), &on), &mut trace);
            if routes.is_empty() {
                trace.push(Step {
                    text: format!(
                        "{} yields no route on {gname} port {}: skipped",
                        e.label(),
                        s.port
                    ),
                    at: Some(format!("{}:{}", e.file, e.line)),
                });
                continue;
            }
            for h in inter {
                let v = vhost(&mut vhosts, h);
                if !v.from.contains(&i) {
                    v.routes.extend(routes.iter().copied());
                    v.from.push(i);
                }
                v.require_tls |= s.https_redirect;
            }
        }
        if s.https_redirect {
            for h in server_hosts_any(s, &g.namespace) {
                if host.subset_of(&h) {
                    vhost(&mut vhosts, h).require_tls = true;
                }
            }
        }
    }
    let Some(v) = best_domain(&host, vhosts.iter().map(|v| &v.host))
        .and_then(|b| vhosts.iter().find(|v| v.host == *b))
    else {
        return Ok(Outcome::not_routed(
            format!(
                "no virtual host for {host} on port {}: Envoy answers 404 (NR)",
                req.port
            ),
            trace,
        ));
    };
    trace.push(Step {
        text: format!(
            "virtual host {} from {}",
            v.host,
            if v.from.is_empty() {
                "the httpsRedirect server alone".to_string()
            } else {
                v.from
                    .iter()
                    .map(|i| table.entries[*i].label())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
        at: None,
    });
    if v.require_tls && !tls {
        let mut o = Outcome::not_routed(
            format!(
                "virtual host {} requires TLS (httpsRedirect): Envoy redirects to https with 301",
                v.host
            ),
            trace,
        );
        o.status = 301;
        o.redirect = Some(serde_json::json!({"httpsRedirect": true}));
        return Ok(o);
    }
    dropped_notes(table, &v.from, req, &mut trace);
    let routes = sort_vhost_routes(&v.routes);
    let ctx = Ctx {
        table,
        registry: &world.registry,
        listen_port: req.port,
        on_gateway: true,
    };
    Ok(answer(&ctx, &routes, req, trace, v.host.as_str()))
}

fn vhost<'a, 'r>(vhosts: &'a mut Vec<VHost<'r>>, h: Host) -> &'a mut VHost<'r> {
    let i = match vhosts.iter().position(|v| v.host == h) {
        Some(i) => i,
        None => {
            vhosts.push(VHost {
                host: h,
                routes: Vec::new(),
                from: Vec::new(),
                require_tls: false,
            });
            vhosts.len() - 1
        }
    };
    &mut vhosts[i]
}

/// The server's hosts whatever their namespace part (SNI, redirects).
fn server_hosts_any(s: &Server, _gateway_namespace: &str) -> Vec<Host> {
    s.hosts
        .iter()
        .map(|h| Host::new(h.rsplit('/').next().unwrap_or(h).to_ascii_lowercase()))
        .collect()
}

/// SortVHostRoutes: catch-alls moved to the end, the rest in order.
pub fn sort_vhost_routes<'r>(routes: &[Built<'r>]) -> Vec<Built<'r>> {
    let (all, rest): (Vec<_>, Vec<_>) = routes.iter().partition(|b| b.is_catch_all());
    rest.into_iter().chain(all).collect()
}
