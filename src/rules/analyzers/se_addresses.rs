//! IL8005: a ServiceEntry with TCP ports and no addresses (Istio IST0134,
//! serviceentry.ProtocolAddressesAnalyzer).

use crate::diagnostic::Diagnostic;
use crate::rules::analyzers::diagnostic;
use crate::rules::cross::Facts;
use crate::rules::rule;

rule!(
    ADDRESSES_REQUIRED,
    "IL8005",
    "service-entry-addresses-required",
    Warning,
    Analyzer,
    &["ServiceEntry"],
    "A ServiceEntry port of protocol TCP (or none) without addresses",
    "## What it checks
A ServiceEntry without `addresses` (and without allocated `status.addresses`), for each port
whose `protocol` is TCP or unset. Quiet when a mesh config among the inputs turns on DNS capture
with address auto-allocation (`ISTIO_META_DNS_CAPTURE` and `ISTIO_META_DNS_AUTO_ALLOCATE` or
`PILOT_ENABLE_IP_AUTOALLOCATE` in `defaultConfig.proxyMetadata`). Istio IST0134
(`ServiceEntryAddressesRequired`).

## Why it matters
A TCP listener is matched by destination IP and port, not by host name: without an address the
sidecar listens on `0.0.0.0:port` for every destination, so two such ServiceEntries on one port
collide and traffic to other services on that port may be captured.

## Example
```yaml
kind: ServiceEntry
spec:
  hosts: [db.example.com]
  ports: [{number: 5432, name: tcp-postgres, protocol: TCP}]   # IL8005
  resolution: DNS
  # addresses: [240.0.0.10]
```
",
    help: "add spec.addresses (a VIP or the service's CIDR), or enable DNS capture with auto-allocation",
    check: crate::rules::Check::Cross(check)
);

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    let a = &facts.analyzers;
    if a.mesh.iter().any(|m| m.dns_auto_allocate) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for se in a.service_entries.iter().filter(|s| !s.context) {
        let name = se.item.meta.name.clone().unwrap_or_default();
        if !se.item.addresses.is_empty() || a.allocated.contains(&(se.ns.clone(), name)) {
            continue;
        }
        for port in &se.item.ports {
            let tcp = port
                .protocol
                .as_deref()
                .is_none_or(|p| p.is_empty() || p.eq_ignore_ascii_case("TCP"));
            if tcp {
                out.push(diagnostic(
                    &ADDRESSES_REQUIRED,
                    &se.item.meta,
                    &port.at,
                    "ServiceEntry addresses are required for this protocol.".to_string(),
                ));
            }
        }
    }
    out
}
