//! IL1009: objects that claim an Istio API group but name a kind, group or
//! version Istio does not define. Without this they were skipped without a
//! word (`kind: Destinationrule` is not a kind istiolint checks), while
//! `kubectl apply` fails on them ("no matches for kind").

use crate::check::Options;
use crate::diagnostic::Finding;
use crate::objects::Object;
use crate::rules::rule;
use crate::schema::{self, Lookup};

rule!(
    UNKNOWN_KIND,
    "IL1009",
    "unknown-kind",
    Error,
    Input,
    &[],
    "An Istio API group, kind or version that Istio does not define (a typo?)",
    "\
## What it checks
Objects whose `apiVersion` names one of Istio's API groups (`networking.istio.io`,
`security.istio.io`, `telemetry.istio.io`, `extensions.istio.io`, `install.istio.io`), another
`*.istio.io` group, or a group close to one of them (`networking.istoi.io`), and whose group,
kind or version Istio does not define: `kind: Destinationrule`, `kind: VirtualServices`,
`apiVersion: networking.istoi.io/v1`, `security.istio.io/v2`. The message suggests the
nearest name. The networking kinds whose schemas istiolint bundles report an unknown version
as IL2005 instead. Groups Istio removed are named as such, with their replacement:
`config.istio.io` (Mixer, removed in 1.8), `rbac.istio.io` and `authentication.istio.io`
(v1alpha1, removed in 1.6).

Such objects are not checked otherwise: the summary counts them as skipped.

## Why it matters
Kubernetes rejects them (`no matches for kind \"Destinationrule\" in version
\"networking.istio.io/v1\"`), or, in a Helm chart or a GitOps repository, the typo is only found
at deployment, and every other check silently ignored the object.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: Destinationrule   # IL1009: did you mean `DestinationRule`?
```
",
    help: "fix the spelling of `apiVersion` and `kind`"
);

/// Istio's API groups, their kinds and the versions they serve.
const GROUPS: &[(&str, &[&str], &[&str])] = &[
    (
        "networking.istio.io",
        &[
            "VirtualService",
            "DestinationRule",
            "Gateway",
            "ServiceEntry",
            "Sidecar",
            "WorkloadEntry",
            "WorkloadGroup",
            "EnvoyFilter",
            "ProxyConfig",
        ],
        &["v1", "v1beta1", "v1alpha3"],
    ),
    (
        "security.istio.io",
        &[
            "AuthorizationPolicy",
            "PeerAuthentication",
            "RequestAuthentication",
        ],
        &["v1", "v1beta1"],
    ),
    ("telemetry.istio.io", &["Telemetry"], &["v1", "v1alpha1"]),
    (
        "extensions.istio.io",
        &["WasmPlugin", "TrafficExtension"],
        &["v1alpha1"],
    ),
    ("install.istio.io", &["IstioOperator"], &["v1alpha1"]),
];

/// The versions each kind serves where it differs from its group's.
fn versions(kind: &str, group_versions: &'static [&'static str]) -> &'static [&'static str] {
    match kind {
        "EnvoyFilter" => &["v1alpha3"],
        "ProxyConfig" => &["v1beta1"],
        _ => group_versions,
    }
}

/// Istio API groups that are no longer served: the release that removed
/// each, and what replaced it.
const REMOVED: &[(&str, &str, &str)] = &[
    (
        "config.istio.io",
        "Mixer's API group, removed in Istio 1.8",
        "Mixer's policies and telemetry are now AuthorizationPolicy, Telemetry and WasmPlugin (security.istio.io, telemetry.istio.io, extensions.istio.io)",
    ),
    (
        "rbac.istio.io",
        "the RBAC v1alpha1 API group, removed in Istio 1.6",
        "use AuthorizationPolicy (security.istio.io/v1)",
    ),
    (
        "authentication.istio.io",
        "the authentication v1alpha1 API group, removed in Istio 1.6",
        "use PeerAuthentication and RequestAuthentication (security.istio.io/v1)",
    ),
];

pub fn check(object: &Object, opts: &Options) -> Vec<Finding> {
    let group = object.group.as_str();
    if let Some((_, what, instead)) = REMOVED.iter().find(|(g, _, _)| *g == group) {
        return vec![Finding::new(
            &UNKNOWN_KIND,
            "/apiVersion",
            format!(
                "`{group}` is {what}: no cluster serves this {} any more, and it is not checked",
                object.kind
            ),
        )
        .help(*instead)];
    }
    let names = GROUPS.iter().map(|(g, _, _)| *g);
    let Some(&(_, kinds, group_versions)) = GROUPS.iter().find(|(g, _, _)| *g == group) else {
        // A group that is not Istio's: only near misses and other `*.istio.io` groups.
        // Two edits at most: `security.openshift.io` is not a typo of Istio's.
        let near = crate::suggest::closest(group, names)
            .filter(|near| crate::suggest::distance(group, near) <= 2);
        if near.is_none() && !group.ends_with(".istio.io") {
            return Vec::new();
        }
        let mut f = Finding::new(
            &UNKNOWN_KIND,
            "/apiVersion",
            format!(
                "`{group}` is not an API group of Istio: this {} is not checked",
                object.kind
            ),
        );
        if let Some(near) = near {
            f = f.help(format!("did you mean `{near}/{}`?", object.version));
        }
        return vec![f];
    };
    if !kinds.contains(&object.kind.as_str()) {
        return vec![unknown_kind(object, kinds)];
    }
    let served = versions(&object.kind, group_versions);
    if served.contains(&object.version.as_str()) {
        return Vec::new();
    }
    // The bundled networking schemas report an unknown version themselves (IL2005).
    let release = schema::release_for(opts.istio_version);
    if group == schema::GROUP
        && !matches!(
            schema::lookup(release, &object.kind, &object.version),
            Lookup::UnknownKind
        )
    {
        return Vec::new();
    }
    let list: Vec<String> = served.iter().map(|v| format!("`{group}/{v}`")).collect();
    vec![Finding::new(
        &UNKNOWN_KIND,
        "/apiVersion",
        format!(
            "{} is not served in version `{}` of {group}: this object is not checked",
            object.kind, object.version
        ),
    )
    .help(format!("use {}", list.join(" or ")))]
}

/// A kind its group does not define: the nearest of the group's kinds, or
/// the group that does define it.
fn unknown_kind(object: &Object, kinds: &[&str]) -> Finding {
    let (group, kind) = (&object.group, object.kind.as_str());
    let elsewhere = GROUPS.iter().find(|(_, ks, _)| ks.contains(&kind));
    if let Some(&(other, _, other_versions)) = elsewhere {
        let version = versions(kind, other_versions)[0];
        return Finding::new(
            &UNKNOWN_KIND,
            "/apiVersion",
            format!("{kind} is a kind of {other}, not of {group}: this object is not checked"),
        )
        .help(format!("use `apiVersion: {other}/{version}`"));
    }
    let f = Finding::new(
        &UNKNOWN_KIND,
        "/kind",
        format!("`{kind}` is not a kind of {group}: this object is not checked"),
    );
    match crate::suggest::closest(kind, kinds.iter().copied()) {
        Some(near) => f.help(format!("did you mean `{near}`?")),
        None => f.help(format!("the kinds of {group} are {}", kinds.join(", "))),
    }
}
