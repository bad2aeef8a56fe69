//! What Istio's webhook accepts in a DestinationRule but answers with a
//! warning (`Validation.Warning`). Each is its own rule so that a rule has
//! one severity; the checks that find them are the webhook's (`HOST_INVALID`).

use crate::rules::rule;

rule!(
    FAILOVER_WITHOUT_OUTLIER,
    "IL3018",
    "failover-without-outlier-detection",
    Warning,
    DestinationRule,
    &["DestinationRule"],
    "Locality failover without an outlier detection policy",
    "## What it checks
`loadBalancer.localityLbSetting` with `failover` or `failoverPriority` in a traffic policy that
has no `outlierDetection`.

## Why it matters
Envoy only fails over when it ejects unhealthy endpoints, which needs outlier detection: without
it, traffic never leaves the local locality. Istio accepts the rule with the warning
\"outlier detection policy must be provided for failover\" (`validateLocalityLbSetting`).

## Example
```yaml
trafficPolicy:
  loadBalancer:
    localityLbSetting: {enabled: true, failover: [{from: us-east, to: us-west}]}   # IL3018
  outlierDetection: {consecutive5xxErrors: 5}   # add this
```
Until this code existed these findings were IL3010 (`load-balancer-invalid`) printed as warnings.
",
    help: "add an outlierDetection policy next to the loadBalancer",
    check: crate::rules::Check::SharedWith(&super::webhook::HOST_INVALID)
);

rule!(
    SELECTOR_WITHOUT_LABELS,
    "IL3019",
    "workload-selector-without-labels",
    Warning,
    DestinationRule,
    &["DestinationRule"],
    "A workloadSelector without matchLabels",
    "## What it checks
`workloadSelector` set without any `matchLabels`.

## Why it matters
A selector without labels selects every workload of the namespace, which is rarely what its
author meant. Istio accepts it with the warning \"workload selector specified without labels\"
(`validateWorkloadSelector`).

## Example
```yaml
workloadSelector: {}                           # IL3019
workloadSelector: {matchLabels: {app: gateway}}
```
Until this code existed these findings were IL3014 (`workload-selector-invalid`) printed as
warnings.
",
    help: "add matchLabels, or drop the workloadSelector to apply to the whole namespace",
    check: crate::rules::Check::SharedWith(&super::webhook::HOST_INVALID)
);
