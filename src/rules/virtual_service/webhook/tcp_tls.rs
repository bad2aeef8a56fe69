//! TCP and TLS routes (Istio's `validateTCPRoute`, `validateTLSRoute`,
//! `validateSniHost`).

use super::{destination, gateways, push};
use crate::diagnostic::Finding;
use crate::model::host::covers;
use crate::model::virtual_service::L4Match;
use crate::model::VirtualService;
use crate::model::{JsonAt, Located};
use crate::rules::rule;
use crate::rules::validators as v;
use crate::rules::virtual_service::webhook_warnings as W;

rule!(
    TCP_TLS,
    "IL4018",
    "tcp-tls-route-invalid",
    Error,
    VirtualService,
    super::VS,
    "TCP or TLS routes Istio rejects",
    "## What it checks
A TLS route needs at least one match with at least one SNI host; TCP/TLS route destinations and
ports follow the HTTP rules.
",
    help: "TLS rules need matches with sniHosts within the VirtualService's hosts; TCP and TLS rules need a route",
    check: crate::rules::Check::SharedWith(&super::HOSTS)
);

/// A TCP route: `r` as written, `matches` the model's.
pub(super) fn tcp(r: &JsonAt, matches: &[L4Match], out: &mut Vec<Finding>) {
    common(r, "TCP", matches.iter(), out);
}

/// Istio's `isSniHost`: some TLS match of the VirtualService names SNI hosts.
pub(super) fn names_sni_hosts(vs: &VirtualService) -> bool {
    vs.tls
        .iter()
        .any(|r| r.matches.iter().any(|m| !m.sni_hosts.is_empty()))
}

/// A TLS route: at least one match, each with SNI hosts within `hosts`;
/// `gateway` as Istio's `isGateway` (no `mesh` among the gateways).
pub(super) fn tls<'a>(
    r: &JsonAt,
    matches: impl Iterator<Item = &'a L4Match>,
    hosts: &[Located<String>],
    gateway: bool,
    out: &mut Vec<Finding>,
) {
    let msg = "TLS route must have at least one match condition";
    match r["match"].as_array() {
        None => push(out, &TCP_TLS, r, msg),
        Some(ms) if ms.is_empty() => push(out, &TCP_TLS, r.get("match"), msg),
        Some(_) => {
            for m in r.get("match").items() {
                let snis = m.get("sniHosts");
                if snis.as_array().is_none_or(Vec::is_empty) {
                    let msg = "TLS match must have at least one SNI host";
                    push(out, &TCP_TLS, m, msg);
                    continue;
                }
                for sni in snis.items() {
                    if let Some(name) = sni.as_str() {
                        sni_host(&sni, name, hosts, gateway, out);
                    }
                }
            }
        }
    }
    common(r, "TLS", matches, out);
}

/// What TCP and TLS routes share: a route, match ports and gateways, destinations.
fn common<'a>(
    r: &JsonAt,
    what: &str,
    matches: impl Iterator<Item = &'a L4Match>,
    out: &mut Vec<Finding>,
) {
    if r["route"].as_array().is_none_or(Vec::is_empty) {
        push(out, &TCP_TLS, r, format!("{what} route is required"));
    }
    for m in r.get("match").items() {
        let port = m.get("port");
        if let Some(n) = port.as_i64().filter(|n| *n != 0) {
            if let Err(e) = v::port(n) {
                push(out, &TCP_TLS, port, e);
            }
        }
    }
    for m in matches {
        gateways::names(&m.gateways, out);
    }
    destination::route(r, false, out);
}

/// Istio's validateSniHost: a (wildcard) domain within one of the hosts; an
/// IP address is accepted with a warning. Off the mesh, the
/// `outbound_.15010_._.istiod...` form of an Istio cluster name is a domain too.
fn sni_host(
    at: &JsonAt,
    sni: &str,
    hosts: &[Located<String>],
    gateway: bool,
    out: &mut Vec<Finding>,
) {
    let valid = match gateway {
        true => v::gateway_domain(true, sni),
        false => v::wildcard_domain(sni),
    };
    if let Err(e) = valid {
        match sni.parse::<std::net::IpAddr>() {
            Ok(ip) => push(
                out,
                &W::SNI_IP_ADDRESS,
                at,
                format!("using an IP address (\"{ip}\") goes against SNI spec and most clients do not support this"),
            ),
            Err(_) => push(out, &TCP_TLS, at, e),
        }
        return;
    }
    // Istio's Name.SubsetOf: the SNI host within a VirtualService host.
    if !hosts.iter().any(|h| covers(h, sni)) {
        let names: Vec<&str> = hosts.iter().map(|h| h.as_str()).collect();
        push(
            out,
            &TCP_TLS,
            at,
            format!(
                "SNI host \"{sni}\" is not a compatible subset of any of the virtual service hosts: [{}]",
                names.join(", ")
            ),
        );
    }
}
