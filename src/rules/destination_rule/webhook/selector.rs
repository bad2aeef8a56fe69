//! A DestinationRule's `workloadSelector`.

use super::push;
use crate::diagnostic::Finding;
use crate::model::JsonAt;
use crate::rules::destination_rule::webhook_warnings::SELECTOR_WITHOUT_LABELS;
use crate::rules::rule;

rule!(
    WORKLOAD_SELECTOR,
    "IL3014",
    "workload-selector-invalid",
    Error,
    DestinationRule,
    super::DR,
    "A workloadSelector with empty keys, wildcards, or no labels",
    "## What it checks
`workloadSelector.matchLabels`: empty keys and `*` are rejected; a selector without labels is a
warning (it selects nothing specific).
",
    help: "give matchLabels at least one concrete label (no wildcards, no empty keys)",
    check: crate::rules::Check::SharedWith(&super::HOST_INVALID)
);

/// `spec.workloadSelector` as written (`spec`).
pub(super) fn check(spec: &JsonAt, out: &mut Vec<Finding>) {
    let selector = spec.get("workloadSelector");
    if !selector.is_object() {
        return;
    }
    let labels = selector.get("matchLabels");
    if labels.as_object().is_none_or(|l| l.is_empty()) {
        let msg = "workload selector specified without labels";
        push(out, &SELECTOR_WITHOUT_LABELS, selector, msg);
        return;
    }
    for (k, val) in labels.entries() {
        let value = val.as_str().unwrap_or_default();
        if k.is_empty() {
            let msg = format!("empty key is not supported in selector: \"{k}={value}\"");
            push(out, &WORKLOAD_SELECTOR, val, msg);
        } else if k.contains('*') || value.contains('*') {
            let msg = format!("wildcard is not supported in selector: \"{k}={value}\"");
            push(out, &WORKLOAD_SELECTOR, val, msg);
        }
    }
}
