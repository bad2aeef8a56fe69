//! IL7001: a Gateway name with dots (ValidateGateway).

use crate::diagnostic::Finding;
use crate::rules::gateway::{gateway, GW};
use crate::rules::validators::is_dns1123_label;
use crate::rules::{rule, ObjectContext};

rule!(
    GATEWAY_NAME,
    "IL7001",
    "gateway-name-not-dns-label",
    Error,
    Gateway,
    GW,
    "A Gateway name that is not a DNS-1123 label (no dots)",
    "## What it checks
`metadata.name` of an Istio Gateway must be a DNS-1123 label: letters, digits and `-`, at most
63, no dots. The API server accepts dots in names (a DNS-1123 subdomain), Istio's webhook does
not, because a VirtualService names gateways as `namespace/name` and `name.namespace`.

## Example
```yaml
kind: Gateway
metadata:
  name: bookinfo.gateway     # IL7001: invalid gateway name
```
Istio: validation.go `ValidateGateway` (`invalid gateway name`).
",
    help: "rename it with letters, digits and `-` only (e.g. bookinfo-gateway), and update the VirtualServices that name it",
    check: crate::rules::Check::Object(check)
);

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(g) = gateway(ctx) else { return };
    let (Some(name), Some(at)) = (&g.meta.name, &g.meta.name_at) else {
        return;
    };
    if !is_dns1123_label(name) {
        out.push(Finding::new(
            &GATEWAY_NAME,
            at.pointer.clone(),
            format!("invalid gateway name: {name:?}"),
        ));
    }
}
