//! Ambient mode: L7 DestinationRules and VirtualServices only act through a
//! waypoint (Kiali KIA0210-0212, KIA1109, KIA1113, KIA1114). Needs the
//! Namespaces (and Services) among the inputs: their labels say what is
//! Ambient and what uses a waypoint.

use std::collections::HashMap;

use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::model::host::service_namespace;
use crate::rules::cross::strings;
use crate::rules::cross_refs::{diag, Site};
use crate::rules::rule;

rule!(
    AMBIENT_NO_WAYPOINT,
    "IL5015",
    "ambient-l7-without-waypoint",
    Warning,
    CrossObject,
    &["DestinationRule", "VirtualService"],
    "L7 routing or traffic policy for an Ambient service that uses no waypoint",
    "## What it checks
When Namespace objects are among the inputs: a VirtualService with HTTP or TLS routes for the
mesh, or a DestinationRule with L7 settings (HTTP connection pool, outlier detection, hashing on
a header or cookie), for a Service in an Ambient namespace (`istio.io/dataplane-mode: ambient`)
that is not enrolled in a waypoint (`istio.io/use-waypoint` on the Service, else on its
Namespace; `none` opts out). Also such an object in an Ambient namespace without a waypoint
when none of its hosts is a known Service. Kiali KIA0211, KIA1113, KIA0210, KIA1109.

## Why it matters
In Ambient mode the node proxy (ztunnel) handles only L4: HTTP routing, retries, fault
injection, circuit breaking and outlier detection are applied by a waypoint, so without one
this configuration is silently ignored.

## Example
```yaml
# Namespace shop: labels {istio.io/dataplane-mode: ambient}   (no istio.io/use-waypoint)
kind: VirtualService
spec:
  hosts: [reviews]        # IL5015: label the namespace or Service with istio.io/use-waypoint
```
",
    check: crate::rules::Check::Cross(check)
);

rule!(
    AMBIENT_WRONG_NAMESPACE,
    "IL5016",
    "ambient-l7-outside-service-namespace",
    Warning,
    CrossObject,
    &["DestinationRule", "VirtualService"],
    "L7 configuration for an Ambient service lives outside the service's namespace",
    "## What it checks
A VirtualService or DestinationRule with L7 settings (see IL5015) in another namespace than the
Ambient Service it names. Kiali KIA0212, KIA1114.

## Why it matters
A waypoint applies the configuration of the service's own namespace: rules kept in a client's
namespace do not take effect for Ambient services. Move the object to the service's namespace.
",
    check: crate::rules::Check::SharedWith(&AMBIENT_NO_WAYPOINT)
);

/// What the Ambient rules need, collected per object.
#[derive(Clone, Debug, Default)]
pub struct AmbientFacts {
    /// Namespace name, Ambient or not, its `istio.io/use-waypoint` label.
    pub namespaces: Vec<(String, bool, Option<String>)>,
    /// Service FQDN and its `istio.io/use-waypoint` label.
    pub services: Vec<(String, Option<String>)>,
    // The L7 objects to report on are the DestinationRules and
    // VirtualServices of the index marked `l7`: their hosts and locations
    // are there already.
}

impl AmbientFacts {
    pub fn merge(&mut self, o: AmbientFacts) {
        self.namespaces.extend(o.namespaces);
        self.services.extend(o.services);
    }
}

const WAYPOINT: &str = "istio.io/use-waypoint";

pub fn collect(site: &Site, facts: &mut AmbientFacts) {
    let obj = site.obj;
    let ns = site.ns;
    let labels = &obj.json["metadata"]["labels"];
    let waypoint = labels[WAYPOINT].as_str().map(str::to_string);
    match (obj.group.as_str(), obj.kind.as_str()) {
        ("", "Namespace") => {
            let ambient = labels["istio.io/dataplane-mode"] == "ambient";
            facts
                .namespaces
                .extend(obj.name.clone().map(|n| (n, ambient, waypoint)));
        }
        ("", "Service") => {
            if let Some(name) = &obj.name {
                facts
                    .services
                    .push((format!("{name}.{ns}.svc.cluster.local"), waypoint));
            }
        }
        _ => {}
    }
}

/// Kiali's IsL7DestinationRule.
pub fn l7_destination_rule(spec: &Value) -> bool {
    let l7 = |tp: &Value| {
        let hash = &tp["loadBalancer"]["consistentHash"];
        !hash["httpHeaderName"].is_null()
            || !hash["httpCookie"].is_null()
            || !tp["connectionPool"]["http"].is_null()
            || !tp["outlierDetection"].is_null()
    };
    l7(&spec["trafficPolicy"])
        || spec["subsets"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| l7(&s["trafficPolicy"]))
}

/// HTTP or TLS routes that apply to the mesh.
pub fn l7_virtual_service(spec: &Value) -> bool {
    let routes = |k: &str| spec[k].as_array().is_some_and(|r| !r.is_empty());
    let gateways = strings(&spec["gateways"]);
    (routes("http") || routes("tls"))
        && (gateways.is_empty() || gateways.iter().any(|g| g == "mesh"))
}

fn enrolled(label: Option<&String>) -> Option<bool> {
    label.map(|l| !l.is_empty() && l != "none")
}

pub fn check(facts: &crate::rules::cross::Facts) -> Vec<Diagnostic> {
    let f = &facts.ambient;
    let namespaces: HashMap<&str, (bool, Option<&String>)> = f
        .namespaces
        .iter()
        .map(|(n, ambient, w)| (n.as_str(), (*ambient, w.as_ref())))
        .collect();
    let mut out = Vec::new();
    if !namespaces.values().any(|(ambient, _)| *ambient) {
        return out;
    }
    let services: HashMap<&str, Option<&String>> = f
        .services
        .iter()
        .map(|(h, w)| (h.as_str(), w.as_ref()))
        .collect();
    let destination_rules = facts
        .destination_rules
        .iter()
        .filter(|d| d.l7 && !d.context)
        .map(|d| (&*d.namespace, vec![(&*d.host, &d.at)]));
    let virtual_services = facts
        .refs
        .virtual_services
        .iter()
        .filter(|v| v.l7 && !v.context)
        .map(|v| {
            let hosts = v
                .keys
                .iter()
                .map(|k| &**k)
                .zip(v.hosts.iter().map(|(_, at)| at));
            (&*v.namespace, hosts.collect::<Vec<_>>())
        });
    for (ns, hosts) in destination_rules.chain(virtual_services) {
        let mut resolved = false;
        for &(host, at) in &hosts {
            let Some(service_ns) = service_namespace(host).filter(|_| !host.starts_with('*'))
            else {
                continue;
            };
            let (Some((true, ns_waypoint)), Some(svc_waypoint)) =
                (namespaces.get(service_ns), services.get(host))
            else {
                continue;
            };
            resolved = true;
            if service_ns != ns {
                out.push(diag(
                    &AMBIENT_WRONG_NAMESPACE,
                    at,
                    format!("`{host}` is an Ambient service of namespace {service_ns}: L7 configuration for it only takes effect there, not in {ns}"),
                    "move this object to the service's namespace",
                ));
            } else if !enrolled(*svc_waypoint)
                .or(enrolled(*ns_waypoint))
                .unwrap_or(false)
            {
                out.push(diag(
                    &AMBIENT_NO_WAYPOINT,
                    at,
                    format!("`{host}` is in Ambient namespace {service_ns} but uses no waypoint: this L7 configuration is ignored"),
                    "label the Service or its namespace with istio.io/use-waypoint (and deploy the waypoint)",
                ));
            }
        }
        let own = namespaces.get(ns);
        if let (false, Some((true, w)), Some((_, at))) = (resolved, own, hosts.first()) {
            if !enrolled(*w).unwrap_or(false) {
                out.push(diag(
                    &AMBIENT_NO_WAYPOINT,
                    at,
                    format!("namespace {ns} is Ambient without a waypoint: this L7 configuration is ignored"),
                    "label the namespace with istio.io/use-waypoint (and deploy the waypoint)",
                ));
            }
        }
    }
    out
}
