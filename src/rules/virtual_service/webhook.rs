//! What Istio's validating webhook rejects (or warns about) in a
//! VirtualService beyond the CRD schema: `ValidateVirtualService`,
//! `validateHTTPRoute` and friends, one rule per concern.

use serde_json::Value;

use super::webhook_warnings as W;
use crate::diagnostic::Finding;
use crate::rules::validators as v;
use crate::rules::ObjectContext;
use crate::rules::{rule, Rule};

const VS: &[&str] = &["VirtualService"];

rule!(
    HOSTS,
    "IL4005",
    "vs-host-invalid",
    Error,
    VirtualService,
    VS,
    "spec.hosts entries Istio rejects (invalid, `*` for the mesh, duplicated)",
    "## What it checks
Each `hosts` entry is a (wildcard) domain name or an IP; `*` is not allowed when the
VirtualService applies to the mesh (no `gateways`, or `mesh` among them); no two hosts may
overlap (`reviews` twice, `*.example.com` and `a.example.com`).

## Example
```yaml
hosts: [\"*\"]      # IL4005 without gateways: wildcard host * is not allowed for the mesh
```
",
    help: "use service names or (wildcard) domains, each once; `*` only on VirtualServices bound to gateways",
    check: crate::rules::Check::Object(check)
);

rule!(
    DESTINATION,
    "IL4006",
    "destination-invalid",
    Error,
    VirtualService,
    VS,
    "A route destination Istio rejects (host, subset name, port)",
    "## What it checks
`destination.host` is a (wildcard) domain name but not `*` or an IP; `subset` is a DNS-1123
label; `port.number` is 1-65535; every route entry has a destination. Also `mirror` and
`mirrors`.
",
    help: "give each destination a host (a service name or FQDN, no `*`), a lowercase subset name, a port number 1-65535",
    check: crate::rules::Check::SharedWith(&HOSTS)
);

rule!(
    NO_ROUTES,
    "IL4007",
    "virtual-service-empty",
    Error,
    VirtualService,
    VS,
    "No http, tcp or tls route; or a delegate with gateways, tcp or tls",
    "## What it checks
A VirtualService needs at least one of `http`, `tcp`, `tls`. A delegate (no `hosts`) may not
name gateways nor have tcp or tls routes.
",
    help: "add an http, tcp or tls route; a delegate VirtualService has only http routes and no gateways",
    check: crate::rules::Check::SharedWith(&HOSTS)
);

rule!(
    GATEWAY_NAME,
    "IL4008",
    "gateway-name-invalid",
    Error,
    VirtualService,
    VS,
    "A gateway reference Istio rejects, or the legacy name.namespace form",
    "## What it checks
`gateways` (and `match[].gateways`) entries are `mesh`, `name` or `namespace/name` with DNS-1123
parts. `name.namespace` is the legacy form: accepted with a warning; write `namespace/name`.
As in Istio, the entries after the first one without `/` are not checked (Istio accepts them;
IL5003 still reports them when they name no Gateway among the inputs).
",
    help: "name gateways `namespace/name`, `name` (in the VirtualService's namespace) or `mesh`",
    check: crate::rules::Check::SharedWith(&HOSTS)
);

rule!(
    ROUTE_ACTION,
    "IL4009",
    "route-action-conflict",
    Error,
    VirtualService,
    VS,
    "An HTTP route with conflicting or missing actions",
    "## What it checks
Exactly one of `route`, `redirect`, `directResponse` (or `delegate` in a root VirtualService);
no `fault` or `rewrite` with `redirect` or `directResponse`; not both `mirror` and `mirrors`;
no `delegate` inside a delegate.

## Example
```yaml
- route: [...]
  redirect: {uri: /v2}     # IL4009: HTTP route cannot contain both route and redirect
```
",
    help: "give each HTTP rule one action: route, redirect, directResponse or delegate",
    check: crate::rules::Check::SharedWith(&HOSTS)
);

rule!(
    MATCH,
    "IL4010",
    "match-invalid",
    Error,
    VirtualService,
    VS,
    "An HTTP match Istio rejects (empty prefix, bad regex, header name, port)",
    "## What it checks
String matches: a `prefix` or `regex` must not be empty (an empty `uri` prefix is allowed),
regexes must be RE2 syntax (no look-around, no backreferences) and at most 1024 characters;
header names must be valid; `port` 1-65535; `sourceNamespace` a namespace name; `sourceLabels`
valid labels.
",
    help: "fix the match: non-empty prefix, exact or regex values, RE2 regexes, valid header names and ports",
    check: crate::rules::Check::SharedWith(&HOSTS)
);

rule!(
    RETRIES,
    "IL4011",
    "retries-invalid",
    Error,
    VirtualService,
    VS,
    "A retry policy Istio rejects",
    "## What it checks
`attempts` below 0; `attempts: 0` together with `perTryTimeout`, `retryOn` or
`retryRemoteLocalities` (retries are off, the rest is meaningless); unknown `retryOn`
conditions; durations.
",
    help: "set attempts > 0 with retryOn or perTryTimeout; retryOn takes Envoy policies (5xx, gateway-error, connect-failure, ...) or status codes",
    check: crate::rules::Check::SharedWith(&HOSTS)
);

rule!(
    FAULT,
    "IL4012",
    "fault-invalid",
    Error,
    VirtualService,
    VS,
    "A fault injection Istio rejects",
    "## What it checks
A `fault` needs `abort` and/or `delay`; percentages 0 or 0.0001-100; `httpStatus` 200-600;
known `grpcStatus` names; `http2Error` and `exponentialDelay` are not supported.
",
    help: "use percentages between 0 and 100; an abort needs an httpStatus of 200-599 or a gRPC status name; a delay needs fixedDelay",
    check: crate::rules::Check::SharedWith(&HOSTS)
);

rule!(
    CORS,
    "IL4013",
    "cors-invalid",
    Error,
    VirtualService,
    VS,
    "A corsPolicy Istio rejects",
    "## What it checks
`allowOrigins` matches with a value, known `allowMethods`, valid header names, and a `maxAge`
in whole seconds.
",
    help: "use HTTP method names, non-empty header names and origins, and a maxAge in whole milliseconds",
    check: crate::rules::Check::SharedWith(&HOSTS)
);

rule!(
    REDIRECT,
    "IL4014",
    "redirect-rewrite-invalid",
    Error,
    VirtualService,
    VS,
    "A redirect, rewrite or directResponse Istio rejects",
    "## What it checks
A `redirect` needs a uri, authority, scheme or port; `redirectCode` 3xx; scheme http or https.
A `rewrite` needs uri, uriRegexRewrite (with match and rewrite) or authority, not uri and
uriRegexRewrite together. `directResponse.status` 200-600, body under 1 MiB.
",
    help: "a redirect needs uri, authority, scheme or port and a 3xx code; a rewrite needs uri, authority or uriRegexRewrite (not uri with uriRegexRewrite); directResponse status is 200-599",
    check: crate::rules::Check::SharedWith(&HOSTS)
);

rule!(
    MIRROR_PERCENTAGE,
    "IL4015",
    "mirror-percentage-invalid",
    Error,
    VirtualService,
    VS,
    "A mirror percentage outside 0-100",
    "## What it checks
`mirrorPercentage.value`, `mirrors[].percentage.value` and the deprecated `mirrorPercent`
must be between 0 and 100.
",
    help: "use a percentage between 0 and 100",
    check: crate::rules::Check::SharedWith(&HOSTS)
);

rule!(
    HEADERS,
    "IL4016",
    "header-operation-invalid",
    Error,
    VirtualService,
    VS,
    "Header add/set/remove operations Istio rejects",
    "## What it checks
Header names in `headers.request` and `headers.response` (route and destination level): valid
names, no `:` pseudo headers, no `Host` except through `:authority` on requests; values
without control characters; the authority set only once per route.
",
    help: "use plain header names (no `:` pseudo headers; Host only as `:authority` on requests); write `%%` for a literal `%` in values",
    check: crate::rules::Check::SharedWith(&HOSTS)
);

rule!(
    UNREACHABLE,
    "IL4017",
    "unreachable-route",
    Warning,
    VirtualService,
    VS,
    "An HTTP, TCP or TLS rule that can never match",
    "## What it checks
A rule after a rule without `match` (the earlier one catches everything), a match identical
to an earlier one (IST0130, IST0131), and an HTTP match that an earlier match of the same
VirtualService takes every request of. The last is decided with the matcher of
`istiolint route` (src/route/cover.rs): wherever Istio builds the later match (port, gateways,
sourceLabels, sourceNamespace) it builds the earlier one, and every request the later one
matches (uri exact/prefix/regex with ignoreUriCase, method, authority, scheme, headers,
withoutHeaders, queryParams) the earlier one matches too. An earlier match with fewer
conditions covers one with more; a regex covers the exact paths it matches.

Differences from Istio's analyzer, which compares `uri.prefix` matches only: it also finds
exact and regex matches under an earlier prefix or regex, and matches after a catch-all match
(`prefix: /`); it no longer counts an absent method as `GET` (an earlier match without a method
takes every method); a prefix covers the values that start with it (Istio compares the strings
the other way round). Within one rule, only duplicates and prefix-under-prefix are reported (a
covered match there is redundant but its rule still answers). A rule with a `delegate` neither
catches all nor covers later rules: its routes are the delegate's, under its matches.

## Example
```yaml
http:
- route: [{destination: {host: reviews, subset: v1}}]     # matches everything
- match: [{headers: {end-user: {exact: jason}}}]          # IL4017: never used
  route: [{destination: {host: reviews, subset: v2}}]
```
Put specific matches first.
",
    help: "put the more specific rule first, or remove the one that can never match",
    check: crate::rules::Check::SharedWith(&HOSTS)
);

rule!(
    TCP_TLS,
    "IL4018",
    "tcp-tls-route-invalid",
    Error,
    VirtualService,
    VS,
    "TCP or TLS routes Istio rejects",
    "## What it checks
A TLS route needs at least one match with at least one SNI host; TCP/TLS route destinations and
ports follow the HTTP rules.
",
    help: "TLS rules need matches with sniHosts within the VirtualService's hosts; TCP and TLS rules need a route",
    check: crate::rules::Check::SharedWith(&HOSTS)
);

rule!(
    JWT_CLAIM,
    "IL4019",
    "jwt-claim-routing-without-gateway",
    Error,
    VirtualService,
    VS,
    "Routing on @request.auth.claims outside a gateway",
    "## What it checks
Header matches on `@request.auth.claims.*` work only on gateways; Istio rejects them when the
VirtualService applies to the mesh (no `gateways`, or `mesh` among them).
",
    help: "route on JWT claims only in VirtualServices bound to a gateway (with a RequestAuthentication)",
    check: crate::rules::Check::SharedWith(&HOSTS)
);

const RETRY_ON: &[&str] = &[
    "5xx",
    "gateway-error",
    "reset",
    "reset-before-request",
    "connect-failure",
    "retriable-4xx",
    "refused-stream",
    "retriable-status-codes",
    "retriable-headers",
    "envoy-ratelimited",
    "http3-post-connect-failure",
    "cancelled",
    "deadline-exceeded",
    "internal",
    "resource-exhausted",
    "unavailable",
];

const GRPC_CODES: &[&str] = &[
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*",
];

pub(super) fn push(
    out: &mut Vec<Finding>,
    rule: &'static Rule,
    pointer: impl Into<String>,
    message: impl Into<String>,
) {
    out.push(Finding::new(rule, pointer, message));
}

/// Istio's validateSniHost: a (wildcard) domain within one of the hosts; an
/// IP address is accepted with a warning.
fn sni_host(p: &str, sni: &str, hosts: &Value, out: &mut Vec<Finding>) {
    // `outbound_.15010_._.istiod...` is the SNI form of an Istio cluster name.
    if let (Err(e), false) = (v::wildcard_domain(sni), sni.starts_with("outbound_")) {
        match sni.parse::<std::net::IpAddr>() {
            Ok(ip) => push(
                out,
                &W::SNI_IP_ADDRESS,
                p,
                format!("using an IP address (\"{ip}\") goes against SNI spec and most clients do not support this"),
            ),
            Err(_) => push(out, &TCP_TLS, p, e),
        }
        return;
    }
    let hosts: Vec<&str> = hosts
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let subset_of = |h: &&str| match (h.strip_prefix('*'), sni.strip_prefix('*')) {
        (Some(suffix), Some(own)) => own.ends_with(suffix),
        (Some(suffix), None) => sni.ends_with(suffix),
        (None, Some(_)) => false,
        (None, None) => sni == *h,
    };
    if !hosts.iter().any(subset_of) {
        push(
            out,
            &TCP_TLS,
            p,
            format!(
                "SNI host \"{sni}\" is not a compatible subset of any of the virtual service hosts: [{}]",
                hosts.join(", ")
            ),
        );
    }
}

fn set(v: &Value) -> bool {
    !v.is_null()
}

/// Set to other than a proto3 zero value (`""`, `0`), which Istio cannot tell from unset.
fn proto_set(v: &Value) -> bool {
    !(v.is_null() || v == "" || v == 0)
}

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let obj = ctx.object;
    let spec = &obj.json["spec"];
    let hosts: Vec<&str> = spec["hosts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let gateways: Vec<&str> = spec["gateways"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let delegate = hosts.is_empty();
    let applies_to_mesh = gateways.is_empty() || gateways.contains(&"mesh");
    let applies_to_gateway = !gateways.is_empty() && !gateways.contains(&"mesh");

    if delegate {
        if !gateways.is_empty() {
            push(
                out,
                &NO_ROUTES,
                "/spec/gateways",
                "delegate virtual service must have no gateways specified",
            );
        }
        if set(&spec["tls"]) {
            push(
                out,
                &NO_ROUTES,
                "/spec/tls",
                "delegate virtual service must have no tls route specified",
            );
        }
        if set(&spec["tcp"]) {
            push(
                out,
                &NO_ROUTES,
                "/spec/tcp",
                "delegate virtual service must have no tcp route specified",
            );
        }
    }
    gateway_names("/spec/gateways", &spec["gateways"], out);
    let mut all_valid = true;
    for (i, h) in hosts.iter().enumerate() {
        let pointer = format!("/spec/hosts/{i}");
        if v::is_ip(h) {
            continue;
        }
        let sni_form = applies_to_gateway && h.starts_with("outbound_");
        if let (Err(e), false) = (v::wildcard_domain(h), sni_form) {
            push(out, &HOSTS, pointer.clone(), e);
            all_valid = false;
        }
        if *h == "*" && applies_to_mesh {
            push(
                out,
                &HOSTS,
                pointer,
                "wildcard host * is not allowed for virtual services bound to the mesh gateway",
            );
        }
    }
    if all_valid {
        for i in 0..hosts.len() {
            for j in 0..i {
                if host_overlap(hosts[i], hosts[j]) {
                    push(
                        out,
                        &HOSTS,
                        format!("/spec/hosts/{i}"),
                        format!(
                            "duplicate hosts in virtual service: {} & {}",
                            hosts[j], hosts[i]
                        ),
                    );
                }
            }
        }
    }
    let empty = |k: &str| spec[k].as_array().is_none_or(Vec::is_empty);
    if empty("http") && empty("tcp") && empty("tls") {
        let f = Finding::new(
            &NO_ROUTES,
            "/spec",
            "http, tcp or tls must be provided in virtual service",
        );
        // Without a spec at all, the finding is about the missing `spec`.
        let f = match obj.node.lookup("/spec") {
            Some(_) => f.on_key(),
            None => f.absent(),
        };
        out.push(f);
    }
    for (i, r) in spec["http"].as_array().into_iter().flatten().enumerate() {
        http_route(&format!("/spec/http/{i}"), r, delegate, out);
        for (j, m) in r["match"].as_array().into_iter().flatten().enumerate() {
            for key in ["headers", "withoutHeaders"] {
                for (k, _) in m[key].as_object().into_iter().flatten() {
                    if v::is_jwt_claim(k) && !applies_to_gateway {
                        push(
                            out,
                            &JWT_CLAIM,
                            format!("/spec/http/{i}/match/{j}/{key}/{}", crate::yaml::escape_pointer_token(k)),
                            format!("JWT claim based routing (key: {k}) is only supported for gateway, found no gateways: [{}]", gateways.join(" ")),
                        );
                    }
                }
            }
        }
    }
    for section in ["tcp", "tls"] {
        for (i, r) in spec[section].as_array().into_iter().flatten().enumerate() {
            let base = format!("/spec/{section}/{i}");
            if section == "tls" {
                match r["match"].as_array() {
                    None => push(
                        out,
                        &TCP_TLS,
                        base.clone(),
                        "TLS route must have at least one match condition",
                    ),
                    Some(ms) if ms.is_empty() => push(
                        out,
                        &TCP_TLS,
                        format!("{base}/match"),
                        "TLS route must have at least one match condition",
                    ),
                    Some(ms) => {
                        for (j, m) in ms.iter().enumerate() {
                            let Some(snis) = m["sniHosts"].as_array().filter(|s| !s.is_empty())
                            else {
                                push(
                                    out,
                                    &TCP_TLS,
                                    format!("{base}/match/{j}"),
                                    "TLS match must have at least one SNI host",
                                );
                                continue;
                            };
                            for (k, sni) in snis.iter().enumerate() {
                                if let Some(sni) = sni.as_str() {
                                    let p = format!("{base}/match/{j}/sniHosts/{k}");
                                    sni_host(&p, sni, &spec["hosts"], out);
                                }
                            }
                        }
                    }
                }
            }
            if r["route"].as_array().is_none_or(Vec::is_empty) {
                let what = if section == "tcp" { "TCP" } else { "TLS" };
                push(
                    out,
                    &TCP_TLS,
                    base.clone(),
                    format!("{what} route is required"),
                );
            }
            for (j, m) in r["match"].as_array().into_iter().flatten().enumerate() {
                if let Some(p) = m["port"].as_i64().filter(|p| *p != 0) {
                    if let Err(e) = v::port(p) {
                        push(out, &TCP_TLS, format!("{base}/match/{j}/port"), e);
                    }
                }
                gateway_names(&format!("{base}/match/{j}/gateways"), &m["gateways"], out);
            }
            destinations(&base, r, false, out);
        }
    }
    super::unreachable::check(ctx, out);
}

fn host_overlap(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let covers = |wild: &str, other: &str| match wild.strip_prefix('*') {
        Some(suffix) => {
            other.ends_with(suffix)
                || other
                    .strip_prefix('*')
                    .is_some_and(|o| o.ends_with(suffix) || suffix.ends_with(o))
        }
        None => false,
    };
    covers(a, b) || covers(b, a)
}

fn gateway_names(pointer: &str, list: &Value, out: &mut Vec<Finding>) {
    for (i, g) in list.as_array().into_iter().flatten().enumerate() {
        let Some(g) = g.as_str() else { continue };
        let p = format!("{pointer}/{i}");
        match g.split_once('/') {
            None => {
                if g.contains('.') {
                    let parts: Vec<&str> = g.split('.').collect();
                    push(
                        out,
                        &W::LEGACY_GATEWAY_NAME,
                        p.clone(),
                        format!("using legacy gatewayName format \"{g}\"; prefer the <namespace>/<name> format: \"{}/{}\"", parts[1], parts[0]),
                    );
                }
                if let Err(e) = v::fqdn(g) {
                    push(out, &GATEWAY_NAME, p, e);
                }
                // Istio stops here: later entries of the list are not validated.
                return;
            }
            Some((ns, name)) => {
                if ns.is_empty() || name.is_empty() {
                    push(
                        out,
                        &GATEWAY_NAME,
                        p,
                        "config namespace and gateway name cannot be empty",
                    );
                } else if !v::is_dns1123_label(ns) {
                    push(
                        out,
                        &GATEWAY_NAME,
                        p,
                        format!("invalid value for namespace: \"{ns}\""),
                    );
                } else if !v::is_dns1123_label(name) {
                    push(
                        out,
                        &GATEWAY_NAME,
                        p,
                        format!("invalid value for gateway name: \"{name}\""),
                    );
                }
            }
        }
    }
}

fn http_route(base: &str, r: &Value, in_delegate: bool, out: &mut Vec<Finding>) {
    let name = r["name"].as_str().unwrap_or("");
    let is_root = set(&r["delegate"]) && !in_delegate;
    if is_root {
        if set(&r["redirect"]) {
            push(
                out,
                &ROUTE_ACTION,
                format!("{base}/redirect"),
                format!("root HTTP route {name} must not specify redirect"),
            );
        }
        if set(&r["route"]) {
            push(
                out,
                &ROUTE_ACTION,
                format!("{base}/route"),
                format!("root HTTP route {name} must not specify route"),
            );
        }
    } else {
        if in_delegate && set(&r["delegate"]) {
            push(
                out,
                &ROUTE_ACTION,
                format!("{base}/delegate"),
                "delegate HTTP route cannot contain delegate",
            );
        }
        let pairs = [
            (
                "redirect",
                "route",
                "HTTP route cannot contain both route and redirect",
            ),
            (
                "redirect",
                "fault",
                "HTTP route cannot contain both fault and redirect",
            ),
            (
                "redirect",
                "rewrite",
                "HTTP route rule cannot contain both rewrite and redirect",
            ),
            (
                "redirect",
                "directResponse",
                "HTTP route rule cannot contain both direct_response and redirect",
            ),
            (
                "directResponse",
                "route",
                "HTTP route cannot contain both route and direct_response",
            ),
            (
                "directResponse",
                "fault",
                "HTTP route cannot contain both fault and direct_response",
            ),
            (
                "directResponse",
                "rewrite",
                "HTTP route rule cannot contain both rewrite and direct_response",
            ),
        ];
        for (a, b, msg) in pairs {
            if set(&r[a]) && set(&r[b]) {
                push(out, &ROUTE_ACTION, format!("{base}/{b}"), msg);
            }
        }
        if !set(&r["route"]) && !set(&r["redirect"]) && !set(&r["directResponse"]) {
            push(
                out,
                &ROUTE_ACTION,
                base,
                "HTTP route, redirect or direct_response is required",
            );
        }
    }
    if set(&r["mirror"]) && set(&r["mirrors"]) {
        push(
            out,
            &ROUTE_ACTION,
            format!("{base}/mirrors"),
            "HTTP route cannot contain both mirror and mirrors",
        );
    }
    for (j, m) in r["match"].as_array().into_iter().flatten().enumerate() {
        http_match(&format!("{base}/match/{j}"), m, out);
    }
    headers(base, &r["headers"], out);
    authority_once(base, r, out);
    if let Some(n) = r["mirrorPercent"].as_i64().filter(|n| *n > 100) {
        push(
            out,
            &MIRROR_PERCENTAGE,
            format!("{base}/mirrorPercent"),
            format!("mirror_percent must have a max value of 100 (it has {n})"),
        );
    }
    if let Some(x) = r["mirrorPercentage"]["value"].as_f64() {
        if x > 100.0 {
            push(
                out,
                &MIRROR_PERCENTAGE,
                format!("{base}/mirrorPercentage/value"),
                format!("mirror_percentage must have a max value of 100 (it has {x:.6})"),
            );
        } else if x < 0.0 {
            push(
                out,
                &MIRROR_PERCENTAGE,
                format!("{base}/mirrorPercentage/value"),
                format!("mirror_percentage must have a min value of 0 (it has {x:.6})"),
            );
        }
    }
    if r["mirror"].is_object() {
        destination(&format!("{base}/mirror"), &r["mirror"], out);
    }
    for (k, m) in r["mirrors"].as_array().into_iter().flatten().enumerate() {
        let p = format!("{base}/mirrors/{k}");
        if !m["destination"].is_object() {
            push(out, &DESTINATION, p, "destination is required for mirrors");
            continue;
        }
        destination(&format!("{p}/destination"), &m["destination"], out);
        if let Some(x) = m["percentage"]["value"].as_f64() {
            if !(0.0..=100.0).contains(&x) {
                push(
                    out,
                    &MIRROR_PERCENTAGE,
                    format!("{p}/percentage/value"),
                    format!(
                        "mirror percentage must have a {} value of {} (it has {x:.6})",
                        if x > 100.0 { "max" } else { "min" },
                        if x > 100.0 { 100 } else { 0 }
                    ),
                );
            }
        }
    }
    cors(&format!("{base}/corsPolicy"), &r["corsPolicy"], out);
    fault(&format!("{base}/fault"), &r["fault"], out);
    retries(&format!("{base}/retries"), &r["retries"], out);
    redirect(base, r, out);
    destinations(base, r, true, out);
}

fn string_match(p: &str, m: &Value, allow_empty_prefix: bool, what: &str, out: &mut Vec<Finding>) {
    if m["prefix"].as_str() == Some("") && !allow_empty_prefix {
        push(
            out,
            &MATCH,
            format!("{p}/prefix"),
            format!("\"{what}\": prefix string match should not be empty"),
        );
    }
    if let Some(re) = m["regex"].as_str() {
        if re.is_empty() {
            push(
                out,
                &MATCH,
                format!("{p}/regex"),
                format!("\"{what}\": regex string match should not be empty"),
            );
        } else if let Err(e) = v::re2(re) {
            push(
                out,
                &MATCH,
                format!("{p}/regex"),
                format!("\"{what}\": {e}; Istio uses RE2 style regex-based match"),
            );
        }
    }
}

fn http_match(p: &str, m: &Value, out: &mut Vec<Finding>) {
    if !m.is_object() {
        return;
    }
    string_match(&format!("{p}/uri"), &m["uri"], true, "uri", out);
    for key in ["scheme", "method", "authority"] {
        string_match(&format!("{p}/{key}"), &m[key], false, key, out);
    }
    for key in ["headers", "withoutHeaders", "queryParams"] {
        for (k, val) in m[key].as_object().into_iter().flatten() {
            let kp = format!("{p}/{key}/{}", crate::yaml::escape_pointer_token(k));
            if val.is_null() {
                push(
                    out,
                    &MATCH,
                    kp.clone(),
                    format!("header match {k} cannot be null"),
                );
                continue;
            }
            if key != "queryParams" {
                if let Err(e) = v::header_name(k) {
                    push(out, &MATCH, kp.clone(), e);
                }
            }
            if key == "withoutHeaders" && val["regex"] == "*" {
                continue;
            }
            string_match(&kp, val, false, key, out);
        }
    }
    if let Some(port) = m["port"].as_i64().filter(|n| *n != 0) {
        if let Err(e) = v::port(port) {
            push(out, &MATCH, format!("{p}/port"), e);
        }
    }
    if let Some(ns) = m["sourceNamespace"].as_str().filter(|s| !s.is_empty()) {
        if !v::is_dns1123_label(ns) {
            push(
                out,
                &MATCH,
                format!("{p}/sourceNamespace"),
                format!("sourceNamespace match {ns} is invalid"),
            );
        }
    }
    for (k, val) in m["sourceLabels"].as_object().into_iter().flatten() {
        if let Err(e) = v::label(k, val.as_str().unwrap_or_default()) {
            push(
                out,
                &MATCH,
                format!("{p}/sourceLabels/{}", crate::yaml::escape_pointer_token(k)),
                e,
            );
        }
    }
    gateway_names(&format!("{p}/gateways"), &m["gateways"], out);
}

fn destinations(base: &str, r: &Value, http: bool, out: &mut Vec<Finding>) {
    for (j, d) in r["route"].as_array().into_iter().flatten().enumerate() {
        let p = format!("{base}/route/{j}");
        if d.is_null() {
            push(out, &DESTINATION, p, "weight may not be nil");
            continue;
        }
        if !d["destination"].is_object() {
            push(out, &DESTINATION, p, "destination is required");
            continue;
        }
        destination(&format!("{p}/destination"), &d["destination"], out);
        if http {
            headers(&p, &d["headers"], out);
        }
    }
}

fn destination(p: &str, d: &Value, out: &mut Vec<Finding>) {
    if let Some(h) = d["host"].as_str() {
        if let Err(e) = v::destination_host(h) {
            push(out, &DESTINATION, format!("{p}/host"), e);
        }
    }
    if let Some(s) = d["subset"].as_str().filter(|s| !s.is_empty()) {
        if !v::is_dns1123_label(s) {
            push(
                out,
                &DESTINATION,
                format!("{p}/subset"),
                format!("subset name is invalid: {s}"),
            );
        }
    }
    if d["port"].is_object() {
        let n = d["port"]["number"].as_i64().unwrap_or(0);
        if let Err(e) = v::port(n) {
            push(out, &DESTINATION, format!("{p}/port"), e);
        }
    }
}

fn headers(base: &str, h: &Value, out: &mut Vec<Finding>) {
    for (dir, ops) in [("request", &h["request"]), ("response", &h["response"])] {
        for op in ["add", "set"] {
            for (k, val) in ops[op].as_object().into_iter().flatten() {
                let p = format!(
                    "{base}/headers/{dir}/{op}/{}",
                    crate::yaml::escape_pointer_token(k)
                );
                let lower = k.to_ascii_lowercase();
                let authority_ok = dir == "request" && (lower == ":authority" || lower == "host");
                if k.is_empty() {
                    push(out, &HEADERS, p.clone(), "header name cannot be empty");
                } else if !authority_ok && lower == "host" {
                    push(
                        out,
                        &HEADERS,
                        p.clone(),
                        format!("invalid header \"{k}\": cannot set Host header"),
                    );
                } else if !authority_ok && k.starts_with(':') {
                    push(
                        out,
                        &HEADERS,
                        p.clone(),
                        format!("invalid header \"{k}\": header cannot have \":\" prefix"),
                    );
                }
                if val
                    .as_str()
                    .is_some_and(|s| s.chars().any(|c| c != '\t' && (c.is_control())))
                {
                    push(
                        out,
                        &HEADERS,
                        p,
                        format!("header value configuration {} is invalid", val),
                    );
                } else if let Some(Err(e)) = val.as_str().map(v::envoy_format) {
                    push(out, &HEADERS, p, format!("header value configuration: {e}"));
                }
            }
        }
        for (i, k) in ops["remove"].as_array().into_iter().flatten().enumerate() {
            let k = k.as_str().unwrap_or("");
            let p = format!("{base}/headers/{dir}/remove/{i}");
            if k.is_empty() {
                push(out, &HEADERS, p, "header name cannot be empty");
            } else if k.eq_ignore_ascii_case("host") {
                push(
                    out,
                    &HEADERS,
                    p,
                    format!("invalid header \"{k}\": cannot set Host header"),
                );
            } else if k.starts_with(':') {
                push(
                    out,
                    &HEADERS,
                    p,
                    format!("invalid header \"{k}\": header cannot have \":\" prefix"),
                );
            }
        }
    }
}

fn authority_once(base: &str, r: &Value, out: &mut Vec<Finding>) {
    let mut found: Vec<String> = Vec::new();
    if let Some(a) = r["rewrite"]["authority"].as_str() {
        found.push(a.to_string());
    }
    for op in ["set", "add"] {
        for (k, val) in r["headers"]["request"][op]
            .as_object()
            .into_iter()
            .flatten()
        {
            let l = k.to_ascii_lowercase();
            if l == ":authority" || l == "host" {
                found.push(val.as_str().unwrap_or("").to_string());
            }
        }
    }
    if found.len() > 1 {
        push(
            out,
            &HEADERS,
            format!("{base}/headers/request"),
            format!("authority header cannot be set multiple times: have \"{}\", attempting to set \"{}\"", found[0], found[1]),
        );
    }
}

fn cors(p: &str, c: &Value, out: &mut Vec<Finding>) {
    if !c.is_object() {
        return;
    }
    for (i, o) in c["allowOrigins"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let value = ["exact", "prefix", "regex"]
            .iter()
            .find_map(|k| o[*k].as_str());
        match value {
            Some(v) if !v.is_empty() => {
                if let Some(re) = o["regex"].as_str() {
                    if let Err(e) = v::re2(re) {
                        push(
                            out,
                            &CORS,
                            format!("{p}/allowOrigins/{i}/regex"),
                            format!("\"corsPolicy.allowOrigins\": {e}"),
                        );
                    }
                }
            }
            other => push(
                out,
                &CORS,
                format!("{p}/allowOrigins/{i}"),
                format!(
                    "'{}' is not a valid match type for CORS allow origins",
                    other.unwrap_or("")
                ),
            ),
        }
    }
    for (i, m) in c["allowMethods"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let m = m.as_str().unwrap_or("");
        if !METHODS.contains(&m) {
            push(
                out,
                &CORS,
                format!("{p}/allowMethods/{i}"),
                format!("\"{m}\" is not a supported HTTP method"),
            );
        }
    }
    for key in ["allowHeaders", "exposeHeaders"] {
        for (i, h) in c[key].as_array().into_iter().flatten().enumerate() {
            let h = h.as_str().unwrap_or("");
            if h != "*" {
                if let Err(e) = v::header_name(h) {
                    push(out, &CORS, format!("{p}/{key}/{i}"), e);
                }
            }
        }
    }
    if let Some(age) = c["maxAge"].as_str() {
        if crate::duration::parse(age).is_ok_and(|n| n % 1_000_000_000 != 0) {
            push(
                out,
                &CORS,
                format!("{p}/maxAge"),
                "max_age duration is accurate only to seconds precision",
            );
        }
    }
}

fn percentage(p: &str, v: &Value, out: &mut Vec<Finding>) {
    if let Some(x) = v["value"].as_f64() {
        if !(0.0..=100.0).contains(&x) || (x > 0.0 && x < 0.0001) {
            push(
                out,
                &FAULT,
                format!("{p}/value"),
                format!("percentage {x} is neither 0.0, nor in range [0.0001, 100.0]"),
            );
        }
    }
}

fn fault(p: &str, f: &Value, out: &mut Vec<Finding>) {
    if !f.is_object() {
        return;
    }
    let (abort, delay) = (&f["abort"], &f["delay"]);
    if !abort.is_object() && !delay.is_object() {
        push(
            out,
            &FAULT,
            p,
            "HTTP fault injection must have an abort and/or a delay",
        );
        return;
    }
    if abort.is_object() {
        percentage(&format!("{p}/abort/percentage"), &abort["percentage"], out);
        if let Some(s) = abort["grpcStatus"].as_str() {
            if !GRPC_CODES.contains(&s) {
                push(out, &FAULT, format!("{p}/abort/grpcStatus"), format!("gRPC status \"{s}\" is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'"));
            }
        }
        if set(&abort["http2Error"]) {
            push(
                out,
                &FAULT,
                format!("{p}/abort/http2Error"),
                "HTTP/2 abort fault injection not supported yet",
            );
        }
        if let Some(n) = abort["httpStatus"].as_i64() {
            if !(200..=600).contains(&n) {
                push(
                    out,
                    &FAULT,
                    format!("{p}/abort/httpStatus"),
                    format!("HTTP status {n} is not in range 200-599"),
                );
            }
        }
        if !set(&abort["grpcStatus"]) && !set(&abort["http2Error"]) && !set(&abort["httpStatus"]) {
            push(
                out,
                &W::ABORT_WITHOUT_ERROR,
                format!("{p}/abort"),
                "abort configured, but error type not set",
            );
        }
    }
    if delay.is_object() {
        percentage(&format!("{p}/delay/percentage"), &delay["percentage"], out);
        if let Some(d) = delay["fixedDelay"].as_str() {
            if let Err(e) = v::duration_ms(d) {
                push(out, &FAULT, format!("{p}/delay/fixedDelay"), e);
            }
        }
        if set(&delay["exponentialDelay"]) {
            push(
                out,
                &FAULT,
                format!("{p}/delay/exponentialDelay"),
                "exponentialDelay not supported yet",
            );
        }
    }
}

fn retries(p: &str, r: &Value, out: &mut Vec<Finding>) {
    if !r.is_object() {
        return;
    }
    let attempts = r["attempts"].as_i64().unwrap_or(0);
    if attempts < 0 {
        push(
            out,
            &RETRIES,
            format!("{p}/attempts"),
            "attempts cannot be negative",
        );
    }
    if attempts == 0
        && (set(&r["perTryTimeout"]) || set(&r["retryOn"]) || set(&r["retryRemoteLocalities"]))
    {
        push(
            out,
            &RETRIES,
            p,
            "http retry policy configured when attempts are set to 0 (disabled)",
        );
    }
    for key in ["perTryTimeout", "backoff"] {
        if let Some(d) = r[key].as_str() {
            if let Err(e) = v::duration_ms(d) {
                push(out, &RETRIES, format!("{p}/{key}"), e);
            }
        }
    }
    if let Some(on) = r["retryOn"].as_str() {
        for token in on.split(',') {
            let status = token.parse::<u16>().ok().filter(|c| is_http_status(*c));
            if !RETRY_ON.contains(&token) && status.is_none() {
                push(
                    out,
                    &RETRIES,
                    format!("{p}/retryOn"),
                    format!("\"{token}\" is not a valid retryOn policy"),
                );
            }
        }
    }
}

/// Status codes Go's net/http knows (`StatusText` is non-empty).
fn is_http_status(c: u16) -> bool {
    matches!(c, 100..=103 | 200..=208 | 226 | 300..=305 | 307 | 308 | 400..=418 | 421..=426 | 428 | 429 | 431 | 451 | 500..=508 | 510 | 511)
}

fn redirect(base: &str, r: &Value, out: &mut Vec<Finding>) {
    let rd = &r["redirect"];
    if rd.is_object() {
        let p = format!("{base}/redirect");
        let msg = if set(&rd["uri"]) && set(&rd["prefixRewrite"]) {
            Some("redirect may only specify one of uri or prefix_rewrite".to_string())
        } else if !["uri", "prefixRewrite", "authority", "port", "scheme"]
            .iter()
            .any(|k| proto_set(&rd[*k]))
            && !set(&rd["derivePort"])
        {
            Some("redirect must specify URI, authority, scheme, or port".into())
        } else if let Some(c) = rd["redirectCode"]
            .as_i64()
            .filter(|c| *c != 0 && !(300..=399).contains(c))
        {
            Some(format!("{c} is not a valid redirect code, must be 3xx"))
        } else if rd["scheme"]
            .as_str()
            .is_some_and(|s| s != "http" && s != "https")
        {
            Some("invalid redirect scheme, must be \"http\" or \"https\"".into())
        } else {
            rd["port"]
                .as_i64()
                .filter(|n| *n > 0)
                .and_then(|n| v::port(n).err())
        };
        if let Some(m) = msg {
            push(out, &REDIRECT, p, m);
        }
    }
    let rw = &r["rewrite"];
    if rw.is_object() {
        let p = format!("{base}/rewrite");
        let rr = &rw["uriRegexRewrite"];
        let msg = if set(&rw["uri"]) && set(rr) {
            Some("rewrite may only contain one of URI or UriRegexRewrite".to_string())
        } else if !set(&rw["uri"]) && !set(rr) && !set(&rw["authority"]) {
            Some("rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified".into())
        } else if set(rr)
            && (rr["match"].as_str().unwrap_or("").is_empty()
                || rr["rewrite"].as_str().unwrap_or("").is_empty())
        {
            Some("UriRegexRewrite has errors\nUriRegexRewrite requires both Rewrite and Match fields to be specified".into())
        } else if let Some(Err(e)) = rr["match"].as_str().map(v::re2) {
            Some(format!(
                "UriRegexRewrite has errors\n\"HTTPRewrite.UriRegexRewrite.Match\": {e}"
            ))
        } else {
            None
        };
        if let Some(m) = msg {
            push(out, &REDIRECT, p, m);
        }
    }
    let dr = &r["directResponse"];
    if dr.is_object() {
        let p = format!("{base}/directResponse");
        if let Some(s) = dr["status"].as_i64() {
            if !(200..=600).contains(&s) {
                push(
                    out,
                    &REDIRECT,
                    format!("{p}/status"),
                    format!("HTTP status {s} is not in range 200-599"),
                );
            }
        }
        let body = dr["body"]["string"]
            .as_str()
            .map(str::len)
            .or(dr["body"]["bytes"].as_str().map(|b| b.len() * 3 / 4));
        if let Some(n) = body {
            if n > 1 << 20 {
                push(out, &REDIRECT, format!("{p}/body"), "large direct_responses may impact control plane performance, must be less than 1MB");
            } else if n > 100 << 10 {
                push(
                    out,
                    &W::LARGE_DIRECT_RESPONSE,
                    format!("{p}/body"),
                    "large direct_responses may impact control plane performance",
                );
            }
        }
    }
}
