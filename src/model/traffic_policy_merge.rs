//! The policy one Envoy cluster gets from a DestinationRule, merged as Istio
//! merges it (pilot/pkg/networking/util/util.go MergeSubsetTrafficPolicy and
//! GetPortLevelTrafficPolicy, pilot/pkg/model/destination_rule.go
//! MergeTrafficPolicy):
//!
//! 1. the top-level policy, unless a `portLevelSettings` entry names the
//!    port: then that entry replaces connectionPool, outlierDetection,
//!    loadBalancer and tls wholesale (a part it omits is back to the
//!    default, not inherited);
//! 2. the subset's policy: each part it sets replaces the part from step 1;
//!    but when the subset has a port-level entry for the port, that entry
//!    replaces all four parts wholesale, again without inheriting.
//!
//! The first port-level entry with the port wins, as in Istio's loop.
//! Mesh-wide `defaultTrafficPolicy` (applyDefaultTrafficPolicy) is not read:
//! the inputs are manifests, not a MeshConfig.

use crate::model::destination_rule::DestinationRule;
use crate::model::traffic_policy::{
    ClientTls, ConnectionPool, LoadBalancer, OutlierDetection, PortTrafficPolicy, TrafficPolicy,
};

/// Where one part of an effective policy was decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Nothing set it: Istio's and Envoy's defaults apply.
    Default,
    TopLevel,
    /// The top-level `portLevelSettings` entry for this port.
    Port(u32),
    Subset(String),
    /// The subset's `portLevelSettings` entry for this port.
    SubsetPort(String, u32),
}

impl Origin {
    /// "top level", "port 9080", "subset v2", "subset v2 port 9080".
    pub fn describe(&self) -> String {
        match self {
            Origin::Default => "defaults".into(),
            Origin::TopLevel => "top level".into(),
            Origin::Port(p) => format!("port {p}"),
            Origin::Subset(s) => format!("subset {s}"),
            Origin::SubsetPort(s, p) => format!("subset {s} port {p}"),
        }
    }
}

/// One merged part and where it came from (`value` is `None` when the
/// deciding level left the part out).
#[derive(Clone, Debug)]
pub struct Part<'a, T> {
    pub value: Option<&'a T>,
    pub origin: Origin,
}

impl<T> Default for Part<'_, T> {
    fn default() -> Self {
        Part {
            value: None,
            origin: Origin::Default,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct EffectivePolicy<'a> {
    pub connection_pool: Part<'a, ConnectionPool>,
    pub outlier_detection: Part<'a, OutlierDetection>,
    pub load_balancer: Part<'a, LoadBalancer>,
    pub tls: Part<'a, ClientTls>,
}

impl<'a> EffectivePolicy<'a> {
    /// Step 1 or 2 with a port-level entry: all four parts, set or not.
    fn replace_from_port(&mut self, p: &'a PortTrafficPolicy, origin: Origin) {
        self.connection_pool = Part {
            value: p.connection_pool.as_deref(),
            origin: origin.clone(),
        };
        self.outlier_detection = Part {
            value: p.outlier_detection.as_deref(),
            origin: origin.clone(),
        };
        self.load_balancer = Part {
            value: p.load_balancer.as_deref(),
            origin: origin.clone(),
        };
        self.tls = Part {
            value: p.tls.as_deref(),
            origin,
        };
    }

    /// Only the parts `tp` sets.
    fn override_from(&mut self, tp: &'a TrafficPolicy, origin: Origin) {
        fn set<'a, T>(part: &mut Part<'a, T>, value: Option<&'a T>, origin: &Origin) {
            if value.is_some() {
                *part = Part {
                    value,
                    origin: origin.clone(),
                };
            }
        }
        set(
            &mut self.connection_pool,
            tp.connection_pool.as_deref(),
            &origin,
        );
        set(
            &mut self.outlier_detection,
            tp.outlier_detection.as_deref(),
            &origin,
        );
        set(
            &mut self.load_balancer,
            tp.load_balancer.as_deref(),
            &origin,
        );
        set(&mut self.tls, tp.tls.as_deref(), &origin);
    }
}

/// The first `portLevelSettings` entry for `port` (Istio's loop `break`s).
fn port_entry(tp: &TrafficPolicy, port: Option<u32>) -> Option<(u32, &PortTrafficPolicy)> {
    let port = port?;
    let entry = tp
        .port_level_settings
        .iter()
        .find(|p| p.port.as_ref().is_some_and(|n| n.value == port))?;
    Some((port, entry))
}

impl DestinationRule {
    /// The policy Envoy gets for the cluster of `subset` (None: the host's
    /// default cluster) on `port` (None: a port no port-level entry names).
    /// A subset name the rule does not define gives the default cluster's
    /// policy.
    pub fn effective_policy(&self, subset: Option<&str>, port: Option<u32>) -> EffectivePolicy<'_> {
        let mut eff = EffectivePolicy::default();
        if let Some(tp) = &self.traffic_policy {
            match port_entry(tp, port) {
                Some((n, p)) => eff.replace_from_port(p, Origin::Port(n)),
                None => eff.override_from(tp, Origin::TopLevel),
            }
        }
        let subset = subset.and_then(|name| self.subset(name).map(|s| (name, s)));
        if let Some((name, tp)) = subset.and_then(|(n, s)| Some((n, s.traffic_policy.as_ref()?))) {
            match port_entry(tp, port) {
                Some((n, p)) => eff.replace_from_port(p, Origin::SubsetPort(name.to_string(), n)),
                None => eff.override_from(tp, Origin::Subset(name.to_string())),
            }
        }
        eff
    }

    /// Ports named by any `portLevelSettings` entry (top level or subsets),
    /// sorted: each is a cluster whose policy may differ from the others.
    pub fn policy_ports(&self) -> Vec<u32> {
        let policies = self.traffic_policy.iter().chain(
            self.subsets
                .iter()
                .filter_map(|s| s.traffic_policy.as_ref()),
        );
        let mut ports: Vec<u32> = policies
            .flat_map(|tp| &tp.port_level_settings)
            .filter_map(|p| p.port.as_ref().map(|n| n.value))
            .collect();
        ports.sort_unstable();
        ports.dedup();
        ports
    }
}
