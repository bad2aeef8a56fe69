//! IL8002: a Gateway selector that matches none of the gateway workloads
//! among the inputs (Istio IST0101, gateway.IngressGatewayPortAnalyzer).

use crate::diagnostic::Diagnostic;
use crate::rules::analyzers::{diagnostic, selector_string};
use crate::rules::cross::Facts;
use crate::rules::rule;

rule!(
    GATEWAY_SELECTOR,
    "IL8002",
    "gateway-selector-matches-no-workload",
    Error,
    Analyzer,
    &["Gateway"],
    "A Gateway selector that matches no workload, while workloads with its label keys are among the inputs",
    "## What it checks
A Gateway's `selector` against the pod labels of the workloads among the inputs (Pods,
Deployments, StatefulSets, DaemonSets, ...). Istio IST0101 (`Referenced selector not found`).

## Open world
Gateway workloads usually live in another namespace or chart than the Gateway, so the rule
speaks only when the inputs contain a workload carrying one of the selector's label keys (a
gateway Deployment) and none carries all its labels: the classic mismatch is a Gateway selecting
`istio: ingressgateway` while the Helm gateway chart labels its pods `istio: ingress`. Without
such a workload it is quiet, where `istioctl analyze` on a cluster would report.

## Why it matters
No proxy takes the Gateway's servers: its hosts are not served and the VirtualServices bound to
it do nothing.

## Example
```yaml
kind: Gateway
spec:
  selector: {istio: ingressgateway}   # IL8002: the Deployment's pods have istio: ingress
```
",
    help: "make the selector match the gateway Deployment's pod template labels",
    check: crate::rules::Check::Cross(check)
);

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    let a = &facts.analyzers;
    let mut out = Vec::new();
    for gw in a.gateways.iter().filter(|g| !g.context) {
        let selector = &gw.item.selector;
        let Some(at) = &gw.item.selector_at else {
            continue;
        };
        if selector.is_empty() || a.selected(selector).next().is_some() {
            continue;
        }
        let mut near: Vec<String> = a
            .workloads
            .iter()
            .filter(|w| {
                let keys = &w.item.pod_labels;
                selector
                    .iter()
                    .any(|(k, _)| keys.iter().any(|(wk, _)| wk == k))
            })
            .map(|w| {
                let labels: Vec<(String, String)> = w
                    .item
                    .pod_labels
                    .iter()
                    .filter(|(k, _)| selector.iter().any(|(sk, _)| sk == k))
                    .cloned()
                    .collect();
                format!(
                    "{} {}/{} has {}",
                    w.item.meta.kind,
                    w.ns,
                    w.item.meta.name.as_deref().unwrap_or(""),
                    selector_string(&labels)
                )
            })
            .collect();
        if near.is_empty() {
            continue;
        }
        near.sort();
        near.dedup();
        out.push(diagnostic(
            &GATEWAY_SELECTOR,
            &gw.item.meta,
            at,
            format!(
                "Referenced selector not found: {:?}: no workload among the inputs has these labels ({})",
                selector_string(selector),
                near.join("; ")
            ),
        ));
    }
    out
}
