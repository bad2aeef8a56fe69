//! What Istio's validating webhook rejects (or warns about) in a
//! DestinationRule beyond the CRD schema: `ValidateDestinationRule` and the
//! traffic-policy validators, one rule per concern.

use serde_json::Value;

use crate::diagnostic::Finding;
use crate::rules::validators as v;
use crate::rules::ObjectContext;
use crate::rules::{rule, Rule};
use crate::schema::IstioVersion;

const DR: &[&str] = &["DestinationRule"];

rule!(
    HOST_INVALID,
    "IL3005",
    "dr-host-invalid",
    Error,
    DestinationRule,
    DR,
    "spec.host is not a valid (wildcard) domain name",
    "## What it checks
`spec.host` the way Istio's webhook does (`ValidateWildcardDomain`): a DNS name whose first label
may be a wildcard (`*`, `*.ns.svc.cluster.local`, `*-foo.example.com`); no IP addresses, no
all-numeric top-level label, no `/`.

## Example
```yaml
spec:
  host: default/reviews        # IL3005: use reviews.default.svc.cluster.local
```
Istio: validation.go `ValidateDestinationRule`.
",
    help: "use a service name, a FQDN such as reviews.ns.svc.cluster.local, or a leading wildcard (*.example.com)",
    check: crate::rules::Check::Object(check)
);

rule!(
    SUBSET_NAME,
    "IL3006",
    "subset-name-invalid",
    Error,
    DestinationRule,
    DR,
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
    check: crate::rules::Check::SharedWith(&HOST_INVALID)
);

rule!(
    SUBSET_LABELS,
    "IL3007",
    "subset-label-invalid",
    Error,
    DestinationRule,
    DR,
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
    check: crate::rules::Check::SharedWith(&HOST_INVALID)
);

rule!(
    POLICY_EMPTY,
    "IL3008",
    "traffic-policy-empty",
    Error,
    DestinationRule,
    DR,
    "A trafficPolicy, connectionPool or port-level setting with no field",
    "## What it checks
`trafficPolicy: {}`, a `connectionPool` without `tcp` or `http`, a `portLevelSettings` entry
without a port or without any policy, and `tunnel` together with `proxyProtocol`.

## Why it matters
Istio rejects them (`traffic policy must have at least one field`); usually an indentation
mistake moved the settings elsewhere.
",
    help: "remove the empty block, or set at least one field in it",
    check: crate::rules::Check::SharedWith(&HOST_INVALID)
);

rule!(
    POOL_INVALID,
    "IL3009",
    "connection-pool-invalid",
    Error,
    DestinationRule,
    DR,
    "Negative connection-pool limits, or UPGRADE with useClientProtocol",
    "## What it checks
`maxConnections`, `http1MaxPendingRequests`, `http2MaxRequests`, `maxRequestsPerConnection`,
`maxRetries` and `maxConcurrentStreams` below 0; `h2UpgradePolicy: UPGRADE` with
`useClientProtocol: true`.
",
    help: "use non-negative limits; with h2UpgradePolicy UPGRADE, drop useClientProtocol",
    check: crate::rules::Check::SharedWith(&HOST_INVALID)
);

rule!(
    LB_INVALID,
    "IL3010",
    "load-balancer-invalid",
    Error,
    DestinationRule,
    DR,
    "Load-balancer settings Istio rejects (cookie, ring hash, maglev, locality)",
    "## What it checks
`httpCookie` without a name; `minimumRingSize` together with `ringHash` or `maglev`; maglev
`tableSize` missing, too large or not prime; locality `distribute` with `failover`, weights
outside 1-100 or not adding up to 100, and failover regions.
",
    help: "run `istiolint rule IL3010` for the load-balancer settings Istio accepts together",
    check: crate::rules::Check::SharedWith(&HOST_INVALID)
);

rule!(
    TLS_INVALID,
    "IL3011",
    "client-tls-invalid",
    Error,
    DestinationRule,
    DR,
    "Client TLS settings Istio rejects",
    "## What it checks
`tls` in MUTUAL mode without `clientCertificate`/`privateKey` (and no `credentialName`);
`credentialName` together with certificate files; `insecureSkipVerify: true` with CA
certificates, SANs or a credential.
",
    help: "match the TLS fields to the mode: ISTIO_MUTUAL takes no certificates, MUTUAL needs a client certificate and key (or credentialName), insecureSkipVerify excludes CA and SANs",
    check: crate::rules::Check::SharedWith(&HOST_INVALID)
);

rule!(
    LOCAL_ORIGIN,
    "IL3012",
    "local-origin-without-split",
    Error,
    DestinationRule,
    DR,
    "consecutiveLocalOriginFailures without splitExternalLocalOriginErrors",
    "## What it checks
`outlierDetection.consecutiveLocalOriginFailures` set while `splitExternalLocalOriginErrors` is
not `true`: Istio rejects it, because local-origin failures are only counted separately when
the split is on.
",
    help: "set splitExternalLocalOriginErrors: true, or drop consecutiveLocalOriginFailures",
    check: crate::rules::Check::SharedWith(&HOST_INVALID)
);

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
    check: crate::rules::Check::Object(export_to_check)
);

rule!(
    WORKLOAD_SELECTOR,
    "IL3014",
    "workload-selector-invalid",
    Error,
    DestinationRule,
    DR,
    "A workloadSelector with empty keys, wildcards, or no labels",
    "## What it checks
`workloadSelector.matchLabels`: empty keys and `*` are rejected; a selector without labels is a
warning (it selects nothing specific).
",
    help: "give matchLabels at least one concrete label (no wildcards, no empty keys)",
    check: crate::rules::Check::SharedWith(&HOST_INVALID)
);

rule!(
    TUNNEL_INVALID,
    "IL3015",
    "tunnel-invalid",
    Error,
    DestinationRule,
    DR,
    "trafficPolicy.tunnel settings Istio rejects",
    "## What it checks
`tunnel.protocol` other than CONNECT or POST, `targetHost` neither a domain name nor an IP,
`targetPort` outside 1-65535.
",
    help: "set tunnel.targetHost and tunnel.targetPort; protocol is CONNECT or POST",
    check: crate::rules::Check::SharedWith(&HOST_INVALID)
);

fn at(out: &mut Vec<Finding>, rule: &'static Rule, pointer: String, message: String) {
    out.push(Finding::new(rule, pointer, message));
}

/// Duplicate subset names are rejected from Istio 1.22.
const DUPLICATE_SUBSETS_SINCE: IstioVersion = IstioVersion::new(1, 22, 0);

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let (obj, version, policies) = (ctx.object, ctx.version(), ctx.policies());
    let spec = &obj.json["spec"];
    if let Some(host) = spec["host"].as_str() {
        if let Err(e) = v::wildcard_domain(host) {
            at(out, &HOST_INVALID, "/spec/host".into(), e);
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, s) in spec["subsets"].as_array().into_iter().flatten().enumerate() {
        let base = format!("/spec/subsets/{i}");
        match s["name"].as_str() {
            Some("") => at(
                out,
                &SUBSET_NAME,
                format!("{base}/name"),
                "subset name cannot be empty".into(),
            ),
            Some(n) if !v::is_dns1123_label(n) => at(
                out,
                &SUBSET_NAME,
                format!("{base}/name"),
                format!("subset name is invalid: {n}"),
            ),
            Some(n) if seen.contains(&n) && version >= DUPLICATE_SUBSETS_SINCE => at(
                out,
                &SUBSET_NAME,
                format!("{base}/name"),
                format!("duplicate subset names: {n}"),
            ),
            Some(n) => seen.push(n),
            None => {}
        }
        for (k, val) in s["labels"].as_object().into_iter().flatten() {
            if let Err(e) = v::label(k, val.as_str().unwrap_or_default()) {
                at(
                    out,
                    &SUBSET_LABELS,
                    format!("{base}/labels/{}", crate::yaml::escape_pointer_token(k)),
                    e,
                );
            }
        }
    }
    for (p, tp) in policies {
        policy(p, tp, out);
    }
    if let Some(sel) = spec["workloadSelector"].as_object() {
        let labels = sel.get("matchLabels").and_then(Value::as_object);
        match labels {
            Some(l) if !l.is_empty() => {
                for (k, val) in l {
                    let pointer = format!(
                        "/spec/workloadSelector/matchLabels/{}",
                        crate::yaml::escape_pointer_token(k)
                    );
                    let val = val.as_str().unwrap_or_default();
                    if k.is_empty() {
                        at(
                            out,
                            &WORKLOAD_SELECTOR,
                            pointer,
                            format!("empty key is not supported in selector: \"{k}={val}\""),
                        );
                    } else if k.contains('*') || val.contains('*') {
                        at(
                            out,
                            &WORKLOAD_SELECTOR,
                            pointer,
                            format!("wildcard is not supported in selector: \"{k}={val}\""),
                        );
                    }
                }
            }
            _ => {
                out.push(Finding::new(
                    &super::webhook_warnings::SELECTOR_WITHOUT_LABELS,
                    "/spec/workloadSelector",
                    "workload selector specified without labels",
                ));
            }
        }
    }
}

fn policy(p: &str, tp: &Value, out: &mut Vec<Finding>) {
    let port_level = p.contains("/portLevelSettings/");
    let fields: &[&str] = if port_level {
        &["outlierDetection", "connectionPool", "loadBalancer", "tls"]
    } else {
        &[
            "outlierDetection",
            "connectionPool",
            "loadBalancer",
            "tls",
            "portLevelSettings",
            "tunnel",
            "proxyProtocol",
            "retryBudget",
        ]
    };
    if port_level && tp["port"].is_null() {
        at(
            out,
            &POLICY_EMPTY,
            p.into(),
            "portTrafficPolicy must have valid port".into(),
        );
    }
    // Only a literally empty policy: unknown keys are already schema errors.
    let empty = tp
        .as_object()
        .is_some_and(|o| o.keys().all(|k| k == "port"));
    if !fields.iter().any(|f| !tp[*f].is_null()) && empty {
        let what = if port_level {
            "port traffic policy"
        } else {
            "traffic policy"
        };
        at(
            out,
            &POLICY_EMPTY,
            p.into(),
            format!("{what} must have at least one field"),
        );
        return;
    }
    if !tp["tunnel"].is_null() && !tp["proxyProtocol"].is_null() {
        at(
            out,
            &POLICY_EMPTY,
            format!("{p}/proxyProtocol"),
            "tunnel and proxyProtocol must not be set together".into(),
        );
    }
    let pool = &tp["connectionPool"];
    if pool.is_object() {
        if pool.as_object().is_some_and(|o| o.is_empty()) {
            at(
                out,
                &POOL_INVALID,
                format!("{p}/connectionPool"),
                "connection pool must have at least one field".into(),
            );
        }
        for (section, field, text) in [
            ("tcp", "maxConnections", "max connections"),
            (
                "http",
                "http1MaxPendingRequests",
                "http1 max pending requests",
            ),
            ("http", "http2MaxRequests", "http2 max requests"),
            (
                "http",
                "maxRequestsPerConnection",
                "max requests per connection",
            ),
            ("http", "maxRetries", "max retries"),
            ("http", "maxConcurrentStreams", "max concurrent streams"),
        ] {
            if pool[section][field].as_i64().is_some_and(|n| n < 0) {
                at(
                    out,
                    &POOL_INVALID,
                    format!("{p}/connectionPool/{section}/{field}"),
                    format!("{text} must be non-negative"),
                );
            }
        }
        if pool["http"]["h2UpgradePolicy"] == "UPGRADE" && pool["http"]["useClientProtocol"] == true
        {
            at(
                out,
                &POOL_INVALID,
                format!("{p}/connectionPool/http/useClientProtocol"),
                "use client protocol must not be true when H2UpgradePolicy is UPGRADE".into(),
            );
        }
    }
    let od = &tp["outlierDetection"];
    if od["consecutiveLocalOriginFailures"]
        .as_i64()
        .is_some_and(|n| n > 0)
        && od["splitExternalLocalOriginErrors"] != true
    {
        at(
            out,
            &LOCAL_ORIGIN,
            format!("{p}/outlierDetection/consecutiveLocalOriginFailures"),
            "outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false".into(),
        );
    }
    load_balancer(
        &format!("{p}/loadBalancer"),
        &tp["loadBalancer"],
        !od.is_null(),
        out,
    );
    tls(&format!("{p}/tls"), &tp["tls"], out);
    let t = &tp["tunnel"];
    if t.is_object() {
        let proto = t["protocol"].as_str().unwrap_or("");
        if !["", "CONNECT", "POST"].contains(&proto) {
            at(
                out,
                &TUNNEL_INVALID,
                format!("{p}/tunnel/protocol"),
                "tunnel protocol must be \"CONNECT\" or \"POST\"".into(),
            );
        }
        if let Some(h) = t["targetHost"].as_str() {
            if let (Err(e), false) = (v::fqdn(h), v::is_ip(h)) {
                at(
                    out,
                    &TUNNEL_INVALID,
                    format!("{p}/tunnel/targetHost"),
                    format!("tunnel target host must be valid FQDN or IP address: {e}"),
                );
            }
        }
        if let Some(n) = t["targetPort"].as_i64() {
            if let Err(e) = v::port(n) {
                at(
                    out,
                    &TUNNEL_INVALID,
                    format!("{p}/tunnel/targetPort"),
                    format!("tunnel target port is invalid: {e}"),
                );
            }
        }
    }
}

fn load_balancer(p: &str, lb: &Value, has_outlier: bool, out: &mut Vec<Finding>) {
    if !lb.is_object() {
        return;
    }
    let ch = &lb["consistentHash"];
    if ch.is_object() {
        if ch["httpCookie"].is_object()
            && ch["httpCookie"]["name"].as_str().unwrap_or("").is_empty()
        {
            at(
                out,
                &LB_INVALID,
                format!("{p}/consistentHash/httpCookie"),
                "name required for HttpCookie".into(),
            );
        }
        if ch["minimumRingSize"].as_u64().is_some_and(|n| n != 0)
            && (ch["ringHash"].is_object() || ch["maglev"].is_object())
        {
            at(
                out,
                &LB_INVALID,
                format!("{p}/consistentHash/minimumRingSize"),
                "only one of MinimumRingSize or Maglev/Ringhash can be specified".into(),
            );
        }
        if ch["maglev"].is_object() {
            let size = ch["maglev"]["tableSize"].as_u64().unwrap_or(0);
            let msg = if size == 0 {
                Some("tableSize must be set for maglev")
            } else if size >= 5_000_011 {
                Some("tableSize must be less than 5000011 for maglev")
            } else if !is_prime(size) {
                Some("tableSize must be a prime number for maglev")
            } else {
                None
            };
            if let Some(m) = msg {
                at(
                    out,
                    &LB_INVALID,
                    format!("{p}/consistentHash/maglev"),
                    m.into(),
                );
            }
        }
    }
    let loc = &lb["localityLbSetting"];
    if loc.is_object() {
        let distribute = loc["distribute"].as_array().filter(|a| !a.is_empty());
        let failover = loc["failover"].as_array().filter(|a| !a.is_empty());
        if distribute.is_some() && failover.is_some() {
            at(
                out,
                &LB_INVALID,
                format!("{p}/localityLbSetting"),
                "can not simultaneously specify 'distribute' and 'failover'".into(),
            );
            return;
        }
        for (i, d) in distribute.into_iter().flatten().enumerate() {
            let mut total = 0;
            for (_, w) in d["to"].as_object().into_iter().flatten() {
                let w = w.as_i64().unwrap_or(0);
                if w <= 0 || w > 100 {
                    at(
                        out,
                        &LB_INVALID,
                        format!("{p}/localityLbSetting/distribute/{i}/to"),
                        "locality weight must be in range [1, 100]".into(),
                    );
                    return;
                }
                total += w;
            }
            if total != 100 {
                at(
                    out,
                    &LB_INVALID,
                    format!("{p}/localityLbSetting/distribute/{i}/to"),
                    format!("total locality weight {total} != 100"),
                );
                return;
            }
        }
        for (i, f) in failover.into_iter().flatten().enumerate() {
            let (from, to) = (
                f["from"].as_str().unwrap_or(""),
                f["to"].as_str().unwrap_or(""),
            );
            let msg = if from == to {
                Some("locality lb failover settings must specify different regions")
            } else if from.contains('/') || to.contains('/') {
                Some("locality lb failover only specify region")
            } else if from.contains('*') || to.contains('*') {
                Some("locality lb failover region should not contain '*' wildcard")
            } else {
                None
            };
            if let Some(m) = msg {
                at(
                    out,
                    &LB_INVALID,
                    format!("{p}/localityLbSetting/failover/{i}"),
                    m.into(),
                );
            }
        }
        let has_priority = loc["failoverPriority"]
            .as_array()
            .is_some_and(|a| !a.is_empty());
        if (failover.is_some() || has_priority) && !has_outlier {
            out.push(Finding::new(
                &super::webhook_warnings::FAILOVER_WITHOUT_OUTLIER,
                format!("{p}/localityLbSetting"),
                "outlier detection policy must be provided for failover",
            ));
        }
    }
}

fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n < 4 {
        return true;
    }
    if n.is_multiple_of(2) {
        return false;
    }
    let mut i = 3;
    while i * i <= n {
        if n.is_multiple_of(i) {
            return false;
        }
        i += 2;
    }
    true
}

fn tls(p: &str, t: &Value, out: &mut Vec<Finding>) {
    if !t.is_object() {
        return;
    }
    let mode = t["mode"].as_str().unwrap_or("");
    let has = |k: &str| {
        t[k].as_str().is_some_and(|s| !s.is_empty())
            || t[k].as_array().is_some_and(|a| !a.is_empty())
    };
    if t["insecureSkipVerify"] == true {
        if mode == "SIMPLE"
            && (has("caCertificates") || has("credentialName") || has("subjectAltNames"))
        {
            at(out, &TLS_INVALID, format!("{p}/insecureSkipVerify"), "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true".into());
        }
        if mode == "MUTUAL" && (has("caCertificates") || has("subjectAltNames")) {
            at(out, &TLS_INVALID, format!("{p}/insecureSkipVerify"), "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true".into());
        }
    }
    if (mode == "SIMPLE" || mode == "MUTUAL") && has("credentialName") {
        if has("clientCertificate") || has("caCertificates") || has("privateKey") || has("caCrl") {
            at(out, &TLS_INVALID, format!("{p}/credentialName"), "cannot specify client certificates or CA certificate or CA CRL If credentialName is set".into());
        }
        return;
    }
    if mode == "MUTUAL" {
        if !has("clientCertificate") {
            at(
                out,
                &TLS_INVALID,
                p.into(),
                "client certificate required for mutual tls".into(),
            );
        }
        if !has("privateKey") {
            at(
                out,
                &TLS_INVALID,
                p.into(),
                "private key required for mutual tls".into(),
            );
        }
    }
}

/// IL3013 on DestinationRules and VirtualServices.
fn export_to_check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let obj = ctx.object;
    let with_selector =
        obj.kind == "DestinationRule" && !obj.json["spec"]["workloadSelector"].is_null();
    export_to(obj, with_selector, out);
}

/// `validateExportTo`, shared by DestinationRule and VirtualService.
pub fn export_to(obj: &crate::objects::Object, with_selector: bool, out: &mut Vec<Finding>) {
    let Some(list) = obj.json["spec"]["exportTo"].as_array() else {
        return;
    };
    let ns = obj.ns();
    let mut seen: Vec<String> = Vec::new();
    for (i, e) in list.iter().enumerate() {
        let e = e.as_str().unwrap_or("");
        let pointer = format!("/spec/exportTo/{i}");
        let resolved = if e == "." {
            ns.to_string()
        } else {
            e.to_string()
        };
        if seen.contains(&resolved) {
            let msg = if e == "." {
                format!("duplicate entries in exportTo: . and current namespace {ns}")
            } else {
                format!("duplicate entries in exportTo for entry {e}")
            };
            at(out, &EXPORT_TO, pointer, msg);
            return;
        }
        if e == "~" {
            at(
                out,
                &EXPORT_TO,
                pointer,
                "exportTo ~ (none) is not allowed for Istio configuration objects".into(),
            );
            return;
        }
        if e != "." && e != "*" && !v::is_dns1123_label(e) {
            at(
                out,
                &EXPORT_TO,
                pointer,
                "only .,*, or a valid DNS 1123 label is allowed as exportTo entry".into(),
            );
            return;
        }
        seen.push(resolved);
    }
    if with_selector {
        if !seen.iter().any(|s| s == ns) {
            at(out, &EXPORT_TO, "/spec/exportTo".into(), "destination rule with workload selector cannot have exportTo beyond current namespace".into());
        } else if seen.len() > 1 {
            at(
                out,
                &EXPORT_TO,
                "/spec/exportTo".into(),
                "destination rule with workload selector cannot have multiple entries in exportTo"
                    .into(),
            );
        }
        return;
    }
    if seen.len() > 1 && seen.iter().any(|s| s == "*") {
        at(
            out,
            &EXPORT_TO,
            "/spec/exportTo".into(),
            "cannot have both public (*) and non-public exportTo values for a resource".into(),
        );
    }
}
