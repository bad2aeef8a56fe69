//! Gateway references of a VirtualService and its matches (Istio's
//! `validateGatewayNames`).

use super::push;
use crate::diagnostic::Finding;
use crate::model::Located;
use crate::rules::rule;
use crate::rules::validators as v;
use crate::rules::virtual_service::webhook_warnings as W;

rule!(
    GATEWAY_NAME,
    "IL4008",
    "gateway-name-invalid",
    Error,
    VirtualService,
    super::VS,
    "A gateway reference Istio rejects, or the legacy name.namespace form",
    "## What it checks
`gateways` (and `match[].gateways`) entries are `mesh`, `name` or `namespace/name` with DNS-1123
parts. `name.namespace` is the legacy form: accepted with a warning; write `namespace/name`.
As in Istio, the entries after the first one without `/` are not checked (Istio accepts them;
IL5003 still reports them when they name no Gateway among the inputs).
",
    help: "name gateways `namespace/name`, `name` (in the VirtualService's namespace) or `mesh`",
    check: crate::rules::Check::SharedWith(&super::HOSTS)
);

/// `gateways` entries: `mesh`, `name` or `namespace/name`; the legacy
/// `name.namespace` warns. Istio stops at the first entry without `/`.
pub(super) fn names(list: &[Located<String>], out: &mut Vec<Finding>) {
    for g in list {
        match g.split_once('/') {
            None => {
                if g.contains('.') {
                    let parts: Vec<&str> = g.split('.').collect();
                    push(
                        out,
                        &W::LEGACY_GATEWAY_NAME,
                        g,
                        format!("using legacy gatewayName format \"{}\"; prefer the <namespace>/<name> format: \"{}/{}\"", **g, parts[1], parts[0]),
                    );
                }
                if let Err(e) = v::fqdn(g) {
                    push(out, &GATEWAY_NAME, g, e);
                }
                // Istio stops here: later entries of the list are not validated.
                return;
            }
            Some((ns, name)) => {
                let msg = if ns.is_empty() || name.is_empty() {
                    "config namespace and gateway name cannot be empty".to_string()
                } else if !v::is_dns1123_label(ns) {
                    format!("invalid value for namespace: \"{ns}\"")
                } else if !v::is_dns1123_label(name) {
                    format!("invalid value for gateway name: \"{name}\"")
                } else {
                    continue;
                };
                push(out, &GATEWAY_NAME, g, msg);
            }
        }
    }
}
