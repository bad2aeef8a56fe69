//! VirtualServices against the gateways they bind to: Istio Gateways and
//! Kubernetes Gateway API Gateways, resolved as Istio's GatewayAnalyzer does
//! (pkg/config/analysis/analyzers/virtualservice/gateways.go): a name is an
//! Istio Gateway, else a Gateway API Gateway of the same namespace and name.

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::rules::cross::Facts;
use crate::rules::cross_refs::{diag, RefFacts};
use crate::rules::rule;

rule!(
    GATEWAY_NOT_FOUND,
    "IL5003",
    "gateway-not-found",
    Error,
    CrossObject,
    &["VirtualService"],
    "A VirtualService names a Gateway that is not among the inputs, while others are",
    "## What it checks
Each `gateways` entry (`namespace/name`, `./name` or `name` in the VirtualService's namespace,
or the legacy `name.namespace`) against the Gateways among the inputs and `--context-files`:
Istio Gateways (`networking.istio.io`) and Kubernetes Gateway API Gateways
(`gateway.networking.k8s.io`), which Istio's analyzer accepts under the same `namespace/name`.
Only when at least one Gateway of either kind is known: with none, nothing can be said, unless
`--closed-world` declares the inputs complete.

## Why it matters
Routes bound to a missing gateway are silently ignored: traffic through the ingress gets 404.
Istio IST0101, Kiali KIA1102.
",
    check: crate::rules::Check::Cross(check)
);

rule!(
    DUPLICATE_DESTINATION,
    "IL5006",
    "duplicate-route-destination",
    Warning,
    CrossObject,
    &["VirtualService"],
    "The same host and subset twice in one route",
    "## What it checks
A route whose destinations repeat a host and subset pair.

## Why it matters
The weights are added up by Envoy as two clusters of the same name; usually a copy-paste mistake
that was meant to be another subset. Kiali KIA1105.
",
    check: crate::rules::Check::SharedWith(&GATEWAY_NOT_FOUND)
);

rule!(
    HOST_NOT_IN_GATEWAY,
    "IL5007",
    "host-not-in-gateway",
    Warning,
    CrossObject,
    &["VirtualService"],
    "A Gateway named by a VirtualService serves none of its hosts",
    "## What it checks
For each Gateway among the inputs that a VirtualService names: at least one of the
VirtualService's hosts must match a host of one of the gateway's servers (`*`,
`*.example.com`; `namespace/host` entries only count for VirtualServices of that namespace,
`./host` for the gateway's own). For a Gateway API Gateway, the listeners' `hostname`s; a
listener without one accepts every host. As Istio's IST0132, a VirtualService bound to several
gateways may serve some hosts through one and others through another.

## Why it matters
The gateway drops requests for hosts it does not listen for: the binding is dead.
",
    check: crate::rules::Check::SharedWith(&GATEWAY_NOT_FOUND)
);

/// What a gateway accepts, whichever its kind.
enum Accepts<'a> {
    /// An Istio Gateway's server hosts, as written.
    Servers(&'a [String]),
    /// A Gateway API Gateway's listener hostnames (`None`: any host).
    Listeners(&'a [Option<String>]),
}

/// Every gateway among the inputs by `namespace/name`; an Istio Gateway
/// wins over a Gateway API Gateway of the same name, as in the analyzer.
fn gateways(f: &RefFacts) -> BTreeMap<String, Accepts<'_>> {
    let mut out = BTreeMap::new();
    for g in &f.k8s_gateways {
        let key = format!("{}/{}", g.namespace, g.name);
        out.insert(key, Accepts::Listeners(&g.hostnames));
    }
    for g in &f.gateways {
        let key = format!("{}/{}", g.namespace, g.name);
        out.insert(key, Accepts::Servers(&g.hosts));
    }
    out
}

/// A gateway's server hosts that apply to VirtualServices of `vs_ns`:
/// `ns/host` only for that namespace (`.` is the gateway's, `*` any).
fn servers_for<'a>(servers: &'a [String], gateway_ns: &str, vs_ns: &str) -> Vec<&'a str> {
    servers
        .iter()
        .filter_map(|s| match s.split_once('/') {
            None => Some(s.as_str()),
            Some((ns, host)) => {
                let ns = if ns == "." { gateway_ns } else { ns };
                (ns == "*" || ns == vs_ns).then_some(host)
            }
        })
        .collect()
}

/// Whether a gateway accepts any of `hosts` for a VirtualService of `vs_ns`.
fn serves(
    accepts: &Accepts,
    gateway_ns: &str,
    vs_ns: &str,
    hosts: &[(String, crate::rules::cross_refs::Located)],
) -> bool {
    let overlap = |pattern: &str| {
        hosts
            .iter()
            .any(|(h, _)| crate::model::host::overlap(pattern, h))
    };
    match accepts {
        Accepts::Servers(servers) => servers_for(servers, gateway_ns, vs_ns)
            .into_iter()
            .any(overlap),
        Accepts::Listeners(listeners) => listeners
            .iter()
            .any(|l| l.as_deref().is_none_or(|h| h.is_empty() || overlap(h))),
    }
}

fn describe(accepts: &Accepts) -> String {
    match accepts {
        Accepts::Servers([]) => "it has no server hosts".to_string(),
        Accepts::Servers(servers) => format!("it serves {}", servers.join(", ")),
        Accepts::Listeners([]) => "it has no listeners".to_string(),
        Accepts::Listeners(listeners) => {
            let names: Vec<&str> = listeners.iter().flatten().map(String::as_str).collect();
            format!("its listeners' hostnames are {}", names.join(", "))
        }
    }
}

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    let f = &facts.refs;
    let mut out = Vec::new();
    let known = gateways(f);
    for vs in f.virtual_services.iter().filter(|vs| !vs.context) {
        for (i, (key, at)) in vs.gateways.iter().enumerate() {
            match known.get(key) {
                None if !known.is_empty() || facts.closed_world => {
                    let listed: Vec<String> =
                        known.keys().take(5).map(|k| format!("`{k}`")).collect();
                    let message = match listed.is_empty() {
                        true => format!("gateway `{key}` is not among the inputs (--closed-world: they hold no Gateway)"),
                        false => format!("gateway `{key}` is not among the inputs (known: {})", listed.join(", ")),
                    };
                    out.push(diag(
                        &GATEWAY_NOT_FOUND,
                        at,
                        message,
                        "check the gateway's name and namespace (`namespace/name`), or add it to the files checked",
                    ));
                }
                // Hosts are checked for the VirtualService's own binding only.
                Some(_) if i >= vs.own_gateways as usize => {}
                Some(accepts) => {
                    let gateway_ns = key.split_once('/').map_or("", |(ns, _)| ns);
                    if vs.hosts.is_empty() || serves(accepts, gateway_ns, &vs.namespace, &vs.hosts)
                    {
                        continue;
                    }
                    let hosts: Vec<String> =
                        vs.hosts.iter().map(|(h, _)| format!("`{h}`")).collect();
                    out.push(diag(
                        &HOST_NOT_IN_GATEWAY,
                        at,
                        format!(
                            "gateway `{key}` serves none of this VirtualService's hosts {} ({})",
                            hosts.join(", "),
                            describe(accepts)
                        ),
                        "add the hosts to one of the gateway's servers, or bind the VirtualService to the gateway that serves them",
                    ));
                }
                None => {}
            }
        }
        for (what, at) in &vs.duplicates {
            out.push(diag(
                &DUPLICATE_DESTINATION,
                at,
                format!("destination {what} appears twice in this route"),
                "route to another subset, or merge the two entries' weights",
            ));
        }
    }
    out
}
