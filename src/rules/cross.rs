//! Cross-object rules (IL5xxx), run over an index of every input once all
//! files are read. References to something that is not among the inputs are
//! never errors: a partial file set must not drown users in false positives.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, ObjectRef};
use crate::model::host::covers;
use crate::model::Model;
use crate::objects::Object;
use crate::rules::cross_refs::{Located, Site};

pub(crate) mod pointers;
mod storage;
use crate::rules::rule;

rule!(
    SUBSET_NOT_FOUND,
    "IL5001",
    "subset-not-found",
    Error,
    CrossObject,
    &["VirtualService"],
    "A route's subset is not defined by the DestinationRule for its host",
    "\
## What it checks
Every `subset` of a route destination, `mirror` or `mirrors` entry, against the DestinationRule
among the inputs for the same host (short names resolved in the object's namespace, wildcards
and `exportTo` honoured).

## Why it matters
Envoy has no cluster for an undefined subset: every request on that route fails with 503
(`NR`/`UH`), the most common Istio outage after a rename.

## Example
```yaml
# DestinationRule recommendation defines version-v1 and version-v2
route:
- destination: {host: recommendation, subset: version-v3}   # IL5001
```
Corresponds to Istio IST0101 (ReferencedResourceNotFound) and Kiali KIA1107.
",
    check: crate::rules::Check::Cross(subset_rules)
);

rule!(
    NO_DESTINATION_RULE,
    "IL5002",
    "subset-without-destination-rule",
    Warning,
    CrossObject,
    &["VirtualService"],
    "A route uses a subset but no DestinationRule for its host is among the inputs",
    "\
## What it checks
A destination with a `subset` whose host has no DestinationRule among the files checked (or
given with `--context-files`), where the inputs can tell: they hold DestinationRules that apply
where the route is (visible from the VirtualService's namespace through their `exportTo`), or of
the host's namespace (a cluster host's `x.NS.svc.cluster.local`), so the missing one is not
merely kept elsewhere.

Elsewhere it stays quiet: DestinationRules often live in other files or repositories, and a
warning on every such route was 43% of all warnings on real repositories. The summary then says
what was not checked and how to check it:
```text
Not checked: 1 route subset of 1 host without a DestinationRule among the inputs (`reviews.default.svc.cluster.local`); pass the cluster's with --context-files (kubectl get destinationrules -n default -o yaml), or --closed-world if the inputs are complete.
```
With `--closed-world` the inputs are complete: a subset of a host without a DestinationRule is
not defined anywhere, and IL5001 reports it as an error.

## Why it matters
If no DestinationRule defines the subset in the cluster either, the route fails with 503.
",
    check: crate::rules::Check::SharedWith(&SUBSET_NOT_FOUND)
);

/// What cross-object rules need from one object, extracted while its tree
/// and text are at hand.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// `--closed-world`: the inputs are complete, absence is evidence.
    pub closed_world: bool,
    pub destination_rules: Vec<DrFact>,
    pub refs: crate::rules::cross_refs::RefFacts,
    pub mesh: crate::rules::cross_dr::MeshFacts,
    pub ambient: crate::rules::cross_ambient::AmbientFacts,
    pub jwt: crate::rules::cross_jwt::JwtFacts,
    pub defined: crate::rules::cross_duplicates::DefinedFacts,
    pub analyzers: crate::rules::analyzers::AnalyzerFacts,
    /// The summary's note on unchecked subsets, found by IL5001/IL5002's
    /// walk over the references (`check`), so the note needs no second walk.
    unchecked_note: std::sync::OnceLock<Option<String>>,
    /// Every host and namespace of the index once: a merged fact shares
    /// the text of an equal one (a host is named by its DestinationRule,
    /// its VirtualService's keys and every destination).
    names: std::collections::HashSet<Arc<str>>,
}

impl Facts {
    /// What a context file contributes: things referenced, never findings.
    pub fn into_context(mut self) -> Facts {
        for vs in &mut self.refs.virtual_services {
            vs.context = true;
        }
        self.mesh.export_to.clear();
        self.jwt.routes.clear();
        // The cluster's copy of a local object is not a duplicate.
        self.defined.objects.clear();
        self.analyzers = self.analyzers.into_context();
        // Their DestinationRules take part in the checks but are not reported on.
        for d in &mut self.destination_rules {
            d.context = true;
        }
        for s in &mut self.refs.unlabelled {
            s.context = true;
        }
        self
    }

    /// Reads `name.namespace` and `name.namespace.svc` as the cluster service
    /// when the namespace is known (an object lives there, or a Namespace
    /// object names it), as Kiali does. Istio itself only expands bare names,
    /// but these spellings are common and mean the service to their authors.
    pub fn expand_namespace_hosts(&mut self) {
        let (named, used) = (&self.mesh.namespaces, &self.mesh.object_namespaces);
        let known = |ns: &str| named.contains(ns) || used.contains(ns);
        let expanded =
            |host: &str| crate::model::expand_namespace_host(host, known).map(|s| s.into_string());
        let expand = |host: &mut String| {
            if let Some(service) = expanded(host) {
                *host = service;
            }
        };
        let expand_shared = |host: &mut Arc<str>| {
            if let Some(service) = expanded(host) {
                *host = service.into();
            }
        };
        for d in &mut self.destination_rules {
            expand_shared(&mut d.host);
        }
        for (host, _, _) in &mut self.refs.subsets {
            expand_shared(host);
        }
        for s in &mut self.refs.unlabelled {
            expand(&mut s.host);
        }
        for vs in &mut self.refs.virtual_services {
            for host in vs
                .destinations
                .iter_mut()
                .map(|d| &mut d.host)
                .chain(&mut vs.keys)
            {
                expand_shared(host);
            }
        }
    }

    pub fn merge(&mut self, mut other: Facts) {
        self.share_names(&mut other);
        self.closed_world |= other.closed_world;
        self.destination_rules.extend(other.destination_rules);
        self.refs.merge(other.refs);
        self.mesh.merge(other.mesh);
        self.ambient.merge(other.ambient);
        self.jwt.merge(other.jwt);
        self.defined.merge(other.defined);
        self.analyzers.merge(other.analyzers);
    }
}

/// One DestinationRule, as every cross-object rule sees it.
#[derive(Clone, Debug)]
pub struct DrFact {
    pub namespace: Arc<str>,
    /// Short names resolved to the FQDN in the rule's namespace.
    pub host: Arc<str>,
    pub export_to: Box<[String]>,
    /// Subset names (shared, as hosts are: the same names recur).
    pub subsets: Box<[Arc<str>]>,
    /// Has a workloadSelector (applies to some clients only).
    pub selector: bool,
    /// `trafficPolicy.tls.mode` and where it is (boxed: small when absent).
    pub tls_mode: Option<Box<(String, Located)>>,
    /// TLS set at the top level or on any port.
    pub has_tls: bool,
    /// Read from a `--context` file: used, never reported on.
    pub context: bool,
    /// Where `spec.host` is.
    pub at: Located,
    /// Has L7 settings (IL5015/IL5016, `cross_ambient`).
    pub l7: bool,
}

impl DrFact {
    pub fn tls_mode(&self) -> Option<&str> {
        self.tls_mode.as_ref().map(|m| m.0.as_str())
    }
}

/// Istio's ResolveShortnameToFQDN (`model::Host::resolve`) as a string.
pub fn fqdn(host: &str, namespace: &str) -> String {
    crate::model::Host::resolve(host, namespace).into_string()
}

/// Collects what the cross-object rules need of one object; `model` is its
/// typed model (`model::build`), built once by the caller for every rule.
pub fn collect(
    obj: &Object,
    object: Arc<crate::diagnostic::ObjectRef>,
    file: &Arc<str>,
    text: &str,
    model: Option<&Model>,
    facts: &mut Facts,
) {
    let site = Site::new(obj, object, file, text, model);
    crate::rules::cross_dr::collect(&site, &mut facts.mesh);
    crate::rules::cross_ambient::collect(&site, &mut facts.ambient);
    crate::rules::cross_jwt::collect(&site, &mut facts.jwt);
    crate::rules::cross_duplicates::collect(&site, &mut facts.defined);
    crate::rules::analyzers::collect(obj, model, &mut facts.analyzers);
    let Some(model) = model else {
        return;
    };
    crate::rules::cross_refs::collect(&site, model, &mut facts.refs);
    if let Model::DestinationRule(dr) = model {
        facts.destination_rules.extend(dr_fact(&site, dr));
    }
}

/// The DestinationRule as the cross-object rules see it; `None` without a host.
fn dr_fact(site: &Site, dr: &crate::model::DestinationRule) -> Option<DrFact> {
    let host = dr.host.as_ref()?;
    let tls = dr.traffic_policy.as_ref().and_then(|tp| tp.tls.as_ref());
    let port_tls = dr
        .traffic_policy
        .iter()
        .any(|tp| tp.port_level_settings.iter().any(|p| p.tls.is_some()));
    let mode = tls.and_then(|t| t.mode.as_ref());
    Some(DrFact {
        host: fqdn(host, site.ns).into(),
        export_to: dr.export_to.iter().map(|e| e.value.clone()).collect(),
        subsets: dr
            .subsets
            .iter()
            .filter_map(|s| s.name.as_ref().map(|n| n.value.as_str().into()))
            .collect(),
        selector: dr.workload_selector.is_some(),
        tls_mode: mode.map(|m| Box::new((m.value.clone(), site.at_loc(&m.at)))),
        has_tls: tls.is_some() || port_tls,
        context: false,
        at: site.at_loc(&host.at),
        namespace: site.ns.into(),
        l7: crate::rules::cross_ambient::l7_destination_rule(&site.obj.json["spec"]),
    })
}

/// Kinds outside networking.istio.io that the collectors above read (keep
/// in step with them): they count as "used as context" in the summary.
pub fn used_as_context(obj: &Object) -> bool {
    matches!(
        (obj.group.as_str(), obj.kind.as_str()),
        ("", "Namespace" | "Service" | "Pod" | "Node")
            | ("gateway.networking.k8s.io", "Gateway")
            | (
                "apps",
                "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
            )
            | ("", "ReplicationController")
            | ("batch", "Job" | "CronJob")
            | (
                "security.istio.io",
                "PeerAuthentication" | "RequestAuthentication"
            )
    ) || (obj.group.is_empty()
        && obj.kind == "ConfigMap"
        && obj
            .name
            .as_deref()
            .is_some_and(crate::model::security::is_mesh_config_name))
}

pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

pub use crate::model::host::service_namespace;

/// Istio's exportTo: a DestinationRule is always visible in its own namespace.
pub fn visible(dr: &DrFact, from_ns: &str) -> bool {
    visible_in(&dr.namespace, &dr.export_to, from_ns)
}

/// Whether an object of `namespace` exported to `export_to` is visible in `from_ns`.
pub fn visible_in(namespace: &str, export_to: &[String], from_ns: &str) -> bool {
    namespace == from_ns
        || export_to.is_empty()
        || export_to.iter().any(|e| e == "*" || e == from_ns)
}

/// Whether two objects are both visible in some namespace.
pub fn share_a_namespace(a: (&str, &[String]), b: (&str, &[String])) -> bool {
    [a.0, b.0]
        .into_iter()
        .chain(a.1.iter().chain(b.1).map(String::as_str))
        .filter(|ns| !matches!(*ns, "." | "*" | "~"))
        .any(|ns| visible_in(a.0, a.1, ns) && visible_in(b.0, b.1, ns))
}

/// Runs every cross-object rule over everything that was read.
pub fn check(facts: &mut Facts) -> Vec<Diagnostic> {
    facts.expand_namespace_hosts();
    facts.unchecked_note = std::sync::OnceLock::new();
    crate::rules::context::run_cross_rules(facts)
}

/// Route subsets whose host has no DestinationRule among the inputs: one
/// entry per object and host, at the first reference, naming every subset used.
type Unresolved<'a> = Vec<(SubsetRef<'a>, Vec<&'a str>)>;

/// IL5001 for subsets a DestinationRule does not define; the references
/// whose host has no DestinationRule at all are returned for IL5002.
fn resolve_subsets<'a>(facts: &'a Facts, out: &mut Vec<Diagnostic>) -> Unresolved<'a> {
    let mut unresolved: Unresolved = Vec::new();
    // Index by exact host; wildcard hosts are few and scanned.
    let mut by_host: HashMap<&str, Vec<&DrFact>> = HashMap::new();
    let mut wildcards: Vec<&DrFact> = Vec::new();
    for d in &facts.destination_rules {
        if d.host.starts_with('*') {
            wildcards.push(d);
        } else {
            by_host.entry(&*d.host).or_default().push(d);
        }
    }
    let refs = facts
        .refs
        .virtual_services
        .iter()
        .filter(|vs| !vs.context)
        .flat_map(|vs| {
            vs.destinations.iter().filter_map(|d| {
                let (subset, at) = &**d.subset.as_ref()?;
                Some(SubsetRef {
                    namespace: &vs.namespace,
                    host: &d.host,
                    subset,
                    at,
                })
            })
        });
    for r in refs {
        // A host the webhook rejects (IL4006, e.g. `*`) has no DestinationRule to look for.
        if crate::rules::validators::destination_host(r.host).is_err() {
            continue;
        }
        // Without allocating per reference (this runs on one thread after
        // all files, twice: for the findings and for the summary's note).
        let candidates = || {
            by_host
                .get(r.host)
                .into_iter()
                .flatten()
                .chain(&wildcards)
                .copied()
                .filter(|d| visible(d, r.namespace) && covers(&d.host, r.host))
        };
        // The most specific host wins, as in Istio: exact over wildcard.
        let exact = candidates().any(|d| *d.host == *r.host);
        let chosen = || candidates().filter(move |d| !exact || *d.host == *r.host);
        if chosen().next().is_none() {
            let same = |(first, _): &&mut (SubsetRef, Vec<&str>)| {
                first.at.same_object(r.at) && first.host == r.host
            };
            match unresolved.iter_mut().find(|e| same(e)) {
                Some((_, subsets)) => {
                    if !subsets.contains(&r.subset) {
                        subsets.push(r.subset);
                    }
                }
                None => {
                    let subset = r.subset;
                    unresolved.push((r, vec![subset]));
                }
            }
            continue;
        }
        if chosen().any(|d| d.subsets.iter().any(|s| &**s == r.subset)) {
            continue;
        }
        let defined: BTreeSet<&str> = chosen()
            .flat_map(|d| d.subsets.iter().map(|s| &**s))
            .collect();
        let list = if defined.is_empty() {
            "it defines no subsets".to_string()
        } else {
            format!("it defines {}", quoted(defined.iter().copied()))
        };
        let d = Diagnostic::new(
            &SUBSET_NOT_FOUND,
            r.at.file().clone(),
            format!(
                "subset `{}` is not defined by the DestinationRule for `{}`; {list}",
                r.subset, r.host
            ),
        );
        let d = match crate::suggest::closest(r.subset, defined.iter().copied()) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help("add the subset to the DestinationRule, or route to one it defines"),
        };
        out.push(at(d, &r));
    }
    unresolved
}

/// The namespace whose DestinationRules would define a reference's host:
/// a cluster host's own, else the VirtualService's.
fn host_namespace<'a>(r: &SubsetRef<'a>) -> &'a str {
    service_namespace(r.host).unwrap_or(r.namespace)
}

/// Whether the inputs can tell that a host has no DestinationRule: they hold
/// DestinationRules that apply where the route is (visible from the
/// VirtualService's namespace), or of the host's namespace.
fn checkable(facts: &Facts, r: &SubsetRef) -> bool {
    let ns = host_namespace(r);
    facts.destination_rules.iter().any(|d| {
        visible(d, r.namespace) || *d.namespace == *ns || service_namespace(&d.host) == Some(ns)
    })
}

/// IL5001 and IL5002: route subsets against the DestinationRules.
fn subset_rules(facts: &Facts) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let unresolved = resolve_subsets(facts, &mut out);
    if !facts.closed_world {
        let _ = facts
            .unchecked_note
            .set(unchecked_summary(facts, &unresolved));
    }
    for (r, subsets) in unresolved {
        let (names, s) = (quoted(subsets.iter().copied()), plural(subsets.len()));
        if facts.closed_world {
            let d = Diagnostic::new(
                &SUBSET_NOT_FOUND,
                r.at.file().clone(),
                format!(
                    "subset{s} {names} of `{}` not defined: no DestinationRule for it is among the inputs, declared complete by --closed-world",
                    r.host
                ),
            )
            .help("add a DestinationRule for the host that defines the subsets, or route without a subset");
            out.push(at(d, &r));
            continue;
        }
        if !checkable(facts, &r) {
            continue;
        }
        let d = Diagnostic::new(
            &NO_DESTINATION_RULE,
            r.at.file().clone(),
            format!(
                "no DestinationRule for `{}` is among the inputs, so subset{s} {names} cannot be checked",
                r.host,
            ),
        )
        .help("if no DestinationRule defines them in the cluster, these routes return 503; check the files together (or pass the cluster's DestinationRules with --context-files)");
        out.push(at(d, &r));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The summary's note on what IL5002 left unchecked (hosts without a
/// DestinationRule where the inputs cannot tell), and how to check it.
pub fn unchecked_note(facts: &Facts) -> Option<String> {
    if facts.closed_world {
        return None;
    }
    facts
        .unchecked_note
        .get_or_init(|| unchecked_summary(facts, &resolve_subsets(facts, &mut Vec::new())))
        .clone()
}

fn unchecked_summary(facts: &Facts, unresolved: &Unresolved) -> Option<String> {
    let mut hosts: BTreeSet<&str> = BTreeSet::new();
    let mut namespaces: BTreeSet<&str> = BTreeSet::new();
    let mut subsets = 0;
    for (r, names) in unresolved {
        if !checkable(facts, r) {
            hosts.insert(r.host);
            namespaces.insert(host_namespace(r));
            subsets += names.len();
        }
    }
    if hosts.is_empty() {
        return None;
    }
    let mut listed = quoted(hosts.iter().take(3).copied());
    if hosts.len() > 3 {
        listed.push_str(&format!(" and {} more", hosts.len() - 3));
    }
    let scope = match namespaces.len() {
        1 => format!("-n {}", namespaces.first().copied().unwrap_or_default()),
        _ => "-A".to_string(),
    };
    Some(format!(
        "Not checked: {subsets} route subset{} of {} host{} without a DestinationRule among the inputs ({listed}); pass the cluster's with --context-files (kubectl get destinationrules {scope} -o yaml), or --closed-world if the inputs are complete.",
        plural(subsets),
        hosts.len(),
        plural(hosts.len()),
    ))
}

/// A route or mirror destination that names a subset.
#[derive(Clone, Copy)]
struct SubsetRef<'a> {
    namespace: &'a str,
    host: &'a str,
    subset: &'a str,
    /// Where the subset name is.
    at: &'a Located,
}

fn at(mut d: Diagnostic, r: &SubsetRef) -> Diagnostic {
    d.span = Some(r.at.span());
    d.pointer = Some(r.at.pointer());
    d.object = Some(ObjectRef::clone(r.at.object()));
    d
}

fn quoted<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
