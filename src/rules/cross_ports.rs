//! Route destinations against the ports of the Service or ServiceEntry they
//! name (Istio IST0112 and the host:port case of IST0101).

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::rules::cross_refs::{diag, Dest, RefFacts};
use crate::rules::rule;

rule!(
    DESTINATION_PORT,
    "IL5013",
    "destination-port-mismatch",
    Warning,
    CrossObject,
    &["VirtualService"],
    "A destination without a port on a multi-port service, or with a port the service lacks",
    "## What it checks
When the Service or ServiceEntry a route destination names is among the inputs (or
`--context`): a destination without `port` on a service that exposes several ports, and a
`port.number` that is not one of the service's ports. Istio IST0112 and IST0101.

## Why it matters
With several ports, the route applies to every one of them, which is rarely meant (gRPC and
metrics on the same route). A port the service does not expose matches no cluster: requests
fail with 503 (`NR`).

## Example
```yaml
# Service reviews: ports 9080 (http) and 9090 (metrics)
route:
- destination: {host: reviews, port: {number: 9080}}
```
"
);

pub fn check(f: &RefFacts) -> Vec<Diagnostic> {
    let mut ports: HashMap<&str, Vec<u64>> = HashMap::new();
    for (host, numbers) in f.ports.iter().filter(|(h, _)| !h.contains('*')) {
        let known = ports.entry(host.as_str()).or_default();
        for n in numbers {
            if !known.contains(n) {
                known.push(*n);
            }
        }
    }
    let mut out = Vec::new();
    for vs in f.virtual_services.iter().filter(|vs| !vs.context) {
        for Dest { host, port, at, .. } in &vs.destinations {
            let Some(known) = ports.get(host.as_str()).filter(|p| !p.is_empty()) else {
                continue;
            };
            let mut sorted = known.clone();
            sorted.sort_unstable();
            let list = sorted
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            match port {
                None if known.len() > 1 => out.push(diag(
                    &DESTINATION_PORT,
                    at,
                    format!("`{host}` exposes ports {list}: this destination names none"),
                    "add `port: {number: N}` to the destination for the port this route is for",
                )),
                Some((p, port_at)) if !known.contains(p) => out.push(diag(
                    &DESTINATION_PORT,
                    port_at,
                    format!("port {p} is not a port of `{host}` (it has {list})"),
                    "use one of the service's ports",
                )),
                _ => {}
            }
        }
    }
    out
}
