//! Outlier detection (circuit breaker ejection) rules.

use crate::diagnostic::Finding;
use crate::rules::rule;
use crate::rules::ObjectContext;

rule!(
    PERCENT_RANGE,
    "IL3001",
    "outlier-percent-range",
    Error,
    DestinationRule,
    &["DestinationRule"],
    "maxEjectionPercent or minHealthPercent outside 0-100",
    "\
## What it checks
`outlierDetection.maxEjectionPercent` and `minHealthPercent` are percentages; Istio's webhook
rejects values outside 0-100 (the CRD schema does not).

## Example
```yaml
outlierDetection:
  maxEjectionPercent: 150    # IL3001
```
Corresponds to Istio's `validateOutlierDetection`.
",
    check: crate::rules::Check::Object(check)
);

rule!(
    EJECT_ALL,
    "IL3002",
    "outlier-can-eject-all",
    Warning,
    DestinationRule,
    &["DestinationRule"],
    "maxEjectionPercent 100 without minHealthPercent can eject every host",
    "\
## What it checks
`maxEjectionPercent: 100` with `minHealthPercent` unset or 0.

## Why it matters
When every endpoint misbehaves at once (a bad deploy, a shared dependency down), outlier
detection may eject all of them: every request then fails with 503 \"no healthy upstream\" until
the ejection time passes, even though some hosts could have served it. The tutorial's circuit
breaker does exactly this with a single failing pod.

## Example
```yaml
outlierDetection:
  consecutive5xxErrors: 1
  maxEjectionPercent: 100     # IL3002
```
Lower `maxEjectionPercent` (e.g. 50) or set `minHealthPercent` (e.g. 50) so that ejection stops
(panic mode) while too few hosts are healthy.
",
    check: crate::rules::Check::SharedWith(&PERCENT_RANGE)
);

rule!(
    GATEWAY_ERRORS_SHADOWED,
    "IL3003",
    "gateway-errors-shadowed",
    Warning,
    DestinationRule,
    &["DestinationRule"],
    "consecutiveGatewayErrors >= consecutive5xxErrors has no effect",
    "\
## What it checks
`consecutiveGatewayErrors` set to a value greater than or equal to `consecutive5xxErrors`.

## Why it matters
Gateway errors (502, 503, 504) are also 5xx errors, so the 5xx counter always reaches its
threshold first: the gateway-error setting never triggers an ejection.

## Example
```yaml
outlierDetection:
  consecutive5xxErrors: 3
  consecutiveGatewayErrors: 5    # IL3003
```
Make `consecutiveGatewayErrors` smaller than `consecutive5xxErrors`, or drop it.
",
    check: crate::rules::Check::SharedWith(&PERCENT_RANGE)
);

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    for tp in ctx.policies() {
        let od = tp.json.get("outlierDetection");
        if !od.is_object() {
            continue;
        }
        for field in ["maxEjectionPercent", "minHealthPercent"] {
            if let Some(v) = od[field].as_i64().filter(|v| !(0..=100).contains(v)) {
                out.push(
                    Finding::new(
                        &PERCENT_RANGE,
                        od.get(field),
                        format!("`{field}` is {v}, outside 0-100"),
                    )
                    .help("a percentage of the hosts: use a value from 0 to 100"),
                );
            }
        }
        let max = od["maxEjectionPercent"].as_i64();
        let min = od["minHealthPercent"].as_i64().unwrap_or(0);
        if max == Some(100) && min == 0 {
            out.push(
                Finding::new(
                    &EJECT_ALL,
                    od.get("maxEjectionPercent"),
                    "`maxEjectionPercent: 100` without `minHealthPercent` can eject every host: all requests then fail with 503",
                )
                .help("lower maxEjectionPercent (e.g. 50) or set minHealthPercent (e.g. 50)"),
            );
        }
        let x5 = od["consecutive5xxErrors"].as_i64();
        let gw = od["consecutiveGatewayErrors"].as_i64();
        if let (Some(x5), Some(gw)) = (x5, gw) {
            if x5 > 0 && gw >= x5 {
                out.push(
                    Finding::new(
                        &GATEWAY_ERRORS_SHADOWED,
                        od.get("consecutiveGatewayErrors"),
                        format!(
                            "`consecutiveGatewayErrors: {gw}` never triggers: gateway errors are 5xx, and `consecutive5xxErrors: {x5}` ejects first"
                        ),
                    )
                    .help(format!("use a value below {x5}, or remove it")),
                );
            }
        }
    }
}
