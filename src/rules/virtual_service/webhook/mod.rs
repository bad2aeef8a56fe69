//! What Istio's validating webhook rejects (or warns about) in a
//! VirtualService beyond the CRD schema: `ValidateVirtualService`,
//! `validateHTTPRoute` and friends, one rule per concern, one file per topic.
//! The routes and hosts come from the model (`model::VirtualService`); what
//! the webhook reads of a route as written (a route entry without a
//! destination, `null` values) through `JsonAt` at the model's locations.

mod cors;
mod destination;
mod fault;
mod gateways;
mod headers;
mod http_route;
mod matches;
mod redirect;
mod retries;
mod tcp_tls;

pub use cors::CORS;
pub use destination::DESTINATION;
pub use fault::FAULT;
pub use gateways::GATEWAY_NAME;
pub use headers::HEADERS;
pub use http_route::{MIRROR_PERCENTAGE, ROUTE_ACTION};
pub use matches::{JWT_CLAIM, MATCH};
pub use redirect::REDIRECT;
pub use retries::RETRIES;
pub use tcp_tls::TCP_TLS;

use serde_json::Value;

use crate::diagnostic::Finding;
use crate::model::host::overlap;
use crate::model::{Model, VirtualService};
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
overlap (`reviews` twice, `*.example.com` and `a.example.com`). On a VirtualService bound to
gateways only that has a TLS route with `sniHosts`, the `outbound_.<PORT>_._.<HOSTNAME>` form of
Envoy's AUTO_PASSTHROUGH cluster names is a host too, when the port part holds a digit and the
host part a letter (Istio's ValidateWildcardDomainForVirtualServiceBoundToGateway).

## Example
```yaml
hosts: [\"*\"]      # IL4005 without gateways: wildcard host * is not allowed for the mesh
```
",
    help: "use service names or (wildcard) domains, each once; `*` only on VirtualServices bound to gateways",
    check: crate::rules::Check::Object(check)
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

pub(super) fn push(
    out: &mut Vec<Finding>,
    rule: &'static Rule,
    pointer: impl Into<String>,
    message: impl Into<String>,
) {
    out.push(Finding::new(rule, pointer, message));
}

fn set(v: &Value) -> bool {
    !v.is_null()
}

/// Set to other than a proto3 zero value (`""`, `0`), which Istio cannot tell from unset.
fn proto_set(v: &Value) -> bool {
    !(v.is_null() || v == "" || v == 0)
}

/// Where the VirtualService applies, from its `gateways`.
struct Binding {
    delegate: bool,
    mesh: bool,
    gateway: bool,
    /// Istio's `isGateway`: no `mesh` among the gateways, even when there
    /// are none (validateSniHost reads it instead of `gateway`).
    off_mesh: bool,
}

impl Binding {
    fn of(vs: &VirtualService) -> Binding {
        let mesh_named = vs.gateways.iter().any(|g| g.value == "mesh");
        Binding {
            delegate: vs.hosts.is_empty(),
            mesh: vs.gateways.is_empty() || mesh_named,
            gateway: !vs.gateways.is_empty() && !mesh_named,
            off_mesh: !mesh_named,
        }
    }
}

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(Model::VirtualService(vs)) = ctx.model() else {
        return;
    };
    let spec = ctx.spec();
    let binding = Binding::of(vs);
    if binding.delegate {
        if !vs.gateways.is_empty() {
            let msg = "delegate virtual service must have no gateways specified";
            push(out, &NO_ROUTES, spec.get("gateways"), msg);
        }
        for (key, msg) in [
            (
                "tls",
                "delegate virtual service must have no tls route specified",
            ),
            (
                "tcp",
                "delegate virtual service must have no tcp route specified",
            ),
        ] {
            let routes = spec.get(key);
            if set(&routes) {
                push(out, &NO_ROUTES, routes, msg);
            }
        }
    }
    gateways::names(&vs.gateways, out);
    hosts(vs, &binding, out);
    let empty = |k: &str| spec[k].as_array().is_none_or(Vec::is_empty);
    if empty("http") && empty("tcp") && empty("tls") {
        let msg = "http, tcp or tls must be provided in virtual service";
        let f = Finding::new(&NO_ROUTES, &spec, msg);
        // Without a spec at all, the finding is about the missing `spec`.
        out.push(if spec.is_null() {
            f.absent()
        } else {
            f.on_key()
        });
    }
    let root = ctx.json();
    for route in &vs.http {
        http_route::check(root, route, binding.delegate, out);
        matches::jwt_claims(root, route, &vs.gateways, binding.gateway, out);
    }
    for route in &vs.tcp {
        tcp_tls::tcp(&ctx.json_at(&route.at), &route.matches, out);
    }
    for route in &vs.tls {
        let matches = route.matches.iter().map(|m| &m.l4);
        let json = ctx.json_at(&route.at);
        tcp_tls::tls(&json, matches, &vs.hosts, binding.off_mesh, out);
    }
    super::unreachable::check(ctx, out);
}

/// `spec.hosts`: each a (wildcard) domain or an IP, `*` only on gateways, no
/// two overlapping (Istio's `Name.Matches`; checked only when every host is valid, as Istio does).
fn hosts(vs: &VirtualService, binding: &Binding, out: &mut Vec<Finding>) {
    let mut all_valid = true;
    let sni = tcp_tls::names_sni_hosts(vs);
    for h in &vs.hosts {
        if v::is_ip(h) {
            continue;
        }
        let valid = match binding.gateway {
            true => v::gateway_domain(sni, h),
            false => v::wildcard_domain(h),
        };
        if let Err(e) = valid {
            push(out, &HOSTS, h, e);
            all_valid = false;
        }
        if h.value == "*" && binding.mesh {
            let msg =
                "wildcard host * is not allowed for virtual services bound to the mesh gateway";
            push(out, &HOSTS, h, msg);
        }
    }
    if !all_valid {
        return;
    }
    for (i, later) in vs.hosts.iter().enumerate() {
        for earlier in &vs.hosts[..i] {
            if overlap(later, earlier) {
                let msg = format!(
                    "duplicate hosts in virtual service: {} & {}",
                    **earlier, **later
                );
                push(out, &HOSTS, later, msg);
            }
        }
    }
}
