//! IL8001: a Gateway server port that the Service of its workloads does not
//! expose (Istio IST0162, gateway.IngressGatewayPortAnalyzer).

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::rules::analyzers::{diagnostic, selector_string, selects};
use crate::rules::cross::Facts;
use crate::rules::rule;

rule!(
    GATEWAY_PORT,
    "IL8001",
    "gateway-port-not-on-service",
    Warning,
    Analyzer,
    &["Gateway"],
    "A Gateway server port that no Service of the gateway's workloads exposes",
    "## What it checks
For each Gateway whose selector matches workloads among the inputs, the Services (in the
workloads' namespace) that select those workloads: every server `port.number` must be one of
their TCP ports' `targetPort` (or `port`, when the target port is unset or named). Istio IST0162
(`GatewayPortNotDefinedOnService`).

## Open world
Quiet when no workload or no Service of the gateway is among the inputs.

## Why it matters
The proxy listens on the port, but the gateway's Service does not forward to it: clients
connecting through the Service (its load balancer) never reach the server.

## Example
```yaml
kind: Service                  # the gateway's: port 80 -> targetPort 8080
spec:
  selector: {istio: ingressgateway}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
kind: Gateway
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 9090, name: http, protocol: HTTP}   # IL8001: use 8080 (or 80)
```
",
    help: "listen on a targetPort of the gateway's Service, or add the port to the Service",
    check: crate::rules::Check::Cross(check)
);

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    let a = &facts.analyzers;
    let mut out = Vec::new();
    for gw in a.gateways.iter().filter(|g| !g.context) {
        let selector = &gw.item.selector;
        // Target ports, and service ports that map to a target port.
        let (mut targets, mut mapped) = (BTreeSet::new(), BTreeSet::new());
        let mut services = 0;
        for w in a.selected(selector) {
            for svc in a.services.iter().filter(|s| s.ns == w.ns) {
                let Some(svc_selector) = svc.item.selector.as_ref().filter(|s| !s.is_empty())
                else {
                    continue;
                };
                if !selects(svc_selector, &w.item.pod_labels) {
                    continue;
                }
                services += 1;
                for port in &svc.item.ports {
                    let tcp = port
                        .protocol
                        .as_deref()
                        .is_none_or(|p| p.eq_ignore_ascii_case("TCP"));
                    let Some(number) = port.number.filter(|_| tcp) else {
                        continue;
                    };
                    match port.target_port.as_ref().and_then(|t| t.as_u64()) {
                        Some(tp) if tp != 0 => {
                            targets.insert(tp);
                            mapped.insert(u64::from(number));
                        }
                        _ => {
                            targets.insert(u64::from(number));
                        }
                    }
                }
            }
        }
        if services == 0 {
            continue;
        }
        for server in &gw.item.servers {
            let Some(n) = server.port.as_ref().and_then(|p| p.number.as_ref()) else {
                continue;
            };
            let n64 = u64::from(n.value);
            if targets.contains(&n64) || mapped.contains(&n64) {
                continue;
            }
            out.push(diagnostic(
                &GATEWAY_PORT,
                &gw.item.meta,
                &n.at,
                format!(
                    "The gateway is listening on a target port (port {}) that is not defined in the Service associated with its workload instances (Pod selector {}). If you need to access the gateway port through the gateway Service, it will not be available.",
                    n.value,
                    selector_string(selector)
                ),
            ));
        }
    }
    out
}
