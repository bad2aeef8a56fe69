//! DestinationRule rules (IL3xxx).

pub mod outlier;
pub mod pool;
pub mod tls_verify;
pub mod webhook;
pub mod webhook_warnings;

use serde_json::Value;

/// A DestinationRule's traffic policies with their pointers, computed once
/// per object and shared by the rules.
pub type Policies<'a> = [(String, &'a Value)];

/// Every traffic policy of a DestinationRule with its pointer: the top-level
/// one, each subset's, and their port-level settings.
pub fn traffic_policies(json: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    let mut bases = vec![(
        "/spec/trafficPolicy".to_string(),
        &json["spec"]["trafficPolicy"],
    )];
    for (i, s) in json["spec"]["subsets"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        bases.push((
            format!("/spec/subsets/{i}/trafficPolicy"),
            &s["trafficPolicy"],
        ));
    }
    for (base, tp) in bases {
        if !tp.is_object() {
            continue;
        }
        for (i, p) in tp["portLevelSettings"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            out.push((format!("{base}/portLevelSettings/{i}"), p));
        }
        out.push((base, tp));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}
