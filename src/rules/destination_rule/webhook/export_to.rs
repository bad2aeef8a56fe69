//! `exportTo` of DestinationRules and VirtualServices (Istio's
//! `validateExportTo`).

use super::push;
use crate::diagnostic::Finding;
use crate::model::{JsonAt, Model};
use crate::rules::rule;
use crate::rules::validators as v;
use crate::rules::ObjectContext;

rule!(
    EXPORT_TO,
    "IL3013",
    "export-to-invalid",
    Error,
    DestinationRule,
    &["DestinationRule", "VirtualService"],
    "exportTo entries Istio rejects",
    "## What it checks
`exportTo` on DestinationRules and VirtualServices: entries must be `.`, `*` or a namespace
name; no duplicates; `~` is not allowed; `*` cannot be combined with other entries; a
DestinationRule with a `workloadSelector` may only be exported to its own namespace.
",
    help: "use `.`, `*` or `~` alone, or namespace names, each once",
    check: crate::rules::Check::Object(check)
);

/// IL3013 on DestinationRules and VirtualServices.
fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let with_selector = match ctx.model() {
        Some(Model::DestinationRule(dr)) => dr.workload_selector.is_some(),
        _ => false,
    };
    export_to(&ctx.spec(), ctx.object.ns(), with_selector, out);
}

/// `validateExportTo` over `spec.exportTo` as written, in namespace `ns`.
fn export_to(spec: &JsonAt, ns: &str, with_selector: bool, out: &mut Vec<Finding>) {
    let list = spec.get("exportTo");
    if !list.is_array() {
        return;
    }
    let mut seen: Vec<String> = Vec::new();
    for item in list.items() {
        let e = item.as_str().unwrap_or("");
        let resolved = if e == "." {
            ns.to_string()
        } else {
            e.to_string()
        };
        let msg = if seen.contains(&resolved) {
            if e == "." {
                format!("duplicate entries in exportTo: . and current namespace {ns}")
            } else {
                format!("duplicate entries in exportTo for entry {e}")
            }
        } else if e == "~" {
            "exportTo ~ (none) is not allowed for Istio configuration objects".into()
        } else if e != "." && e != "*" && !v::is_dns1123_label(e) {
            "only .,*, or a valid DNS 1123 label is allowed as exportTo entry".into()
        } else {
            seen.push(resolved);
            continue;
        };
        push(out, &EXPORT_TO, item, msg);
        return;
    }
    if with_selector {
        if !seen.iter().any(|s| s == ns) {
            push(out, &EXPORT_TO, list, "destination rule with workload selector cannot have exportTo beyond current namespace");
        } else if seen.len() > 1 {
            let msg =
                "destination rule with workload selector cannot have multiple entries in exportTo";
            push(out, &EXPORT_TO, list, msg);
        }
        return;
    }
    if seen.len() > 1 && seen.iter().any(|s| s == "*") {
        let msg = "cannot have both public (*) and non-public exportTo values for a resource";
        push(out, &EXPORT_TO, list, msg);
    }
}
