//! VirtualServices against each other: two of them routing the same host
//! for the same clients.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Diagnostic, Related};
use crate::rules::cross::share_a_namespace;
use crate::rules::cross_refs::{diag, VsFact};
use crate::rules::host_keys::HostKeys;
use crate::rules::rule;

rule!(
    HOST_CONFLICT,
    "IL5004",
    "virtual-service-host-conflict",
    Warning,
    CrossObject,
    &["VirtualService"],
    "Two VirtualServices define routes for overlapping hosts on the same gateway",
    "## What it checks
Two VirtualServices visible in a common namespace (exportTo) that both apply to the mesh with
overlapping hosts (the same service however spelled, `*`, or a wildcard such as
`*.bookinfo.svc.cluster.local` covering the other's host), or that both name a Gateway for
the very same host (a gateway serves the most specific of overlapping hosts). Every
VirtualService involved is reported, each naming the others.

## Why it matters
For sidecars Istio uses one VirtualService per host (the oldest wins) and for gateways it
merges them in creation order: routes disappear or change precedence depending on when the
objects were created. Istio IST0109, Kiali KIA1106. Merge them into one VirtualService, or use
delegation.
",
    check: crate::rules::Check::Cross(check)
);

rule!(
    GATEWAY_BYPASSES_SUBSETS,
    "IL5014",
    "gateway-route-bypasses-subsets",
    Warning,
    CrossObject,
    &["VirtualService"],
    "A gateway route sends to a host without subset while a mesh VirtualService splits it by subset",
    "## What it checks
An HTTP route of a VirtualService bound to a Gateway whose destination has no `subset`, while
another VirtualService for the mesh routes the same host to subsets. Istio IST0140.

## Why it matters
A VirtualService applies only to the gateways it names: requests entering through the ingress
gateway go to every version of the host, ignoring the canary split or version pinning defined
for the mesh. A classic surprise during canary releases.

## Example
```yaml
# VirtualService reviews (mesh): 90% subset v1, 10% subset v2
# VirtualService bookinfo (gateway: bookinfo-gateway):
route:
- destination: {host: reviews}     # IL5014: all versions, not 90/10
```
Repeat the split in the gateway's VirtualService, or bind one VirtualService to both the
gateway and `mesh`.
",
    check: crate::rules::Check::Cross(bypassed_subsets)
);

/// Conflicts named in one message; one more is looked for to say "...".
const NAMED: usize = 3;

pub fn check(facts: &crate::rules::cross::Facts) -> Vec<Diagnostic> {
    let f = &facts.refs;
    // One representative per object: the same object in two files is one.
    let mut seen = HashSet::new();
    let vss: Vec<&VsFact> = f
        .virtual_services
        .iter()
        .filter(|vs| seen.insert((vs.namespace.as_str(), &vs.object.name)))
        .collect();
    let mut groups: HashMap<&str, Vec<(usize, &str)>> = HashMap::new();
    for (i, vs) in vss.iter().enumerate() {
        for (key, (host, _)) in vs.keys.iter().zip(&vs.hosts) {
            groups.entry(key).or_default().push((i, host));
        }
    }
    let keys = HostKeys::new(groups.keys().copied());
    let mut out = Vec::new();
    for (i, vs) in vss.iter().enumerate().filter(|(_, vs)| !vs.context) {
        for (key, (host, at)) in vs.keys.iter().zip(&vs.hosts) {
            let mut others: Vec<usize> = Vec::new();
            'scan: for k in keys.overlapping(key) {
                for &(j, _) in &groups[k] {
                    if others.len() > NAMED {
                        break 'scan;
                    }
                    if j != i && !others.contains(&j) && conflict(vs, vss[j], k == key) {
                        others.push(j);
                    }
                }
            }
            let Some(&first) = others.first() else {
                continue;
            };
            let name = |j: usize| {
                let o = vss[j];
                let n = o.object.name.as_deref().unwrap_or("?");
                match o.namespace == vs.namespace {
                    true => n.to_string(),
                    false => format!("{}/{n}", o.namespace),
                }
            };
            let etc = if others.len() > NAMED { ", ..." } else { "" };
            others.truncate(NAMED);
            let more = match others.len() {
                1 => String::new(),
                2 => format!("; so does {}", name(others[1])),
                _ => {
                    let rest: Vec<String> = others[1..].iter().map(|&j| name(j)).collect();
                    format!("; so do {}{etc}", rest.join(", "))
                }
            };
            let mut d = diag(
                &HOST_CONFLICT,
                at,
                format!("host `{host}` is also routed by VirtualService {}{more}", name(first)),
                "merge the routes into one VirtualService (or use delegation): Istio keeps only one",
            );
            d.related = others
                .iter()
                .filter_map(|&j| {
                    let (h, oat) = vss[j]
                        .hosts
                        .iter()
                        .zip(&vss[j].keys)
                        .find(|(_, k)| keys.overlapping(key).any(|o| o == k.as_str()))?
                        .0;
                    (oat.file == at.file).then(|| Related {
                        file: oat.file.clone(),
                        span: oat.span,
                        label: format!("`{h}` in VirtualService {}", name(j)),
                    })
                })
                .collect();
            out.push(d);
        }
    }
    out
}

/// IST0140: gateway routes to hosts that a mesh VirtualService splits by subset.
pub fn bypassed_subsets(facts: &crate::rules::cross::Facts) -> Vec<Diagnostic> {
    let f = &facts.refs;
    let mut split: HashMap<&str, &VsFact> = HashMap::new();
    for vs in f.virtual_services.iter().filter(|vs| vs.mesh) {
        for d in vs
            .destinations
            .iter()
            .filter(|d| !d.mirror && d.subset.is_some() && vs.keys.contains(&d.host))
        {
            split.entry(d.host.as_str()).or_insert(vs);
        }
    }
    let mut out = Vec::new();
    if split.is_empty() {
        return out;
    }
    for vs in f
        .virtual_services
        .iter()
        .filter(|vs| !vs.context && !vs.gateways.is_empty())
    {
        let mut reported: Vec<&str> = Vec::new();
        for d in &vs.destinations {
            let http = d.at.pointer.starts_with("/spec/http/");
            let Some(x) = split
                .get(d.host.as_str())
                .filter(|x| !std::ptr::eq(**x, vs))
            else {
                continue;
            };
            if !http || d.mirror || d.subset.is_some() || reported.contains(&d.host.as_str()) {
                continue;
            }
            reported.push(&d.host);
            let name = x.object.name.as_deref().unwrap_or("?");
            out.push(diag(
                &GATEWAY_BYPASSES_SUBSETS,
                &d.at,
                format!(
                    "VirtualService {name} routes `{}` to subsets for the mesh, but requests through this gateway go to every version",
                    d.host
                ),
                "route to the subsets here too, or bind one VirtualService to both the gateway and `mesh`",
            ));
        }
    }
    out
}

/// Both apply to the mesh, or to a common gateway with the very same host (a
/// gateway serves the most specific of overlapping hosts), for a common namespace.
fn conflict(a: &VsFact, b: &VsFact, same_host: bool) -> bool {
    let gateway = (a.mesh && b.mesh)
        || same_host
            && a.gateways
                .iter()
                .any(|(g, _)| b.gateways.iter().any(|(h, _)| g == h));
    gateway && share_a_namespace((&a.namespace, &a.export_to), (&b.namespace, &b.export_to))
}
