//! Deprecation rules (IL6xxx).

use crate::diagnostic::{Applicability, Change, Finding, FixSpec};
use crate::duration;
use crate::model::{JsonAt, Model};
use crate::rules::destination_rule::Policies;
use crate::rules::{rule, ObjectContext, Rule};
use crate::schema::IstioVersion;

rule!(
    CONSECUTIVE_ERRORS,
    "IL6001",
    "consecutive-errors-ignored",
    Warning,
    Deprecation,
    &["DestinationRule"],
    "outlierDetection.consecutiveErrors is deprecated and ignored by current Istio",
    "\
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
    check: crate::rules::Check::Object(check)
);

/// DestinationRule deprecations, on its traffic policies.
pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let policies = ctx.policies();
    minimum_ring_size(policies, out);
    for tp in policies {
        let od = tp.json.get("outlierDetection");
        let Some(n) = od["consecutiveErrors"].as_i64() else {
            continue;
        };
        let message = if od["consecutive5xxErrors"].is_null() {
            format!("`consecutiveErrors: {n}` is ignored by current Istio; the proxy uses Envoy's default of 5 consecutive 5xx instead")
        } else {
            format!("`consecutiveErrors: {n}` is ignored by current Istio (`consecutive5xxErrors` applies)")
        };
        let pointer = String::from(od.get("consecutiveErrors"));
        let mut f = Finding::new(&CONSECUTIVE_ERRORS, pointer.clone(), message)
            .on_key()
            .help(format!("write `consecutive5xxErrors: {n}`"));
        if od["consecutive5xxErrors"].is_null() {
            // Unsafe: the breaker then really trips after n errors, as written.
            f = f.fix(FixSpec {
                title: "rename to consecutive5xxErrors".into(),
                applicability: Applicability::Unsafe,
                changes: vec![Change::Key {
                    pointer,
                    text: "consecutive5xxErrors".into(),
                }],
            });
        }
        out.push(f);
    }
}

rule!(
    OLD_API_VERSION,
    "IL6002",
    "old-api-version",
    Info,
    Deprecation,
    &[
        "DestinationRule",
        "VirtualService",
        "Gateway",
        "ServiceEntry",
        "Sidecar",
        "WorkloadEntry",
        "WorkloadGroup",
    ],
    "networking.istio.io/v1alpha3 or v1beta1 where v1 is served (Istio >= 1.22)",
    "\
## What it checks
`apiVersion: networking.istio.io/v1alpha3` or `v1beta1` when `--istio-version` is 1.22 or later.

## Why it matters
The three versions have the same schema; `v1` is the stable API from 1.22 and the stored version
from 1.27. New documentation, tools and generated manifests use `v1`; moving old files keeps them
consistent. The fix is safe: the object means exactly the same. Opt-in (the old versions are still
served): `istiolint check --fix --select old-api-version`.

## Example
```yaml
apiVersion: networking.istio.io/v1alpha3   # IL6002: use networking.istio.io/v1
```
",
    check: crate::rules::Check::Object(old_api_version),
    opt_in: true
);

rule!(
    MIRROR_PERCENT,
    "IL6003",
    "mirror-percent-deprecated",
    Warning,
    Deprecation,
    &["VirtualService"],
    "http[].mirrorPercent is deprecated; use mirrorPercentage",
    "\
## What it checks
The integer `mirrorPercent` of an HTTP route. Istio warns when it is used.

## Why it matters
`mirrorPercentage: {value: N}` replaces it and allows fractions. The fix is safe.

## Example
```yaml
mirrorPercent: 10          # IL6003
```
becomes `mirrorPercentage: {value: 10}`.
",
    check: crate::rules::Check::Object(percent_fields)
);

rule!(
    DURATION_SPELLING,
    "IL6004",
    "duration-spelling",
    Info,
    Deprecation,
    &[],
    "A duration written in a long form such as 120.000s (opt-in style rule)",
    "\
## What it checks
Durations whose shortest Go spelling differs from the written one: `120.000s` is `2m`, `1.000s`
is `1s`, `180s` is `3m`. Old generators (and `kubectl get -o yaml` on old clusters) produce the
long forms. Opt-in: enable it with `--select IL6004` (or `duration-spelling`).

## Why it matters
Style only; the fix is safe. Uniform spellings make reviews and diffs easier.
",
    check: crate::rules::Check::Object(duration_spelling),
    opt_in: true
);

rule!(
    MINIMUM_RING_SIZE,
    "IL6005",
    "minimum-ring-size-deprecated",
    Warning,
    Deprecation,
    &["DestinationRule"],
    "consistentHash.minimumRingSize is deprecated; use ringHash.minimumRingSize",
    "\
## What it checks
`loadBalancer.consistentHash.minimumRingSize`. Istio warns: the setting moved to
`consistentHash.ringHash.minimumRingSize` (1.16), next to the `maglev` alternative.

## Example
```yaml
consistentHash:
  httpHeaderName: x-user
  minimumRingSize: 1024          # IL6005
```
becomes `ringHash: {minimumRingSize: 1024}`.
",
    check: crate::rules::Check::SharedWith(&CONSECUTIVE_ERRORS)
);

rule!(
    DELAY_PERCENT,
    "IL6006",
    "delay-percent-deprecated",
    Warning,
    Deprecation,
    &["VirtualService"],
    "fault.delay.percent is deprecated; use percentage",
    "\
## What it checks
`http[].fault.delay.percent`, the integer predecessor of `percentage` (Istio IST0002).

## Why it matters
It is kept for compatibility only and cannot express fractions; tools and newer Istio
releases document only `percentage`.

## Example
```yaml
fault:
  delay:
    percent: 10          # IL6006: percentage: {value: 10}
    fixedDelay: 5s
```
",
    check: crate::rules::Check::SharedWith(&MIRROR_PERCENT)
);

const V1_SINCE: IstioVersion = IstioVersion::new(1, 22, 0);

/// IL6002 on any networking object.
fn old_api_version(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let obj = ctx.object;
    if ctx.version() >= V1_SINCE && (obj.version == "v1alpha3" || obj.version == "v1beta1") {
        let at = String::from(JsonAt::member(ctx.json(), "apiVersion"));
        out.push(
            Finding::new(
                &OLD_API_VERSION,
                at.clone(),
                format!("`{}` is served, but `networking.istio.io/v1` is the stable version since Istio 1.22", obj.api_version),
            )
            .help("the schema is identical: switch to networking.istio.io/v1")
            .fix(FixSpec {
                title: "use networking.istio.io/v1".into(),
                applicability: Applicability::Safe,
                changes: vec![Change::Value { pointer: at, text: "networking.istio.io/v1".into() }],
            }),
        );
    }
}

/// IL6003 and IL6006: integer percents of a VirtualService's HTTP routes.
fn percent_fields(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(Model::VirtualService(vs)) = ctx.model() else {
        return;
    };
    for r in &vs.http {
        if let Some(fault) = &r.fault {
            delay_percent(&JsonAt::of(fault).get("delay"), out);
        }
        let Some(percent) = r.mirror_percent.as_deref() else {
            continue;
        };
        if let Some(n) = percent.as_i64() {
            let free = r.mirror_percentage.is_none();
            out.push(percent_renamed(
                &MIRROR_PERCENT,
                percent.into(),
                ("mirrorPercent", "mirrorPercentage"),
                n,
                free,
            ));
        }
    }
}

/// IL6004 (opt-in: it walks every field).
fn duration_spelling(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    durations(&ctx.spec(), out);
}

/// IST0002: `fault.delay.percent` set (a positive value, as Istio checks).
fn delay_percent(delay: &JsonAt, out: &mut Vec<Finding>) {
    if let Some(n) = delay["percent"].as_i64().filter(|n| *n > 0) {
        let pointer = delay.get("percent").into();
        let free = delay["percentage"].is_null();
        out.push(percent_renamed(
            &DELAY_PERCENT,
            pointer,
            ("fault.delay.percent", "percentage"),
            n,
            free,
        ));
    }
}

/// An integer percent field replaced by a `Percent` object: the finding,
/// with a safe fix when the new field is not set already.
fn percent_renamed(
    rule: &'static Rule,
    pointer: String,
    (old, new): (&str, &str),
    n: i64,
    free: bool,
) -> Finding {
    let f = Finding::new(rule, pointer.clone(), format!("`{old}` is deprecated"))
        .on_key()
        .help(format!("write `{new}: {{value: {n}}}`"));
    if !free {
        return f;
    }
    f.fix(FixSpec {
        title: format!("use {new}"),
        applicability: Applicability::Safe,
        changes: vec![
            Change::Key {
                pointer: pointer.clone(),
                text: new.into(),
            },
            Change::Value {
                pointer,
                text: format!("{{value: {n}}}"),
            },
        ],
    })
}

fn minimum_ring_size(policies: &Policies, out: &mut Vec<Finding>) {
    for tp in policies {
        let lb = tp.json.get("loadBalancer");
        let hash = lb.get("consistentHash");
        let size = hash.get("minimumRingSize");
        if size.as_u64().is_some_and(|n| n != 0) {
            out.push(
                Finding::new(
                    &MINIMUM_RING_SIZE,
                    size,
                    "consistent hash MinimumRingSize is deprecated, use ConsistentHashLB's RingHash configuration instead",
                )
                .on_key()
                .help("write `ringHash: {minimumRingSize: N}` under consistentHash"),
            );
        }
    }
}

fn durations(spec: &JsonAt, out: &mut Vec<Finding>) {
    duration::for_each_field(spec, &spec.pointer(), &mut |pointer, _key, s| {
        let Ok(n) = duration::parse(s) else { return };
        let short = duration::format(n);
        if n > 0 && short != s && s.len() > short.len() {
            out.push(
                Finding::new(&DURATION_SPELLING, pointer(), format!("`{s}` is `{short}`")).fix(
                    FixSpec {
                        title: format!("write {short}"),
                        applicability: Applicability::Safe,
                        changes: vec![Change::Value {
                            pointer: pointer(),
                            text: short,
                        }],
                    },
                ),
            );
        }
    });
}
