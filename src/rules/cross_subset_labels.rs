//! IL3016: label-less subsets, judged with what the other inputs say about
//! the host (a ServiceEntry, a gateway), so it runs over the cross-object index.

use crate::diagnostic::Diagnostic;
use crate::rules::cross::Facts;
use crate::rules::cross_refs::{diag, selects, RefFacts};
use crate::rules::rule;

rule!(
    SUBSET_NO_LABELS,
    "IL3016",
    "subset-without-labels",
    Warning,
    DestinationRule,
    &["DestinationRule"],
    "A subset without labels selects every endpoint of the host",
    "## What it checks
A `subsets[]` entry with no `labels` (Kiali KIA0209), except where a label-less subset is
deliberate, Istio's egress-gateway pattern:
- the subset carries its own `trafficPolicy` (a named policy for every endpoint);
- the host is not a cluster service (`*.svc.cluster.local`): a ServiceEntry's host, whose
  endpoints are usually an address without labels to tell apart;
- the host is a ServiceEntry host among the inputs;
- the host is a gateway's Service: Istio's `istio-ingressgateway` and `istio-egressgateway`
  (in any namespace), a Service among the inputs whose selector an Istio Gateway's selector
  matches, or the Service Istio creates for a Gateway API Gateway (`<name>-<gatewayClassName>`).
  Istio's egress-gateway task routes to `subset: cnn` of `istio-egressgateway` this way.

Unlike Kiali, istiolint stays silent there.

## Why it matters
Without labels the subset is the whole service: routing to it splits nothing, which is rarely what
a subset was written for (a forgotten `version: v2`).
",
    check: crate::rules::Check::Cross(check)
);

/// Istio's default gateway Services (the `istio-ingressgateway` and
/// `istio-egressgateway` charts and profiles).
const DEFAULT_GATEWAYS: [&str; 2] = ["istio-ingressgateway", "istio-egressgateway"];

/// Whether `host` (an FQDN) names a gateway's Service.
fn gateway_service(f: &RefFacts, host: &str) -> bool {
    let Some((name, ns)) = host
        .strip_suffix(".svc.cluster.local")
        .and_then(|rest| rest.split_once('.'))
    else {
        return false;
    };
    if DEFAULT_GATEWAYS.contains(&name) {
        return true;
    }
    let selected_by_gateway = f
        .selectors
        .iter()
        .filter(|(sns, sname, _)| sns == ns && sname == name)
        .any(|(_, _, selector)| {
            f.gateways
                .iter()
                .any(|g| !g.selector.is_empty() && selects(&g.selector, selector))
        });
    // Istio names a Gateway API Gateway's deployment and Service `<name>-<class>`.
    let generated = f.k8s_gateways.iter().any(|g| {
        g.namespace == ns
            && g.class_name
                .as_deref()
                .is_some_and(|class| name == format!("{}-{class}", g.name))
    });
    selected_by_gateway || generated
}

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    let f = &facts.refs;
    let mut out = Vec::new();
    for s in f.unlabelled.iter().filter(|s| !s.context) {
        let host = s.host.as_str();
        // The host itself: a wildcard entry (`*`) says nothing of this service.
        let entry = f.services.iter().any(|e| e.entry && e.host == host);
        if !host.ends_with(".svc.cluster.local") || entry || gateway_service(f, host) {
            continue;
        }
        out.push(diag(
            &SUBSET_NO_LABELS,
            &s.at,
            format!(
                "subset `{}` has no labels: it selects every endpoint of the host",
                s.name
            ),
            "add the labels that tell this subset's pods apart, e.g. `labels: {version: v2}`",
        ));
    }
    out
}
