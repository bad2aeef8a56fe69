//! `istiolint explain`: what the routing and the circuit breakers of a host
//! will do, computed offline from the traffic model as Istio would program
//! Envoy (see `cluster.rs` for the sources of every number).

pub mod cluster;
pub mod effect;
pub mod human;
pub mod load;
pub mod mermaid;
pub mod routing;
pub mod view;
pub mod words;

use std::collections::HashMap;

use crate::model::traffic_policy_merge::EffectivePolicy;
use crate::model::{DestinationRule, Host, VirtualService};

pub use view::{ClusterView, Explanation, HostView};

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Only this host (resolved in `namespace` when short).
    pub host: Option<String>,
    /// Namespace of objects that name none, and of a short HOST.
    pub namespace: String,
    /// Only the routes from this gateway (`NS/NAME`, or `mesh`).
    pub gateway: Option<String>,
    pub clients: Option<u64>,
    pub concurrency: Option<u64>,
}

/// The objects explain reads, oldest first (Istio's order for conflicts).
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    pub virtual_services: Vec<VirtualService>,
    pub destination_rules: Vec<DestinationRule>,
    /// Their port names say which clusters are HTTP/2.
    pub services: Vec<crate::model::Service>,
}

pub fn explain(inputs: &Inputs, opts: &Options) -> Explanation {
    let ns = |m: &crate::model::Meta| m.namespace_or(&opts.namespace).to_string();
    let services: Vec<(&VirtualService, String)> = inputs
        .virtual_services
        .iter()
        .map(|v| (v, ns(&v.meta)))
        .collect();
    let rules: Vec<(&DestinationRule, String)> = inputs
        .destination_rules
        .iter()
        .map(|d| (d, ns(&d.meta)))
        .collect();
    let known = known_hosts(&services, &rules);
    let hosts = match &opts.host {
        Some(h) => vec![named_host(h, &opts.namespace, &known)],
        None => known,
    };
    let clients = opts.clients.unwrap_or(1).max(1);
    // Routing reads the route module's table: delegates merged, Istio's order.
    let table = crate::route::select::Table::build(&inputs.virtual_services, &opts.namespace);
    let vs_index = ByHost::new(services.iter().map(|(vs, ns)| {
        vs.hosts
            .iter()
            .map(|h| Host::resolve(&h.value, ns))
            .collect()
    }));
    let dr_index = ByHost::new(rules.iter().map(|(dr, ns)| {
        dr.host
            .iter()
            .map(|h| Host::resolve(&h.value, ns))
            .collect()
    }));
    let hosts = hosts
        .iter()
        .map(|h| {
            let services = vs_index.pick(h, &services);
            let rules = dr_index.pick(h, &rules);
            let h2 = h2_service(h, &inputs.services, &opts.namespace);
            explain_host(h, (&table, &services), &rules, opts, clients, h2)
        })
        .collect();
    Explanation {
        hosts,
        assumptions: opts
            .concurrency
            .map(|c| load::assumptions(c, clients))
            .unwrap_or_default(),
    }
}

/// The HOST argument: a short name resolves in the namespace, as Istio
/// resolves it; `name.ns` and `name.ns.svc` also mean the cluster service
/// when the inputs know that service (a typing convenience, as Kiali reads
/// them), else they stay as written.
fn named_host(raw: &str, namespace: &str, known: &[Host]) -> Host {
    let host = Host::resolve(raw, namespace);
    if known.contains(&host) {
        return host;
    }
    crate::model::expand_namespace_host(raw, |_| true)
        .filter(|h| known.contains(h))
        .unwrap_or(host)
}

/// Objects by the concrete hosts they name, plus those naming wildcards,
/// so that each host looks only at the objects that can apply to it.
struct ByHost {
    exact: HashMap<Host, Vec<usize>>,
    wildcard: Vec<usize>,
}

impl ByHost {
    fn new(hosts: impl Iterator<Item = Vec<Host>>) -> ByHost {
        let mut index = ByHost {
            exact: HashMap::new(),
            wildcard: Vec::new(),
        };
        for (i, hosts) in hosts.enumerate() {
            for h in hosts {
                if h.is_wildcard() {
                    index.wildcard.push(i);
                } else {
                    index.exact.entry(h).or_default().push(i);
                }
            }
        }
        index
    }

    /// The candidates for `host`, in input order.
    fn pick<T: Clone>(&self, host: &Host, items: &[T]) -> Vec<T> {
        let mut ids: Vec<usize> = self.exact.get(host).cloned().unwrap_or_default();
        ids.extend(&self.wildcard);
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter().map(|i| items[i].clone()).collect()
    }
}

/// Every concrete host the inputs name: DestinationRule hosts,
/// VirtualService hosts and route destinations, sorted.
fn known_hosts(
    services: &[(&VirtualService, String)],
    rules: &[(&DestinationRule, String)],
) -> Vec<Host> {
    let mut out: Vec<Host> = Vec::new();
    for (dr, ns) in rules {
        out.extend(dr.host.iter().map(|h| Host::resolve(&h.value, ns)));
    }
    for (vs, ns) in services {
        out.extend(vs.hosts.iter().map(|h| Host::resolve(&h.value, ns)));
        out.extend(vs.destinations().map(|d| Host::resolve(&d.host.value, ns)));
    }
    out.retain(|h| !h.is_wildcard() && !h.as_str().is_empty());
    out.sort();
    out.dedup();
    out
}

/// The DestinationRule Istio uses for `host`, merged as
/// pilot/pkg/model/destination_rule.go mergeDestinationRule merges rules of
/// one host: the oldest first, subsets of later rules appended when their
/// name is new, the first top-level trafficPolicy kept. Exact hosts win over
/// wildcards; among wildcards the most specific.
fn destination_rule(host: &Host, rules: &[(&DestinationRule, String)]) -> Option<Merged> {
    let mut matching: Vec<(Host, &DestinationRule, &str)> = rules
        .iter()
        .filter_map(|(dr, ns)| {
            let h = Host::resolve(&dr.host.as_ref()?.value, ns);
            h.matches(host).then_some((h, *dr, ns.as_str()))
        })
        .collect();
    let best = matching.iter().map(|(h, _, _)| h.clone()).reduce(|a, b| {
        if a.more_specific(&b) {
            a
        } else {
            b
        }
    })?;
    matching.retain(|(h, _, _)| *h == best);
    let mut names = Vec::new();
    let mut iter = matching.into_iter();
    let (_, first, ns) = iter.next()?;
    let mut merged = first.clone();
    names.push(format!(
        "{ns}/{}",
        first.meta.name.as_deref().unwrap_or("?")
    ));
    for (_, dr, ns) in iter {
        names.push(format!("{ns}/{}", dr.meta.name.as_deref().unwrap_or("?")));
        for s in &dr.subsets {
            let name = s.name.as_ref().map(|n| n.value.as_str());
            if name.is_some_and(|n| merged.subset(n).is_none()) {
                merged.subsets.push(s.clone());
            }
        }
        if merged.traffic_policy.is_none() {
            merged.traffic_policy = dr.traffic_policy.clone();
        }
    }
    Some(Merged {
        rule: merged,
        names: names.join(", "),
    })
}

struct Merged {
    rule: DestinationRule,
    names: String,
}

/// Whether every port of the host's Service is HTTP/2 (then so are its
/// clusters; with mixed ports the explanation keeps HTTP/1.1).
fn h2_service(host: &Host, services: &[crate::model::Service], namespace: &str) -> bool {
    services
        .iter()
        .filter(|s| {
            let name = s.meta.name.as_deref().unwrap_or("");
            Host::resolve(name, s.meta.namespace_or(namespace)) == *host
        })
        .any(|s| {
            !s.ports.is_empty()
                && s.ports
                    .iter()
                    .all(|p| cluster::is_h2_port(p.name.as_deref(), p.app_protocol.as_deref()))
        })
}

fn explain_host(
    host: &Host,
    (table, services): (&crate::route::select::Table, &[(&VirtualService, String)]),
    rules: &[(&DestinationRule, String)],
    opts: &Options,
    clients: u64,
    h2: bool,
) -> HostView {
    let only = opts
        .gateway
        .as_deref()
        .map(|g| routing::source(g, &opts.namespace));
    let routes = routing::routes(table, services, host, only.as_deref(), &opts.namespace);
    let dr = destination_rule(host, rules);
    let shares = words::shares(host, &routes);
    let mut subsets = Vec::new();
    let rule = dr.as_ref().map(|m| &m.rule);
    let names: Vec<Option<&str>> = std::iter::once(None)
        .chain(
            rule.iter()
                .flat_map(|r| &r.subsets)
                .filter_map(|s| s.name.as_ref().map(|n| Some(n.value.as_str()))),
        )
        .collect();
    let ports: Vec<Option<u32>> = std::iter::once(None)
        .chain(rule.iter().flat_map(|r| r.policy_ports()).map(Some))
        .collect();
    for name in &names {
        for port in &ports {
            let policy = rule.map_or_else(EffectivePolicy::default, |r| {
                r.effective_policy(*name, *port)
            });
            let settings = cluster::compute_for(&policy, h2);
            let share = words::share_of(&shares, *name);
            // Port clusters get no estimate: the share per port is unknown.
            let load = opts
                .concurrency
                .filter(|_| port.is_none())
                .map(|c| load::estimate(c, clients, share, settings.limit));
            subsets.push(ClusterView {
                name: name.map(str::to_string),
                port: *port,
                labels: name
                    .and_then(|n| rule?.subset(n))
                    .map(|s| {
                        s.labels
                            .iter()
                            .map(|(k, v)| (k.value.clone(), v.value.clone()))
                            .collect()
                    })
                    .unwrap_or_default(),
                destination_rule: dr.as_ref().map(|m| m.names.clone()),
                settings,
                load,
            });
        }
    }
    let notes = words::notes(
        host,
        &routes,
        &subsets,
        rule,
        opts.clients,
        opts.gateway.as_deref(),
    );
    HostView {
        host: host.as_str().to_string(),
        routes,
        subsets,
        notes,
    }
}
