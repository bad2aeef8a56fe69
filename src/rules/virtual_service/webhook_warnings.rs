//! What Istio's webhook accepts in a VirtualService but answers with a
//! warning (`Validation.Warning`). Each is its own rule so that a rule has
//! one severity; the checks that find them are the webhook's (`HOSTS`).

use crate::rules::rule;

rule!(
    LEGACY_GATEWAY_NAME,
    "IL4020",
    "legacy-gateway-name",
    Warning,
    VirtualService,
    &["VirtualService"],
    "A gateway named in the legacy name.namespace form",
    "## What it checks
An entry of `gateways` written `name.namespace` (with a dot, without a slash).

## Why it matters
Istio still reads `gw.istio-system` as a gateway name, but the documented form is
`<namespace>/<name>`; the dotted form is ambiguous with a gateway name that contains dots. Istio
warns \"using legacy gatewayName format\" (`validateGatewayNames`).

## Example
```yaml
gateways: [public-gateway.istio-system]   # IL4020
gateways: [istio-system/public-gateway]
```
Until this code existed these findings were IL4008 (`gateway-name-invalid`) printed as warnings.
",
    check: crate::rules::Check::SharedWith(&super::webhook::HOSTS)
);

rule!(
    ABORT_WITHOUT_ERROR,
    "IL4021",
    "abort-without-error-type",
    Warning,
    VirtualService,
    &["VirtualService"],
    "A fault abort without httpStatus, grpcStatus or http2Error",
    "## What it checks
`fault.abort` that sets none of `httpStatus`, `grpcStatus` and `http2Error`.

## Why it matters
The abort injects nothing: the fault has no effect. Istio accepts it with the warning \"abort
configured, but error type not set\" (`validateHTTPFaultInjectionAbort`).

## Example
```yaml
fault:
  abort: {percentage: {value: 10}}                   # IL4021
  abort: {percentage: {value: 10}, httpStatus: 503}
```
Until this code existed these findings were IL4012 (`fault-invalid`) printed as warnings.
",
    help: "set httpStatus (or grpcStatus) to the error to inject",
    check: crate::rules::Check::SharedWith(&super::webhook::HOSTS)
);

rule!(
    LARGE_DIRECT_RESPONSE,
    "IL4022",
    "large-direct-response",
    Warning,
    VirtualService,
    &["VirtualService"],
    "A directResponse body over 100 KiB",
    "## What it checks
A `directResponse.body` larger than 100 KiB (and at most 1 MiB, which IL4014 rejects).

## Why it matters
The body is pushed to every proxy that receives the route, in every configuration update. Istio
warns \"large direct_responses may impact control plane performance\"
(`validateHTTPDirectResponse`).
Until this code existed these findings were IL4014 (`redirect-rewrite-invalid`) printed as warnings.
",
    help: "serve large bodies from a service instead",
    check: crate::rules::Check::SharedWith(&super::webhook::HOSTS)
);

rule!(
    SNI_IP_ADDRESS,
    "IL4023",
    "sni-ip-address",
    Warning,
    VirtualService,
    &["VirtualService"],
    "A TLS route matches an IP address as SNI host",
    "## What it checks
An entry of a TLS route's `match[].sniHosts` that is an IP address.

## Why it matters
SNI carries host names, not addresses (RFC 6066), and most clients send none for an IP: the match
rarely applies. Istio warns \"using an IP address goes against SNI spec and most clients do not
support this\" (`validateSniHost`).
Until this code existed these findings were IL4018 (`tcp-tls-route-invalid`) printed as warnings.
",
    help: "match the host name the clients connect to",
    check: crate::rules::Check::SharedWith(&super::webhook::HOSTS)
);
