//! IL2010 / IL2011: object names and namespaces the Kubernetes API server
//! rejects (apimachinery ValidateObjectMeta for custom resources).

use crate::diagnostic::Finding;
use crate::rules::{rule, ObjectContext};

rule!(
    NAME_INVALID,
    "IL2010",
    "metadata-name-invalid",
    Error,
    Schema,
    &[],
    "metadata.name is not a lowercase DNS-1123 subdomain",
    "## What it checks
`metadata.name` of every `networking.istio.io` object, as the API server validates the name of a
custom resource: a lowercase RFC 1123 subdomain, at most 253 characters of `a-z`, `0-9`, `-` and
`.`, starting and ending with a letter or digit. `kubectl apply` fails with
`metadata.name: Invalid value: \"vs_bookinfo1_to_2_3\": a lowercase RFC 1123 subdomain must
consist of ...`; the message here is the API server's.

Istio's webhook adds its own name rule for Gateways (no dots: IL7001).

## Example
```yaml
metadata:
  name: vs_bookinfo1_to_2_3   # IL2010: use vs-bookinfo1-to-2-3
```
",
    help: "use lowercase letters, digits, `-` and `.` only",
    check: crate::rules::Check::Object(check)
);

rule!(
    NAMESPACE_INVALID,
    "IL2011",
    "metadata-namespace-invalid",
    Error,
    Schema,
    &[],
    "metadata.namespace is not a lowercase DNS-1123 label",
    "## What it checks
`metadata.namespace` of every `networking.istio.io` object: a namespace name is a lowercase RFC
1123 label, at most 63 characters of `a-z`, `0-9` and `-`, starting and ending with a letter or
digit (no dots). The API server rejects anything else, so `kubectl apply` fails.

## Example
```yaml
metadata:
  name: reviews
  namespace: BACKEND          # IL2011: use backend
```
",
    help: "use lowercase letters, digits and `-` only",
    check: crate::rules::Check::SharedWith(&NAME_INVALID)
);

const SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(model) = ctx.model() else { return };
    let meta = model.meta();
    let fields = [
        (&NAME_INVALID, "name", &meta.name, &meta.name_at, false),
        (
            &NAMESPACE_INVALID,
            "namespace",
            &meta.namespace,
            &meta.namespace_at,
            true,
        ),
    ];
    for (rule, field, value, at, label) in fields {
        let (Some(value), Some(at)) = (value, at) else {
            continue;
        };
        let Some(complaint) = problem(value, label) else {
            continue;
        };
        if !ctx.enabled(rule) {
            continue;
        }
        let mut f = Finding::new(
            rule,
            at.pointer.clone(),
            format!("metadata.{field}: Invalid value: {value:?}: {complaint}"),
        );
        let fixed = suggestion(value, label);
        if !fixed.is_empty() && problem(&fixed, label).is_none() {
            f = f.help(format!("did you mean `{fixed}`?"));
        }
        out.push(f);
    }
}

/// The API server's complaint, if any (`IsDNS1123Subdomain` / `IsDNS1123Label`).
fn problem(value: &str, label: bool) -> Option<String> {
    let max = if label { 63 } else { 253 };
    if value.len() > max {
        return Some(format!("must be no more than {max} characters"));
    }
    let part_ok = |p: &str| {
        let b = p.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    };
    let ok = if label {
        part_ok(value)
    } else {
        value.split('.').all(part_ok)
    };
    (!ok).then(|| if label { LABEL } else { SUBDOMAIN }.to_string())
}

/// The nearest valid spelling: lowercase, other characters as `-`.
fn suggestion(value: &str, label: bool) -> String {
    let mapped: String = value
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '-') => c,
            '.' if !label => '.',
            _ => '-',
        })
        .collect();
    mapped
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::{problem, suggestion};

    #[test]
    fn names_as_the_api_server_validates_them() {
        for ok in ["reviews", "a.b-c", "v1.2", "0abc"] {
            assert_eq!(problem(ok, false), None, "{ok}");
        }
        for bad in ["vs_bookinfo1_to_2_3", "BACKEND", "-a", "a.", "a..b", ""] {
            assert!(problem(bad, false).is_some(), "{bad}");
        }
        assert!(problem("a.b", true).is_some(), "a namespace has no dots");
        assert_eq!(
            problem(&"a".repeat(64), true).as_deref(),
            Some("must be no more than 63 characters")
        );
        assert_eq!(problem(&"a".repeat(253), false), None);
        assert_eq!(
            suggestion("vs_bookinfo1_to_2_3", false),
            "vs-bookinfo1-to-2-3"
        );
        assert_eq!(suggestion("BACKEND", true), "backend");
        assert_eq!(suggestion("_a.b_", true), "a-b");
    }
}
