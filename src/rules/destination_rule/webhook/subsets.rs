//! Subsets: names, labels, and subsets without labels.

use super::push;
use crate::diagnostic::Finding;
use crate::model::DestinationRule;
use crate::rules::rule;
use crate::rules::validators as v;
use crate::rules::ObjectContext;
use crate::schema::IstioVersion;

rule!(
    SUBSET_NAME,
    "IL3006",
    "subset-name-invalid",
    Error,
    DestinationRule,
    super::DR,
    "A subset name that is empty, not a DNS-1123 label, or duplicated",
    "## What it checks
`subsets[].name` must be a DNS-1123 label (letters, digits, `-`; at most 63) and unique.

## Why it matters
The webhook rejects the object; with duplicates (before 1.22) one definition silently wins.

## Example
```yaml
subsets:
- name: v1
- name: v1          # IL3006: duplicate subset name
```
",
    help: "give every subset a unique name of lowercase letters, digits and `-`",
    check: crate::rules::Check::SharedWith(&super::HOST_INVALID)
);

rule!(
    SUBSET_LABELS,
    "IL3007",
    "subset-label-invalid",
    Error,
    DestinationRule,
    super::DR,
    "A subset label key or value Kubernetes would not accept",
    "## What it checks
`subsets[].labels` keys (`[prefix/]name`) and values against Kubernetes label syntax.

## Example
```yaml
labels:
  version: v1.0-    # IL3007: a value must end with a letter or digit
```
",
    help: "use Kubernetes label syntax: keys `prefix/name`, values of at most 63 letters, digits, `-`, `_` or `.`",
    check: crate::rules::Check::SharedWith(&super::HOST_INVALID)
);

/// Duplicate subset names are rejected from Istio 1.22.
const DUPLICATE_SUBSETS_SINCE: IstioVersion = IstioVersion::new(1, 22, 0);

pub(super) fn check(ctx: &ObjectContext, dr: &DestinationRule, out: &mut Vec<Finding>) {
    let version = ctx.version();
    let mut seen: Vec<&str> = Vec::new();
    for s in &dr.subsets {
        if let Some(name) = &s.name {
            let n = name.as_str();
            if n.is_empty() {
                push(out, &SUBSET_NAME, name, "subset name cannot be empty");
            } else if !v::is_dns1123_label(n) {
                push(
                    out,
                    &SUBSET_NAME,
                    name,
                    format!("subset name is invalid: {n}"),
                );
            } else if seen.contains(&n) && version >= DUPLICATE_SUBSETS_SINCE {
                push(
                    out,
                    &SUBSET_NAME,
                    name,
                    format!("duplicate subset names: {n}"),
                );
            } else {
                seen.push(n);
            }
        }
        let json = ctx.json_at(&s.at);
        for (k, val) in json.get("labels").entries() {
            if let Err(e) = v::label(k, val.as_str().unwrap_or_default()) {
                push(out, &SUBSET_LABELS, val, e);
            }
        }
    }
}
