//! Cross-object rules about DestinationRules against each other, against
//! PeerAuthentications and against the namespaces that exist. Each fires
//! only when what it compares with is among the inputs or `--context`.

use std::collections::{BTreeSet, HashMap};

use crate::diagnostic::{Diagnostic, Related};
use crate::model::host::{covers, service_namespace};
use crate::model::{JsonAt, Model};
use crate::rules::cross::{share_a_namespace, DrFact, Facts};
use crate::rules::cross_refs::{diag, Located, Site};
use crate::rules::host_keys::HostKeys;
use crate::rules::rule;

rule!(
    DUPLICATE_DR,
    "IL5005",
    "multiple-destination-rules",
    Warning,
    CrossObject,
    &["DestinationRule"],
    "Two DestinationRules for overlapping hosts that define the same subset, or one without subsets",
    "## What it checks
Two DestinationRules without workload selectors, visible in a common namespace, whose hosts
overlap (the same service however spelled: `reviews`, `reviews.bookinfo`,
`reviews.bookinfo.svc.cluster.local`; or one inside the other's wildcard), and that define a
subset of the same name, or of which one defines no subsets (it then covers every subset).
Mesh- and namespace-wide `ISTIO_MUTUAL` rules (`*.local`, `*.<ns>.svc.cluster.local`) are
meant to overlap and are left out. Both rules are reported, each naming the other.

## Why it matters
Istio merges DestinationRules for one host only partly: the first rule's traffic policy wins,
a subset defined twice keeps its first definition, and a more specific host replaces a wildcard
rule entirely. Which one is first depends on creation time. Kiali KIA0201.

## Example
```yaml
# reviews-lb:  host: reviews           trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
# reviews-v2:  host: reviews.bookinfo.svc.cluster.local   subsets: [{name: v2, ...}]
# IL5005 on both: reviews-lb has no subsets, so it overlaps every subset of reviews-v2.
```
Distinct subsets of one host in two rules (`v1` in one, `v2` in another) are fine.
",
    check: crate::rules::Check::Cross(check)
);

rule!(
    MTLS_OVERRIDDEN,
    "IL5010",
    "mtls-overridden",
    Warning,
    CrossObject,
    &["DestinationRule"],
    "A DestinationRule without TLS settings overrides a mesh- or namespace-wide ISTIO_MUTUAL rule",
    "## What it checks
When a mesh-wide (`host: \"*.local\"`) or namespace-wide (`host: \"*.<ns>.svc.cluster.local\"`)
DestinationRule with `tls.mode: ISTIO_MUTUAL` is among the inputs, a more specific
DestinationRule for a host it covers must repeat the TLS settings (Kiali KIA0204).

## Why it matters
Only one DestinationRule applies to a host: the specific one wins, and without `tls` the traffic
to that host is no longer sent with Istio mutual TLS (unless auto-mTLS saves it).

## Example
```yaml
trafficPolicy:
  loadBalancer: {simple: ROUND_ROBIN}   # IL5010: add tls: {mode: ISTIO_MUTUAL}
```
",
    check: crate::rules::Check::SharedWith(&DUPLICATE_DR)
);

rule!(
    MTLS_DISABLED_UNDER_STRICT,
    "IL5011",
    "mtls-disabled-under-strict",
    Error,
    CrossObject,
    &["DestinationRule"],
    "A DestinationRule disables TLS towards workloads whose PeerAuthentication is STRICT",
    "## What it checks
A DestinationRule with `trafficPolicy.tls.mode: DISABLE` for hosts in a namespace whose
effective PeerAuthentication (the namespace's own selector-less one, else the mesh-wide one in
the root namespace, `istio-system` unless a mesh config among the inputs says otherwise) has
`mtls.mode: STRICT`. Rules for a single service are skipped when workload-specific
PeerAuthentications exist in its namespace (they may relax it). Kiali KIA0207 (namespace
PeerAuthentication) and KIA0208 (mesh-wide).

## Why it matters
Clients then send plain text to servers that accept only mutual TLS: every connection is reset
(`upstream connect error ... reset reason: connection termination`).

## Example
```yaml
# PeerAuthentication default in bookinfo: mtls: {mode: STRICT}
host: \"*.bookinfo.svc.cluster.local\"
trafficPolicy:
  tls: {mode: DISABLE}      # IL5011: use ISTIO_MUTUAL, or make the namespace PERMISSIVE
```
",
    check: crate::rules::Check::SharedWith(&DUPLICATE_DR)
);

rule!(
    EXPORT_TO_UNKNOWN_NAMESPACE,
    "IL5012",
    "export-to-unknown-namespace",
    Warning,
    CrossObject,
    &["DestinationRule", "VirtualService", "ServiceEntry"],
    "exportTo names a namespace that is not among the inputs' namespaces",
    "## What it checks
When `Namespace` objects are among the inputs or `--context` (for example
`kubectl get ns -o yaml`), each `exportTo` entry other than `.`, `*` and `~` must name one of
them, or the namespace of an object among the inputs. Kiali KIA0005.

## Why it matters
Istio accepts any namespace name, so a typo exports the rule to nobody: the clients in the
intended namespace silently keep the default behaviour.
",
    check: crate::rules::Check::SharedWith(&DUPLICATE_DR)
);

/// Facts about the mesh around the rules: PeerAuthentications, namespaces
/// and the exportTo entries to check against them.
#[derive(Clone, Debug, Default)]
pub struct MeshFacts {
    pub peer_authentications: Vec<PeerAuth>,
    /// Names of `Namespace` objects.
    pub namespaces: BTreeSet<String>,
    /// Namespaces that objects among the inputs live in.
    pub object_namespaces: BTreeSet<String>,
    /// `rootNamespace` from a mesh config (ConfigMap `istio` with `data.mesh`).
    pub root_namespace: Option<String>,
    /// exportTo entries of rules to report on.
    pub export_to: Vec<(String, Located)>,
}

#[derive(Clone, Debug)]
pub struct PeerAuth {
    pub namespace: String,
    pub name: String,
    pub selector: bool,
    pub mode: Option<String>,
}

impl MeshFacts {
    pub fn merge(&mut self, o: MeshFacts) {
        self.peer_authentications.extend(o.peer_authentications);
        self.namespaces.extend(o.namespaces);
        self.object_namespaces.extend(o.object_namespaces);
        self.root_namespace = self.root_namespace.take().or(o.root_namespace);
        self.export_to.extend(o.export_to);
    }
}

const DEFAULT_ROOT_NAMESPACE: &str = "istio-system";

pub fn collect(site: &Site, facts: &mut MeshFacts) {
    let obj = site.obj;
    let ns = site.ns;
    if !facts.object_namespaces.contains(ns) {
        facts.object_namespaces.insert(ns.to_string());
    }
    match (obj.group.as_str(), obj.kind.as_str()) {
        ("", "Namespace") => facts.namespaces.extend(obj.name.clone()),
        ("", "ConfigMap") | ("security.istio.io", "PeerAuthentication") => {
            match site.model {
                Some(Model::MeshConfig(m)) => {
                    facts.root_namespace = m.root_namespace.clone().or(m.meta.namespace.clone());
                }
                Some(Model::PeerAuthentication(p)) => facts.peer_authentications.push(PeerAuth {
                    namespace: ns.to_string(),
                    name: obj.name.clone().unwrap_or_default(),
                    // Istio: no selector, or one without labels, is namespace-wide.
                    selector: p.selector.as_ref().is_some_and(|l| !l.is_empty()),
                    mode: p.mtls_mode.as_ref().map(|m| m.value.clone()),
                }),
                _ => {}
            }
        }
        ("networking.istio.io", kind) => {
            if matches!(kind, "DestinationRule" | "VirtualService" | "ServiceEntry") {
                for e in JsonAt::member(&obj.json, "spec").get("exportTo").items() {
                    if let Some(name) = e.as_str() {
                        facts.export_to.push((name.to_string(), site.at(e.into())));
                    }
                }
            }
        }
        _ => {}
    }
}

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    let mut out = duplicates(&facts.destination_rules);
    out.extend(mtls_overridden(&facts.destination_rules));
    out.extend(mtls_disabled(&facts.mesh, &facts.destination_rules));
    out.extend(unknown_export_namespaces(&facts.mesh));
    out
}

/// Mesh- or namespace-wide `ISTIO_MUTUAL` rules: overlapping is their point.
fn wide_mtls(d: &DrFact) -> bool {
    d.tls_mode() == Some("ISTIO_MUTUAL")
        && (&*d.host == "*.local" || *d.host == *format!("*.{}.svc.cluster.local", d.namespace))
}

fn same_object(a: &DrFact, b: &DrFact) -> bool {
    a.namespace == b.namespace && a.at.object().name == b.at.object().name
}

fn subsets_collide<'a>(a: &'a DrFact, b: &DrFact) -> Vec<&'a str> {
    if a.subsets.is_empty() || b.subsets.is_empty() {
        return vec![];
    }
    a.subsets
        .iter()
        .filter(|s| b.subsets.contains(s))
        .map(|s| &**s)
        .collect()
}

/// The rules for one host key. A large group is indexed by subset name so
/// that a large input stays linear (a rule without subsets overlaps them
/// all); a small one, nearly every host, is scanned: an index per host was
/// the peak memory of a large run.
#[derive(Default)]
struct HostGroup<'a> {
    all: Vec<&'a DrFact>,
    index: Option<Box<SubsetIndex<'a>>>,
}

#[derive(Default)]
struct SubsetIndex<'a> {
    without_subsets: Vec<&'a DrFact>,
    by_subset: HashMap<&'a str, Vec<&'a DrFact>>,
}

/// Groups up to this size are scanned rather than indexed.
const SCANNED_GROUP: usize = 8;

impl<'a> HostGroup<'a> {
    fn push(&mut self, d: &'a DrFact) {
        self.all.push(d);
        if let Some(index) = &mut self.index {
            index.add(d);
        } else if self.all.len() > SCANNED_GROUP {
            let mut index = SubsetIndex::default();
            self.all.iter().for_each(|d| index.add(d));
            self.index = Some(Box::new(index));
        }
    }

    /// The rules of this group that may clash with `d`: those without
    /// subsets, then those sharing each of `d`'s subsets in turn.
    fn candidates<'s>(&'s self, d: &'s DrFact) -> Box<dyn Iterator<Item = &'a DrFact> + 's> {
        if d.subsets.is_empty() {
            return Box::new(self.all.iter().copied());
        }
        match &self.index {
            Some(index) => {
                let named = d
                    .subsets
                    .iter()
                    .flat_map(|s| index.by_subset.get(&**s).into_iter().flatten().copied());
                Box::new(index.without_subsets.iter().copied().chain(named))
            }
            None => {
                let without = self.all.iter().copied().filter(|o| o.subsets.is_empty());
                let named = d.subsets.iter().flat_map(move |s| {
                    self.all
                        .iter()
                        .copied()
                        .filter(move |o| o.subsets.contains(s))
                });
                Box::new(without.chain(named))
            }
        }
    }
}

impl<'a> SubsetIndex<'a> {
    fn add(&mut self, d: &'a DrFact) {
        if d.subsets.is_empty() {
            self.without_subsets.push(d);
        }
        for s in &d.subsets {
            self.by_subset.entry(&**s).or_default().push(d);
        }
    }
}

/// Clashes named in one message; one more is looked for to say "...".
const NAMED_CLASHES: usize = 4;

fn duplicates(drs: &[DrFact]) -> Vec<Diagnostic> {
    // One representative per object: the same object in two files is one rule.
    let mut seen = std::collections::HashSet::new();
    let eligible: Vec<&DrFact> = drs
        .iter()
        .filter(|d| !d.selector && !wide_mtls(d))
        .filter(|d| seen.insert((&*d.namespace, d.at.object().name.as_deref())))
        .collect();
    let mut groups: HashMap<&str, HostGroup> = HashMap::new();
    for d in &eligible {
        groups.entry(&*d.host).or_default().push(d);
    }
    let keys = HostKeys::new(groups.keys().copied());
    let mut out = Vec::new();
    for d in eligible.iter().filter(|d| !d.context) {
        let key = &*d.host;
        let mut clashes: Vec<(&DrFact, Vec<&str>)> = Vec::new();
        for k in keys.overlapping(key) {
            for o in groups[k].candidates(d) {
                if clashes.len() > NAMED_CLASHES {
                    break;
                }
                let fresh = !clashes.iter().any(|(c, _)| std::ptr::eq(*c, o));
                if fresh
                    && !same_object(d, o)
                    && share_a_namespace((&d.namespace, &d.export_to), (&o.namespace, &o.export_to))
                {
                    clashes.push((o, subsets_collide(d, o)));
                }
            }
        }
        let etc = if clashes.len() > NAMED_CLASHES {
            ", ..."
        } else {
            ""
        };
        clashes.truncate(NAMED_CLASHES);
        let Some((first, shared)) = clashes.first() else {
            continue;
        };
        let first_key = &*first.host;
        let subsets = {
            let s = if shared.len() == 1 { "" } else { "s" };
            let names = shared.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>();
            format!("subset{s} {}", names.join(", "))
        };
        let what = if first_key == key {
            match shared.is_empty() {
                true => format!("also applies to `{}`", d.host),
                false => format!("also defines {subsets} for `{}`", d.host),
            }
        } else {
            let relation = if covers(key, first_key) {
                format!("for `{}` falls under this rule's `{}`", first.host, d.host)
            } else {
                format!("for `{}` also covers `{}`", first.host, d.host)
            };
            match shared.is_empty() {
                true => relation,
                false => format!("{relation}, and both define {subsets}"),
            }
        };
        let others: Vec<String> = clashes[1..]
            .iter()
            .map(|(o, _)| qualified(o, &d.namespace))
            .collect();
        let more = match others.len() {
            0 => String::new(),
            1 => format!("; so does {}", others[0]),
            _ => format!("; so do {}{etc}", others.join(", ")),
        };
        let mut diag = diag(
            &DUPLICATE_DR,
            &d.at,
            format!(
                "DestinationRule {} {what}{more}",
                qualified(first, &d.namespace)
            ),
            "keep one DestinationRule per host and subset: Istio merges them only partly, and which one wins depends on creation order",
        );
        diag.related = clashes
            .iter()
            .filter(|(o, _)| o.at.file() == d.at.file())
            .map(|(o, _)| Related {
                file: o.at.file().clone(),
                span: o.at.span(),
                label: format!("DestinationRule {}", qualified(o, &d.namespace)),
            })
            .collect();
        out.push(diag);
    }
    out
}

/// `name`, or `namespace/name` when it lives elsewhere.
fn qualified(d: &DrFact, from_ns: &str) -> String {
    let name = d.at.object().name.as_deref().unwrap_or("?");
    if *d.namespace == *from_ns {
        name.to_string()
    } else {
        format!("{}/{name}", d.namespace)
    }
}

fn mtls_overridden(drs: &[DrFact]) -> Vec<Diagnostic> {
    let wide: Vec<&DrFact> = drs.iter().filter(|d| wide_mtls(d)).collect();
    let mut out = Vec::new();
    if wide.is_empty() {
        return out;
    }
    for d in drs
        .iter()
        .filter(|d| !d.context && !d.has_tls && !d.host.starts_with('*'))
    {
        // Istio picks the most specific DestinationRule: a wide one that
        // covers this host no longer applies to it.
        let covering = wide.iter().find(|w| covers(&w.host, &d.host));
        if let Some(w) = covering {
            out.push(diag(
                &MTLS_OVERRIDDEN,
                &d.at,
                format!(
                    "DestinationRule {} sets ISTIO_MUTUAL for `{}`, but this more specific rule has no TLS settings and replaces it",
                    qualified(w, &d.namespace),
                    w.host
                ),
                "add `tls: {mode: ISTIO_MUTUAL}` to this rule's trafficPolicy",
            ));
        }
    }
    out
}

/// The namespace a DestinationRule host's servers live in: `Some(None)` for
/// the whole mesh (`*.local`), `None` for hosts outside the cluster.
fn server_namespace(host: &str) -> Option<Option<&str>> {
    match host {
        "*.local" => Some(None),
        _ => service_namespace(host).map(Some),
    }
}

fn mtls_disabled(mesh: &MeshFacts, drs: &[DrFact]) -> Vec<Diagnostic> {
    if mesh.peer_authentications.is_empty() {
        return Vec::new();
    }
    let root = mesh
        .root_namespace
        .as_deref()
        .unwrap_or(DEFAULT_ROOT_NAMESPACE);
    // The first selector-less PeerAuthentication of a namespace with a mode decides.
    let wide = |ns: &str| {
        mesh.peer_authentications.iter().find(|p| {
            p.namespace == ns && !p.selector && p.mode.as_deref().is_some_and(|m| m != "UNSET")
        })
    };
    let mut out = Vec::new();
    let disabled = drs
        .iter()
        .filter(|d| !d.context && d.tls_mode() == Some("DISABLE"));
    for (host, at) in disabled.filter_map(|d| Some((&d.host, &d.tls_mode.as_ref()?.1))) {
        let Some(server_ns) = server_namespace(host) else {
            continue;
        };
        let strict = match server_ns {
            None => wide(root),
            Some(ns) => {
                let specific = !host.starts_with('*')
                    && mesh
                        .peer_authentications
                        .iter()
                        .any(|p| p.namespace == ns && p.selector);
                if specific {
                    continue;
                }
                wide(ns).or_else(|| wide(root))
            }
        }
        .filter(|p| p.mode.as_deref() == Some("STRICT"));
        if let Some(p) = strict {
            let scope = if p.namespace == root {
                "mesh-wide".to_string()
            } else {
                format!("in namespace {}", p.namespace)
            };
            out.push(diag(
                &MTLS_DISABLED_UNDER_STRICT,
                at,
                format!(
                    "TLS is disabled for `{}`, but PeerAuthentication {}/{} requires mutual TLS {scope} (STRICT): connections will be refused",
                    host, p.namespace, p.name
                ),
                "use `tls: {mode: ISTIO_MUTUAL}` (or drop the tls block and let auto-mTLS decide), or make the PeerAuthentication PERMISSIVE",
            ));
        }
    }
    out
}

fn unknown_export_namespaces(mesh: &MeshFacts) -> Vec<Diagnostic> {
    if mesh.namespaces.is_empty() {
        return Vec::new();
    }
    let known = |ns: &str| mesh.namespaces.contains(ns) || mesh.object_namespaces.contains(ns);
    mesh.export_to
        .iter()
        .filter(|(e, _)| !matches!(e.as_str(), "." | "*" | "~") && !known(e))
        .map(|(e, at)| {
            let names = mesh.namespaces.iter().map(String::as_str);
            let d = diag(
                &EXPORT_TO_UNKNOWN_NAMESPACE,
                at,
                format!("exportTo names namespace `{e}`, which is not among the known namespaces"),
                "check the namespace name; `.` is the rule's own namespace and `*` every namespace",
            );
            match crate::suggest::closest(e, names) {
                Some(s) => Diagnostic {
                    help: Some(format!("did you mean `{s}`?")),
                    ..d
                },
                None => d,
            }
        })
        .collect()
}
