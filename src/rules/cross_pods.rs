//! IL5009: DestinationRule subsets against the endpoints of their Service.
//! An endpoint carries its pod's labels plus the ones Istio adds
//! (pilot/pkg/serviceregistry/util/label AugmentLabels): its Node's region,
//! zone and subzone, the node name, the cluster and the network.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::rules::cross::Facts;
use crate::rules::cross_refs::{diag, selects, Labels, SubsetLabels, WorkloadFact};
use crate::rules::rule;

rule!(
    SUBSET_NO_PODS,
    "IL5009",
    "subset-selects-no-pods",
    Warning,
    CrossObject,
    &["DestinationRule"],
    "A subset whose labels select none of the service's workloads among the inputs",
    "## What it checks
When the Service of a DestinationRule's host and its workloads (Deployments, StatefulSets,
DaemonSets, ReplicaSets, Pods) are among the inputs: each subset's labels must match at least one
workload that the Service selects.

Endpoints carry more labels than their pods, as in Istio (AugmentLabels): the locality
(`topology.kubernetes.io/region`, `topology.kubernetes.io/zone`, `topology.istio.io/subzone`,
from the pod's `topology.istio.io/locality` or `istio-locality` label, else from its Node's labels,
the `failure-domain.beta.kubernetes.io/*` ones too), `kubernetes.io/hostname` (the node name),
`topology.istio.io/cluster` and `topology.istio.io/network`. Node labels are read from Node
objects among the inputs: a Pod's own node (`spec.nodeName`), any Node for a controller's pods.
Without Node objects, these keys are not checked: a subset selecting by topology only is never
reported. The cluster and the network are never known offline and never checked.

With `--closed-world`, a Service whose selector matches no workload among the inputs is
reported too (its subsets have no endpoints).

## Why it matters
A subset without endpoints turns every request routed to it into a 503 (`no healthy upstream`),
typically after a label was renamed (`version: v2` vs `version: 2`). Istio IST0173.
",
    check: crate::rules::Check::Cross(check)
);

const REGION: &str = "topology.kubernetes.io/region";
const ZONE: &str = "topology.kubernetes.io/zone";
const SUBZONE: &str = "topology.istio.io/subzone";
const HOSTNAME: &str = "kubernetes.io/hostname";
/// Set from the proxy's cluster and network: unknown offline.
const UNKNOWABLE: [&str; 2] = ["topology.istio.io/cluster", "topology.istio.io/network"];
/// Labels Istio derives from the pod's Node.
const FROM_NODE: [&str; 4] = [REGION, ZONE, SUBZONE, HOSTNAME];

/// The labels of one possible endpoint of a workload, and the keys whose
/// value cannot be known from the inputs (they match any value).
struct Endpoint<'a> {
    labels: Labels,
    unknown: Vec<&'a str>,
}

impl Endpoint<'_> {
    fn selected_by(&self, selector: &SubsetLabels) -> bool {
        selector.iter().all(|(k, v)| {
            self.unknown.contains(&&**k)
                || self
                    .labels
                    .iter()
                    .any(|(lk, lv)| **lk == **k && **lv == **v)
        })
    }
}

fn label<'l>(labels: &'l Labels, key: &str) -> Option<&'l str> {
    labels
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Region, zone and subzone of a Node (GA labels first, then the beta ones).
fn node_locality(labels: &Labels) -> [String; 3] {
    let get = |ga: &str, beta: &str| {
        label(labels, ga)
            .or_else(|| label(labels, beta))
            .unwrap_or("")
            .to_string()
    };
    [
        get(REGION, "failure-domain.beta.kubernetes.io/region"),
        get(ZONE, "failure-domain.beta.kubernetes.io/zone"),
        get(SUBZONE, SUBZONE),
    ]
}

/// The pod's own locality label (`a.b.c` or `a/b/c`), as Istio reads it.
fn pod_locality(labels: &Labels) -> Option<[String; 3]> {
    let raw =
        label(labels, "topology.istio.io/locality").or_else(|| label(labels, "istio-locality"))?;
    let sep = if raw.contains('/') { '/' } else { '.' };
    let mut parts = raw.split(sep).map(str::to_string);
    Some([
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    ])
}

/// Every endpoint label set a workload's pods may have.
fn endpoints<'a>(w: &WorkloadFact, nodes: &'a [(String, Labels)]) -> Vec<Endpoint<'a>> {
    let mut unknown: Vec<&str> = UNKNOWABLE.to_vec();
    if nodes.is_empty() {
        // Without Nodes, nothing derived from them is checked.
        unknown.extend(FROM_NODE);
        return vec![Endpoint {
            labels: w.labels.clone(),
            unknown,
        }];
    }
    let own = pod_locality(&w.labels);
    // A Pod runs on its node; a controller's pods on any of them.
    let placements: Vec<(&str, Option<&Labels>)> = match &w.node {
        Some(name) => vec![(
            name.as_str(),
            nodes.iter().find(|(n, _)| n == name).map(|(_, l)| l),
        )],
        None => nodes.iter().map(|(n, l)| (n.as_str(), Some(l))).collect(),
    };
    placements
        .into_iter()
        .map(|(node, node_labels)| {
            let mut labels = w.labels.clone();
            let mut unknown = unknown.clone();
            let locality = own.clone().or_else(|| node_labels.map(node_locality));
            match locality {
                Some(parts) => {
                    for (key, value) in [REGION, ZONE, SUBZONE].into_iter().zip(parts) {
                        if !value.is_empty() {
                            labels.retain(|(k, _)| k != key);
                            labels.push((key.to_string(), value));
                        }
                    }
                }
                // The pod's node is not among the inputs.
                None => unknown.extend([REGION, ZONE, SUBZONE]),
            }
            labels.retain(|(k, _)| k != HOSTNAME);
            labels.push((HOSTNAME.to_string(), node.to_string()));
            Endpoint { labels, unknown }
        })
        .collect()
}

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    let f = &facts.refs;
    let mut out = Vec::new();
    // Indexed once: Services by FQDN, workloads by namespace.
    let mut selectors: HashMap<String, (&str, &Labels)> = HashMap::new();
    for (ns, name, selector) in &f.selectors {
        let fqdn = format!("{name}.{ns}.svc.cluster.local");
        selectors.entry(fqdn).or_insert((ns.as_str(), selector));
    }
    let mut workloads: HashMap<&str, Vec<&WorkloadFact>> = HashMap::new();
    for w in &f.workloads {
        workloads.entry(w.namespace.as_str()).or_default().push(w);
    }
    for (host, subset_labels, at) in &f.subsets {
        let Some(&(ns, selector)) = selectors.get(&**host) else {
            continue;
        };
        let pods: Vec<&WorkloadFact> = workloads
            .get(ns)
            .into_iter()
            .flatten()
            .copied()
            .filter(|w| selects(selector, &w.labels))
            .collect();
        if pods.is_empty() && !facts.closed_world {
            continue;
        }
        let selected = pods.iter().any(|w| {
            endpoints(w, &f.nodes)
                .iter()
                .any(|e| e.selected_by(subset_labels))
        });
        if selected {
            continue;
        }
        let want = subset_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        let message = match pods.len() {
            0 => format!("labels {want} select no workload: the Service `{host}` selects none among the inputs, declared complete by --closed-world"),
            n => format!("labels {want} select none of the {n} workload(s) of `{host}` among the inputs"),
        };
        out.push(diag(
            &SUBSET_NO_PODS,
            at,
            message,
            match subset_labels.iter().any(|(k, _)| FROM_NODE.contains(&&**k)) {
                true => "check the labels against the workloads' pod template labels and the topology labels of their Nodes among the inputs",
                false => "check the labels against the workloads' pod template labels",
            },
        ));
    }
    out
}
