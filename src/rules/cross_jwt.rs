//! JWT-claim routing needs a RequestAuthentication on the gateway's
//! workloads (Istio IST0149). Speaks only when the gateway and workloads it
//! selects are among the inputs.

use crate::diagnostic::Diagnostic;
use crate::model::{self, JsonAt, Model};
use crate::rules::cross::{strings, Facts};
use crate::rules::cross_refs::{diag, gateway_key, selects, Labels, Located, Site};
use crate::rules::rule;
use crate::rules::validators::is_jwt_claim;

rule!(
    JWT_WITHOUT_REQUEST_AUTHENTICATION,
    "IL5017",
    "jwt-routing-without-request-authentication",
    Warning,
    CrossObject,
    &["VirtualService"],
    "JWT-claim routing on a gateway whose workloads no RequestAuthentication covers",
    "## What it checks
A VirtualService that matches on `@request.auth.claims.*` headers, bound to a Gateway among the
inputs whose selector picks workloads (Deployments, Pods) among the inputs: each of those
workloads needs a RequestAuthentication, in its namespace or the root namespace, whose selector
matches it (or that has none). Istio IST0149.

## Why it matters
Claims are only available once a RequestAuthentication has validated the token on the
gateway: without one, the claim match never succeeds and the route is dead.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: ingress-jwt, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  jwtRules: [{issuer: https://issuer.example, jwksUri: https://issuer.example/jwks}]
```
",
    help: "add a RequestAuthentication that selects the gateway's workloads",
    check: crate::rules::Check::Cross(check)
);

/// What the rule needs, collected per object.
#[derive(Clone, Debug, Default)]
pub struct JwtFacts {
    /// Gateway `namespace/name` and its selector.
    pub gateways: Vec<(String, Labels)>,
    /// RequestAuthentication namespace and selector (`None`: the whole namespace).
    pub request_authentications: Vec<(String, Option<Labels>)>,
    /// Claim-routing VirtualServices to report on: the first claim key, where
    /// it is, and the gateways (`namespace/name`) they are bound to.
    pub routes: Vec<(String, Located, Vec<String>)>,
}

impl JwtFacts {
    pub fn merge(&mut self, o: JwtFacts) {
        self.gateways.extend(o.gateways);
        self.request_authentications
            .extend(o.request_authentications);
        self.routes.extend(o.routes);
    }
}

pub fn collect(site: &Site, facts: &mut JwtFacts) {
    let obj = site.obj;
    let ns = site.ns;
    let spec = &obj.json["spec"];
    match (obj.group.as_str(), obj.kind.as_str()) {
        ("networking.istio.io", "Gateway") => {
            if let (Some(name), Some(Model::Gateway(g))) = (&obj.name, model::build(obj, site.file))
            {
                facts.gateways.push((format!("{ns}/{name}"), g.selector));
            }
        }
        ("security.istio.io", "RequestAuthentication") => {
            if let Some(Model::RequestAuthentication(r)) = model::build(obj, site.file) {
                facts
                    .request_authentications
                    .push((ns.to_string(), r.selector));
            }
        }
        ("networking.istio.io", "VirtualService") => {
            let Some((key, pointer)) = first_claim(&JsonAt::member(&obj.json, "spec")) else {
                return;
            };
            let gateways: Vec<String> = strings(&spec["gateways"])
                .iter()
                .filter(|g| *g != "mesh")
                .map(|g| gateway_key(g, ns))
                .collect();
            if !gateways.is_empty() {
                facts.routes.push((key, site.at_key(pointer), gateways));
            }
        }
        _ => {}
    }
}

/// The first `@request.auth.claims` header key of an HTTP match, and its pointer.
fn first_claim(spec: &JsonAt) -> Option<(String, String)> {
    for r in spec.get("http").items() {
        for m in r.get("match").items() {
            for field in ["headers", "withoutHeaders"] {
                if let Some((k, header)) = m
                    .get(field)
                    .entries()
                    .into_iter()
                    .find(|(k, _)| is_jwt_claim(k))
                {
                    return Some((k.to_string(), header.into()));
                }
            }
        }
    }
    None
}

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    let jwt = &facts.jwt;
    let mut out = Vec::new();
    if jwt.routes.is_empty() {
        return out;
    }
    let root = facts
        .mesh
        .root_namespace
        .as_deref()
        .unwrap_or("istio-system");
    let covered = |ns: &str, pod: &Labels| {
        jwt.request_authentications
            .iter()
            .filter(|(ra_ns, _)| ra_ns == ns || ra_ns == root)
            .any(|(_, selector)| selector.as_ref().is_none_or(|s| selects(s, pod)))
    };
    for (key, at, gateways) in &jwt.routes {
        for g in gateways {
            let Some((_, selector)) = jwt.gateways.iter().find(|(name, _)| name == g) else {
                continue;
            };
            let mut pods = facts
                .refs
                .workloads
                .iter()
                .filter(|w| !selector.is_empty() && selects(selector, &w.labels));
            if let Some(ns) = pods
                .find(|w| !covered(&w.namespace, &w.labels))
                .map(|w| &w.namespace)
            {
                out.push(diag(
                    &JWT_WITHOUT_REQUEST_AUTHENTICATION,
                    at,
                    format!("routing on `{key}` through gateway `{g}`, but no RequestAuthentication among the inputs covers its workloads in namespace {ns}"),
                    "",
                ));
            }
        }
    }
    out
}
