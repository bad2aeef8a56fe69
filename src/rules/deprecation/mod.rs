//! Deprecation rules (IL6xxx).

use crate::diagnostic::{Finding, Severity};
use crate::objects::Object;
use crate::rules::destination_rule::traffic_policies;
use crate::rules::{Area, Rule};

pub static CONSECUTIVE_ERRORS: Rule = Rule {
    code: "IL6001",
    name: "consecutive-errors-ignored",
    severity: Severity::Warning,
    area: Area::Deprecation,
    kinds: &["DestinationRule"],
    summary: "outlierDetection.consecutiveErrors is deprecated and ignored by current Istio",
    doc: "\
## What it checks
`outlierDetection.consecutiveErrors`, the pre-1.5 spelling.

## Why it matters
Current Istio ignores it. Unless `consecutive5xxErrors` is also set, the proxy falls back to
Envoy's default of 5 consecutive 5xx: a breaker written as `consecutiveErrors: 1` silently
becomes one that trips after 5 errors.

## Example
```yaml
outlierDetection:
  consecutiveErrors: 1        # IL6001
```
Write `consecutive5xxErrors: 1` (it counts 5xx responses; the old field counted 502-504).
",
};

pub fn check(obj: &Object, out: &mut Vec<Finding>) {
    for (at, tp) in traffic_policies(&obj.json) {
        let od = &tp["outlierDetection"];
        let Some(n) = od["consecutiveErrors"].as_i64() else {
            continue;
        };
        let message = if od["consecutive5xxErrors"].is_null() {
            format!("`consecutiveErrors: {n}` is ignored by current Istio; the proxy uses Envoy's default of 5 consecutive 5xx instead")
        } else {
            format!("`consecutiveErrors: {n}` is ignored by current Istio (`consecutive5xxErrors` applies)")
        };
        out.push(
            Finding::new(
                &CONSECUTIVE_ERRORS,
                format!("{at}/outlierDetection/consecutiveErrors"),
                message,
            )
            .on_key()
            .help(format!("write `consecutive5xxErrors: {n}`")),
        );
    }
}
