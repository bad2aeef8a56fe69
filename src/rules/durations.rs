//! Durations as Istio's webhook validates them (`ValidateDuration`): they
//! must parse, be at least 1ms, and have millisecond precision.

use crate::diagnostic::Finding;
use crate::duration;
use crate::rules::rule;
use crate::rules::ObjectContext;
use crate::schema::IstioVersion;

rule!(
    DURATION_INVALID,
    "IL2007",
    "duration-invalid",
    Error,
    Schema,
    &["DestinationRule", "VirtualService"],
    "A duration that does not parse, is below 1ms, or is finer than a millisecond",
    "## What it checks
Every duration field (`interval`, `baseEjectionTime`, `connectTimeout`, `timeout`,
`perTryTimeout`, `fixedDelay`...): Go syntax with a unit, at least 1ms, and millisecond
precision (`1.5ms` and `2.000000005s` are rejected). From Istio 1.22 the CRD schema also checks
the first two (reported as IL2003); this rule covers older releases and the precision.
`tcp.idleTimeout` of `0s` disables the timeout and is accepted, as Istio does.

## Example
```yaml
outlierDetection:
  interval: 1.5ms        # IL2007: only durations to ms precision are supported
```
",
    help: "write a duration such as 500ms, 5s or 1m: at least 1ms, in whole milliseconds",
    check: crate::rules::Check::Object(check)
);

/// The bundled 1.20 schemas carry no CEL duration rules.
const CEL_DURATIONS_SINCE: IstioVersion = IstioVersion::new(1, 22, 0);

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let (spec, release) = (ctx.spec(), ctx.release());
    let check_range = release < CEL_DURATIONS_SINCE;
    duration::for_each_field(&spec, &spec.pointer(), &mut |pointer, k, s| {
        let idle_off = k == "idleTimeout" && duration::parse(s).is_ok_and(|n| n < 1_000_000);
        let problem = match duration::parse(s) {
            _ if idle_off => None,
            Err(e) if check_range => Some(e),
            Err(_) => None,
            Ok(n) if n < 1_000_000 && check_range => {
                Some(format!("duration {s} must be at least 1ms"))
            }
            Ok(n) if n >= 1_000_000 && n % 1_000_000 != 0 => Some(format!(
                "duration {s}: only durations to ms precision are supported"
            )),
            Ok(_) => None,
        };
        if let Some(p) = problem {
            out.push(Finding::new(
                &DURATION_INVALID,
                pointer(),
                format!("`{k}`: {p}"),
            ));
        }
    });
}
