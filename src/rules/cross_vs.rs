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
    "Two VirtualServices route overlapping hosts for the mesh, or both catch all requests of a host on a gateway",
    "## What it checks
Two VirtualServices visible in a common namespace (exportTo) that both apply to the mesh with
overlapping hosts (the same service however spelled, `*`, or a wildcard such as
`*.bookinfo.svc.cluster.local` covering the other's host). Istio IST0109, Kiali KIA1106.

On a Gateway, VirtualServices for the same host are merged by Istio (pilot's gateway route
builder concatenates their routes in creation order and moves catch-all routes to the end), so
splitting a gateway's routes over several VirtualServices is fine and is not reported; IST0109
only concerns the mesh. What is reported is the one real conflict of that merge: both
VirtualServices have an HTTP route that matches every request of the host (no `match`, or a
match on nothing but `uri: {prefix: /}` or `uri: {regex: .*}`). Only the older one's catch-all
is ever reached.

Every VirtualService involved is reported, each naming the others.

## Why it matters
For sidecars Istio uses one VirtualService per host (the oldest wins): routes disappear or
change precedence depending on when the objects were created. On a gateway, the second
catch-all route silently never matches. Merge them into one VirtualService, or use
delegation; on a gateway, keep a single catch-all route per host.
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
        .filter(|vs| seen.insert((&*vs.namespace, &vs.object.name)))
        .collect();
    // The VirtualServices of each host key, in input order: one sorted list
    // cut into runs, not a list per key (memory of a large run).
    let mut entries: Vec<(&str, usize)> = vss
        .iter()
        .enumerate()
        .flat_map(|(i, vs)| vs.keys.iter().map(move |key| (&**key, i)))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let groups: HashMap<&str, &[(&str, usize)]> = entries
        .chunk_by(|a, b| a.0 == b.0)
        .map(|run| (run[0].0, run))
        .collect();
    let keys = HostKeys::new(groups.keys().copied());
    let mut out = Vec::new();
    for (i, vs) in vss.iter().enumerate().filter(|(_, vs)| !vs.context) {
        for (key, (host, at)) in vs.keys.iter().zip(&vs.hosts) {
            let mut others: Vec<usize> = Vec::new();
            'scan: for k in keys.overlapping(key) {
                for &(_, j) in groups[k] {
                    if others.len() > NAMED {
                        break 'scan;
                    }
                    if j != i && !others.contains(&j) && conflict(vs, vss[j], *k == **key) {
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
            let on_mesh = others.iter().any(|&j| vs.mesh && vss[j].mesh);
            let (what, help) = if on_mesh {
                ("", "merge the routes into one VirtualService (or use delegation): Istio keeps only one")
            } else {
                (
                    " on a common gateway, and both have a catch-all route",
                    "Istio merges them on the gateway and only the older catch-all route is reached: keep one catch-all route per host",
                )
            };
            let mut d = diag(
                &HOST_CONFLICT,
                at,
                format!(
                    "host `{host}` is also routed by VirtualService {}{what}{more}",
                    name(first)
                ),
                help,
            );
            d.related = others
                .iter()
                .filter_map(|&j| {
                    let (h, oat) = vss[j]
                        .hosts
                        .iter()
                        .zip(&vss[j].keys)
                        .find(|(_, k)| keys.overlapping(key).any(|o| *o == ***k))?
                        .0;
                    (oat.file() == at.file()).then(|| Related {
                        file: oat.file().clone(),
                        span: oat.span(),
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
            split.entry(&*d.host).or_insert(vs);
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
            let Some(x) = split.get(&*d.host).filter(|x| !std::ptr::eq(**x, vs)) else {
                continue;
            };
            if !d.http || d.mirror || d.subset.is_some() || reported.contains(&&*d.host) {
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

/// Both apply to the mesh, or both catch every request of the very same host
/// on a common gateway (Istio merges gateway VirtualServices otherwise), for
/// a common namespace.
fn conflict(a: &VsFact, b: &VsFact, same_host: bool) -> bool {
    let gateway = (a.mesh && b.mesh)
        || same_host
            && a.catch_all
            && b.catch_all
            && a.gateways
                .iter()
                .any(|(g, _)| b.gateways.iter().any(|(h, _)| g == h));
    gateway && share_a_namespace((&a.namespace, &a.export_to), (&b.namespace, &b.export_to))
}

/// An HTTP route that matches every request, as pilot's `IsCatchAllRoute`
/// sees it: no `match`, or a match with no header, query or method condition
/// and a URI of prefix `/` or regex `.*` (or none). Matches that pilot
/// filters on (port, source labels, gateways) are not counted.
pub fn http_catch_all(spec: &serde_json::Value) -> bool {
    let routes = spec["http"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    routes
        .iter()
        .filter(|r| r.get("delegate").is_none())
        .any(|r| {
            let matches = r["match"].as_array().map(Vec::as_slice).unwrap_or_default();
            matches.is_empty() || matches.iter().any(catch_all_match)
        })
}

fn catch_all_match(m: &serde_json::Value) -> bool {
    let Some(fields) = m.as_object() else {
        return false;
    };
    let only_uri = fields
        .keys()
        .all(|k| matches!(k.as_str(), "uri" | "ignoreUriCase" | "name"));
    let uri = &m["uri"];
    only_uri && (uri.is_null() || uri["prefix"] == "/" || uri["regex"] == ".*")
}
