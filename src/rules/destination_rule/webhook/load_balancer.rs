//! A policy's `loadBalancer` (Istio's `validateLoadBalancer` and locality
//! settings).

use super::push;
use crate::diagnostic::Finding;
use crate::model::JsonAt;
use crate::rules::destination_rule::webhook_warnings::FAILOVER_WITHOUT_OUTLIER;
use crate::rules::rule;

rule!(
    LB_INVALID,
    "IL3010",
    "load-balancer-invalid",
    Error,
    DestinationRule,
    super::DR,
    "Load-balancer settings Istio rejects (cookie, ring hash, maglev, locality)",
    "## What it checks
`httpCookie` without a name; `minimumRingSize` together with `ringHash` or `maglev`; maglev
`tableSize` missing, too large or not prime; locality `distribute` with `failover`, weights
outside 1-100 or not adding up to 100, and failover regions.
",
    help: "run `istiolint rule IL3010` for the load-balancer settings Istio accepts together",
    check: crate::rules::Check::SharedWith(&super::HOST_INVALID)
);

/// `has_outlier`: the policy has an outlierDetection (failover needs one).
pub(super) fn check(lb: &JsonAt, has_outlier: bool, out: &mut Vec<Finding>) {
    if !lb.is_object() {
        return;
    }
    let ch = lb.get("consistentHash");
    if ch.is_object() {
        consistent_hash(&ch, out);
    }
    let locality = lb.get("localityLbSetting");
    if locality.is_object() {
        self::locality(&locality, has_outlier, out);
    }
}

fn consistent_hash(ch: &JsonAt, out: &mut Vec<Finding>) {
    let cookie = ch.get("httpCookie");
    if cookie.is_object() && cookie["name"].as_str().unwrap_or("").is_empty() {
        push(out, &LB_INVALID, cookie, "name required for HttpCookie");
    }
    if ch["minimumRingSize"].as_u64().is_some_and(|n| n != 0)
        && (ch["ringHash"].is_object() || ch["maglev"].is_object())
    {
        let msg = "only one of MinimumRingSize or Maglev/Ringhash can be specified";
        push(out, &LB_INVALID, ch.get("minimumRingSize"), msg);
    }
    let maglev = ch.get("maglev");
    if maglev.is_object() {
        let size = maglev["tableSize"].as_u64().unwrap_or(0);
        let msg = if size == 0 {
            "tableSize must be set for maglev"
        } else if size >= 5_000_011 {
            "tableSize must be less than 5000011 for maglev"
        } else if !is_prime(size) {
            "tableSize must be a prime number for maglev"
        } else {
            return;
        };
        push(out, &LB_INVALID, maglev, msg);
    }
}

fn locality(loc: &JsonAt, has_outlier: bool, out: &mut Vec<Finding>) {
    let distribute = loc.get("distribute");
    let failover = loc.get("failover");
    let listed = |l: &JsonAt| l.as_array().is_some_and(|a| !a.is_empty());
    if listed(&distribute) && listed(&failover) {
        let msg = "can not simultaneously specify 'distribute' and 'failover'";
        push(out, &LB_INVALID, loc, msg);
        return;
    }
    for d in distribute.items() {
        let to = d.get("to");
        let mut total = 0;
        for (_, w) in to.entries() {
            let w = w.as_i64().unwrap_or(0);
            if w <= 0 || w > 100 {
                push(
                    out,
                    &LB_INVALID,
                    to,
                    "locality weight must be in range [1, 100]",
                );
                return;
            }
            total += w;
        }
        if total != 100 {
            push(
                out,
                &LB_INVALID,
                to,
                format!("total locality weight {total} != 100"),
            );
            return;
        }
    }
    for f in failover.items() {
        let (from, to) = (
            f["from"].as_str().unwrap_or(""),
            f["to"].as_str().unwrap_or(""),
        );
        let msg = if from == to {
            "locality lb failover settings must specify different regions"
        } else if from.contains('/') || to.contains('/') {
            "locality lb failover only specify region"
        } else if from.contains('*') || to.contains('*') {
            "locality lb failover region should not contain '*' wildcard"
        } else {
            continue;
        };
        push(out, &LB_INVALID, f, msg);
    }
    if (listed(&failover) || listed(&loc.get("failoverPriority"))) && !has_outlier {
        let msg = "outlier detection policy must be provided for failover";
        push(out, &FAILOVER_WITHOUT_OUTLIER, loc, msg);
    }
}

fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n < 4 {
        return true;
    }
    if n.is_multiple_of(2) {
        return false;
    }
    let mut i = 3;
    while i * i <= n {
        if n.is_multiple_of(i) {
            return false;
        }
        i += 2;
    }
    true
}
