//! IL7002: a Gateway without servers (ValidateGateway).

use crate::diagnostic::Finding;
use crate::rules::gateway::{gateway, GW};
use crate::rules::{rule, ObjectContext};

rule!(
    NO_SERVERS,
    "IL7002",
    "gateway-without-servers",
    Error,
    Gateway,
    GW,
    "A Gateway with no server",
    "## What it checks
`spec.servers` missing or empty. Istio's webhook rejects it: `gateway must have at least one
server`.

## Example
```yaml
kind: Gateway
spec:
  selector: {istio: ingressgateway}
  servers: []                # IL7002
```
Istio: validation.go `ValidateGateway`.
",
    help: "add a server (port and hosts), or delete the Gateway",
    check: crate::rules::Check::Object(check)
);

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(g) = gateway(ctx) else { return };
    // A `servers` of another type, or with items, is the schema's to judge.
    let at = match &ctx.json()["spec"]["servers"] {
        serde_json::Value::Array(a) if a.is_empty() => g.servers_at.as_ref(),
        serde_json::Value::Null => g.meta.name_at.as_ref(),
        _ => return,
    };
    let at = at.map(|l| l.pointer.clone()).unwrap_or_default();
    out.push(Finding::new(
        &NO_SERVERS,
        at,
        "gateway must have at least one server",
    ));
}
