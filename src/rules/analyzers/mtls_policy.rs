//! IL8008: a mesh- or namespace-wide ISTIO_MUTUAL DestinationRule without a
//! PeerAuthentication enabling mTLS, when auto mTLS is off (Kiali KIA0205,
//! KIA0206: MeshWideMTLSChecker, NamespaceWideMTLSChecker).

use crate::diagnostic::Diagnostic;
use crate::model::PeerAuthentication;
use crate::rules::analyzers::{diagnostic, Entry};
use crate::rules::cross::Facts;
use crate::rules::rule;

rule!(
    MTLS_WITHOUT_POLICY,
    "IL8008",
    "istio-mutual-without-peer-authentication",
    Warning,
    Analyzer,
    &["DestinationRule"],
    "A mesh- or namespace-wide ISTIO_MUTUAL DestinationRule with no PeerAuthentication enabling mTLS",
    "## What it checks
A DestinationRule for `*.local` (mesh-wide) or `*.<its namespace>.svc.cluster.local`
(namespace-wide) with `trafficPolicy.tls.mode: ISTIO_MUTUAL`, when no PeerAuthentication
without selector enables mTLS (`STRICT` or `PERMISSIVE`) in the mesh root namespace or, for the
namespace-wide rule, in its namespace. A selector with empty `matchLabels` selects every
workload and counts as none, as Istio applies it (Kiali counts any selector as
workload-specific; we follow Istio, where such a policy does enable mTLS). Kiali KIA0205 (mesh-wide) and KIA0206 (namespace-wide).

## Open world
Kiali (and Istio) skip the check while auto mTLS is on, which is Istio's default: the rule only
speaks when a mesh config among the inputs sets `enableAutoMtls: false`. The root namespace is
that config's `rootNamespace`, else `istio-system`.

## Severity
Kiali reports an error; here it is a warning, because without any PeerAuthentication the
servers are PERMISSIVE and accept the clients' mTLS: traffic flows, but the mTLS the
DestinationRule asks for is not required of anyone.

## Example
```yaml
kind: DestinationRule
metadata: {name: default, namespace: istio-system}
spec:
  host: \"*.local\"
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}   # IL8008: add a mesh-wide PeerAuthentication
```
",
    help: "add a PeerAuthentication without selector (mtls.mode STRICT or PERMISSIVE) in the root namespace or the rule's namespace",
    check: crate::rules::Check::Cross(check)
);

/// `PeerAuthnHasMTLSEnabled`: no selector, and STRICT or PERMISSIVE. An
/// empty `matchLabels` selects every workload, so it counts as none (Istio).
fn enables(pa: &Entry<PeerAuthentication>, ns: &str) -> bool {
    let mode = pa.item.mtls_mode.as_ref().map(|m| m.as_str());
    let namespace_wide = pa.item.selector.as_ref().is_none_or(Vec::is_empty);
    pa.ns == ns && namespace_wide && matches!(mode, Some("STRICT" | "PERMISSIVE"))
}

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    let a = &facts.analyzers;
    let Some(mesh) = a.mesh.iter().rev().find(|m| m.enable_auto_mtls.is_some()) else {
        return Vec::new();
    };
    if mesh.enable_auto_mtls != Some(false) {
        return Vec::new();
    }
    let root = mesh.root_namespace.as_deref().unwrap_or("istio-system");
    let mesh_wide = a.peer_authentications.iter().any(|p| enables(p, root));
    let mut out = Vec::new();
    for dr in a.destination_rules.iter().filter(|d| !d.context) {
        let (Some(host), Some(tp)) = (&dr.item.host, &dr.item.traffic_policy) else {
            continue;
        };
        let Some(mode) = tp.tls.as_ref().and_then(|t| t.mode.as_ref()) else {
            continue;
        };
        if mode.value != "ISTIO_MUTUAL" {
            continue;
        }
        let message = if host.value == "*.local" {
            if mesh_wide {
                continue;
            }
            "PeerAuthentication enabling mTLS at mesh level is missing (KIA0205)".to_string()
        } else if host.value == format!("*.{}.svc.cluster.local", dr.ns) {
            if mesh_wide || a.peer_authentications.iter().any(|p| enables(p, &dr.ns)) {
                continue;
            }
            format!(
                "PeerAuthentication enabling namespace-wide mTLS is missing in {} (KIA0206)",
                dr.ns
            )
        } else {
            continue;
        };
        out.push(diagnostic(
            &MTLS_WITHOUT_POLICY,
            &dr.item.meta,
            &mode.at,
            message,
        ));
    }
    out
}
