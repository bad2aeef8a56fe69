//! Route weights: how traffic is split between destinations.

use crate::model::{JsonAt, Model};

use crate::diagnostic::Finding;
use crate::rules::rule;
use crate::rules::ObjectContext;
use crate::schema::IstioVersion;

rule!(
    NEGATIVE_WEIGHT,
    "IL4001",
    "negative-weight",
    Error,
    VirtualService,
    &["VirtualService"],
    "A route destination has a negative weight",
    "\
## What it checks
`weight` below 0 on an http, tcp or tls route destination. Istio's webhook rejects it.

## Example
```yaml
route:
- destination: {host: reviews, subset: v1}
  weight: -10      # IL4001
```
",
    check: crate::rules::Check::Object(check)
);

rule!(
    ALL_WEIGHTS_ZERO,
    "IL4002",
    "all-weights-zero",
    Error,
    VirtualService,
    &["VirtualService"],
    "Every destination of a multi-destination route has weight 0",
    "\
## What it checks
A route with two or more destinations whose weights are all 0 (explicitly). Istio rejects it:
no destination would receive traffic.

## Example
```yaml
route:
- destination: {host: reviews, subset: v1}
  weight: 0
- destination: {host: reviews, subset: v2}
  weight: 0        # IL4002
```
",
    check: crate::rules::Check::SharedWith(&NEGATIVE_WEIGHT)
);

rule!(
    WEIGHTS_NOT_100,
    "IL4003",
    "weights-not-100",
    Warning,
    VirtualService,
    &["VirtualService"],
    "The weights of a multi-destination route do not add up to 100",
    "\
## What it checks
A route with two or more destinations whose weights do not sum to 100 (an omitted weight counts
as 0).

## Why it matters
Since Istio 1.15 weights are relative: `1` and `3` give 25% and 75%. Before 1.15 the webhook
rejected such a route, so with `--istio-version` below 1.15 this is an error. Either way, a
reader expects percentages; a split that doesn't add up is usually a mistake (a 50/50 split
edited to 75/50).

## Example
```yaml
route:
- destination: {host: recommendation, subset: version-v1}
  weight: 75
- destination: {host: recommendation, subset: version-v2}
  weight: 50       # IL4003: weights add up to 125
```
",
    check: crate::rules::Check::SharedWith(&NEGATIVE_WEIGHT),
    severity_before: Some((RELATIVE_WEIGHTS_SINCE, crate::diagnostic::Severity::Error))
);

rule!(
    SINGLE_DESTINATION_WEIGHT,
    "IL4004",
    "single-destination-weight",
    Info,
    VirtualService,
    &["VirtualService"],
    "A lone destination has a weight other than 100; it gets all traffic anyway",
    "\
## What it checks
A route with one destination and an explicit weight that is not 100.

## Why it matters
A single destination receives 100% of the traffic whatever its weight says; `weight: 50`
suggests a split that does not exist (often a destination was deleted and its partner's
weight not updated).

## Example
```yaml
route:
- destination: {host: reviews, subset: v1}
  weight: 50       # IL4004
```
Remove the weight or add the missing destination.
",
    check: crate::rules::Check::SharedWith(&NEGATIVE_WEIGHT)
);

/// Istio treats weights as relative from 1.15 on.
const RELATIVE_WEIGHTS_SINCE: IstioVersion = IstioVersion::new(1, 15, 0);

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(Model::VirtualService(vs)) = ctx.model() else {
        return;
    };
    let http = vs.http.iter().map(|r| &r.at);
    let l4 = vs
        .tcp
        .iter()
        .map(|r| &r.at)
        .chain(vs.tls.iter().map(|r| &r.at));
    for at in http.chain(l4) {
        // The entries as written: one without a destination still counts.
        let written = ctx.json_at(at);
        let route = written.get("route");
        if route.is_array() {
            check_route(&route.items(), ctx.version(), out);
        }
    }
}

fn check_route(dests: &[JsonAt], version: IstioVersion, out: &mut Vec<Finding>) {
    let weights: Vec<Option<i64>> = dests.iter().map(|d| d["weight"].as_i64()).collect();
    for (d, w) in dests.iter().zip(&weights) {
        if let Some(w) = w.filter(|w| *w < 0) {
            out.push(
                Finding::new(
                    &NEGATIVE_WEIGHT,
                    d.get("weight"),
                    format!("weight {w} is negative"),
                )
                .help("weights are 0 or more; use 0 to send no traffic to this destination"),
            );
        }
    }
    if weights.iter().any(|w| w.is_some_and(|w| w < 0)) {
        return;
    }
    let Some(last) = dests.last().map(|d| String::from(d.get("weight"))) else {
        return;
    };
    // The last destination may have no weight (it then counts as 0).
    let at_last = |f: Finding| match dests.last().and_then(|d| d.value.get("weight")) {
        Some(_) => f,
        None => f.absent(),
    };
    if dests.len() == 1 {
        if let Some(w) = weights[0].filter(|w| *w != 100 && *w != 0) {
            out.push(
                Finding::new(
                    &SINGLE_DESTINATION_WEIGHT,
                    dests[0].get("weight"),
                    format!("the only destination gets 100% of the traffic, whatever its weight ({w}) says"),
                )
                .help("remove the weight, or add the destination that should share the traffic"),
            );
        }
        return;
    }
    if weights.iter().all(|w| w.is_none()) {
        return; // No weights at all: Istio sends everything to the first.
    }
    let sum: i64 = weights.iter().map(|w| w.unwrap_or(0)).sum();
    if sum == 0 {
        out.push(at_last(
            Finding::new(
                &ALL_WEIGHTS_ZERO,
                last,
                format!(
                    "all {} destinations have weight 0: no destination would get traffic",
                    dests.len()
                ),
            )
            .help("give at least one destination a positive weight"),
        ));
        return;
    }
    if sum != 100 {
        let shares: Vec<String> = weights
            .iter()
            .map(|w| format!("{:.1}%", w.unwrap_or(0) as f64 * 100.0 / sum as f64))
            .collect();
        let mut f = Finding::new(
            &WEIGHTS_NOT_100,
            last,
            format!("weights add up to {sum}, not 100"),
        );
        if version < RELATIVE_WEIGHTS_SINCE {
            f.message
                .push_str(&format!("; Istio {version} rejects this route"));
        } else {
            f.message.push_str(&format!(
                "; Istio treats them as relative: {}",
                shares.join(" / ")
            ));
        }
        out.push(at_last(f.help(
            "make the weights add up to 100 so they read as percentages",
        )));
    }
}
