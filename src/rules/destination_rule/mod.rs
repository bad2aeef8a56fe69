//! DestinationRule rules (IL3xxx).

pub mod outlier;
pub mod pool;
pub mod tls_verify;
pub mod webhook;
pub mod webhook_warnings;

use serde_json::Value;

use crate::model::{DestinationRule, JsonAt, TrafficPolicy};

/// One traffic policy of a DestinationRule as written, located by the model.
#[derive(Clone, Debug)]
pub struct Policy<'a> {
    pub json: JsonAt<'a>,
    /// A `portLevelSettings` entry (which has fewer fields).
    pub port_level: bool,
}

/// A DestinationRule's traffic policies, computed once per object and
/// shared by the rules.
pub type Policies<'a> = [Policy<'a>];

/// Every traffic policy of the DestinationRule `dr` (whose JSON is `root`):
/// the top-level one, each subset's, and their port-level settings, in
/// pointer order.
pub fn traffic_policies<'a>(dr: &DestinationRule, root: &'a Value) -> Vec<Policy<'a>> {
    let mut out = Vec::new();
    let subsets = dr.subsets.iter().filter_map(|s| s.traffic_policy.as_ref());
    for tp in dr.traffic_policy.iter().chain(subsets) {
        push_policy(tp, root, &mut out);
    }
    out.sort_by_cached_key(|p| p.json.pointer());
    out
}

fn push_policy<'a>(tp: &TrafficPolicy, root: &'a Value, out: &mut Vec<Policy<'a>>) {
    for port in &tp.port_level_settings {
        let json = JsonAt::at(root, &port.at);
        out.push(Policy {
            json,
            port_level: true,
        });
    }
    let json = JsonAt::at(root, &tp.at);
    out.push(Policy {
        json,
        port_level: false,
    });
}
