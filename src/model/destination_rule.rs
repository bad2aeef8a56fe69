//! DestinationRule (networking.istio.io), typed and located.
//!
//! The merged policy for one cluster (`effective_policy`, Istio's
//! MergeTrafficPolicy: top level, then the port-level entry, then the
//! subset's policy and its port-level entry) is implemented by the
//! `explain` work on top of these types, not here.

use crate::model::loc::{locs, Cursor, Loc, Located, Locs};
use crate::model::meta::Meta;
use crate::model::traffic_policy::TrafficPolicy;
use crate::model::virtual_service::items;

#[derive(Clone, Debug)]
pub struct DestinationRule {
    pub meta: Meta,
    /// As written (resolve with `Host::resolve` in the rule's namespace).
    pub host: Option<Located<String>>,
    pub traffic_policy: Option<TrafficPolicy>,
    pub subsets: Vec<Subset>,
    pub export_to: Vec<Located<String>>,
    /// `workloadSelector.matchLabels`, located at `workloadSelector`.
    pub workload_selector: Option<Located<Vec<(String, String)>>>,
}

#[derive(Clone, Debug)]
pub struct Subset {
    pub at: Loc,
    pub name: Option<Located<String>>,
    /// Label keys are located at the key itself, values at the value.
    pub labels: Vec<(Located<String>, Located<String>)>,
    /// Where the `labels` mapping is, when there is one.
    pub labels_at: Option<Loc>,
    pub traffic_policy: Option<TrafficPolicy>,
}

impl DestinationRule {
    pub fn build(spec: Option<Cursor>, meta: Meta) -> DestinationRule {
        let Some(spec) = spec else {
            return DestinationRule {
                meta,
                host: None,
                traffic_policy: None,
                subsets: Vec::new(),
                export_to: Vec::new(),
                workload_selector: None,
            };
        };
        DestinationRule {
            meta,
            host: spec.string("host"),
            traffic_policy: spec
                .get("trafficPolicy")
                .and_then(|c| TrafficPolicy::build(&c)),
            subsets: items(&spec, "subsets", |s| {
                Some(Subset {
                    at: s.loc(),
                    name: s.string("name"),
                    labels: s.located_pairs("labels"),
                    labels_at: s.map("labels").map(|l| l.loc()),
                    traffic_policy: s
                        .get("trafficPolicy")
                        .and_then(|c| TrafficPolicy::build(&c)),
                })
            }),
            export_to: spec.strings("exportTo"),
            workload_selector: spec
                .map("workloadSelector")
                .map(|w| Located::new(w.pairs("matchLabels"), w.loc())),
        }
    }

    pub fn subset(&self, name: &str) -> Option<&Subset> {
        self.subsets
            .iter()
            .find(|s| s.name.as_ref().is_some_and(|n| n.value == name))
    }
}

impl Locs for DestinationRule {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.meta, self.host, self.traffic_policy, self.subsets, self.export_to,
            self.workload_selector);
    }
}

impl Locs for Subset {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.name, self.labels, self.labels_at, self.traffic_policy);
    }
}
