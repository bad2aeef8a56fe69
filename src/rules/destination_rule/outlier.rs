//! Outlier detection (circuit breaker ejection) rules.

use crate::diagnostic::{Finding, Severity};
use crate::rules::{Area, Rule};

use super::Policies;

pub static PERCENT_RANGE: Rule = Rule {
    code: "IL3001",
    name: "outlier-percent-range",
    severity: Severity::Error,
    area: Area::DestinationRule,
    kinds: &["DestinationRule"],
    summary: "maxEjectionPercent or minHealthPercent outside 0-100",
    help: "",
    doc: "\
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
};

pub static EJECT_ALL: Rule = Rule {
    code: "IL3002",
    name: "outlier-can-eject-all",
    severity: Severity::Warning,
    area: Area::DestinationRule,
    kinds: &["DestinationRule"],
    summary: "maxEjectionPercent 100 without minHealthPercent can eject every host",
    help: "",
    doc: "\
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
};

pub static GATEWAY_ERRORS_SHADOWED: Rule = Rule {
    code: "IL3003",
    name: "gateway-errors-shadowed",
    severity: Severity::Warning,
    area: Area::DestinationRule,
    kinds: &["DestinationRule"],
    summary: "consecutiveGatewayErrors >= consecutive5xxErrors has no effect",
    help: "",
    doc: "\
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
};

pub fn check(policies: &Policies, out: &mut Vec<Finding>) {
    for (at, tp) in policies {
        let od = &tp["outlierDetection"];
        if !od.is_object() {
            continue;
        }
        let base = format!("{at}/outlierDetection");
        for field in ["maxEjectionPercent", "minHealthPercent"] {
            if let Some(v) = od[field].as_i64().filter(|v| !(0..=100).contains(v)) {
                out.push(
                    Finding::new(
                        &PERCENT_RANGE,
                        format!("{base}/{field}"),
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
                    format!("{base}/maxEjectionPercent"),
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
                        format!("{base}/consecutiveGatewayErrors"),
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
