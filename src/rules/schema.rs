//! Schema rules (IL2xxx): the bundled JSON Schemas derived from Istio's CRDs.
//! The check is `crate::schema`; these are the codes and documentation.

use crate::rules::rule;

const ISTIO_KINDS: &[&str] = &[
    "DestinationRule",
    "VirtualService",
    "Gateway",
    "ServiceEntry",
    "Sidecar",
    "EnvoyFilter",
    "WorkloadEntry",
    "WorkloadGroup",
    "ProxyConfig",
];

rule!(
    UNKNOWN_FIELD,
    "IL2001",
    "unknown-field",
    Error,
    Schema,
    ISTIO_KINDS,
    "A field that the Istio release's schema does not define",
    "\
## What it checks
Every key against the CRD schema of the selected Istio release (`--istio-version`). The
diagnostic points at the key and suggests the closest known field.

## Why it matters
`kubectl apply` (strict field validation) and `istioctl validate` reject unknown fields; older
clients drop them silently, so a typo such as `connectionPol` turns a circuit breaker off.

## Example
```yaml
trafficPolicy:
  connectionPol:          # IL2001: did you mean `connectionPool`?
    tcp: {maxConnections: 1}
```
Corresponds to Istio IST0002/IST0134 (schema validation) and the API server's strict decoding.
"
);

rule!(
    WRONG_TYPE,
    "IL2002",
    "wrong-type",
    Error,
    Schema,
    ISTIO_KINDS,
    "A value of the wrong type (string where a number is expected, ...)",
    "\
## What it checks
The type of every value against the schema, after resolving scalars the way Kubernetes does.
The diagnostic points at the value and says how it was read.

## Why it matters
The API server rejects the object. Common causes are YAML 1.1 surprises: `version: 1.10` is
the number 1.1 and `canary: yes` is a boolean, but labels must be strings.

## Example
```yaml
subsets:
- name: v1
  labels:
    version: 1.10        # IL2002: expected string, found number 1.1
```
Quote it: `version: \"1.10\"`.
",
    help: "write the value with the type the field expects; quote strings that YAML would read as a number or boolean"
);

rule!(
    INVALID_VALUE,
    "IL2003",
    "invalid-value",
    Error,
    Schema,
    ISTIO_KINDS,
    "A value outside what the schema allows (enum, range, duration, wildcard)",
    "\
## What it checks
Enumerations (`simple: ROUND_ROBIN`), numeric bounds (int32/uint32 ranges, `maximum`), and
the CRD's CEL rules that istiolint evaluates offline: durations must parse and be at least
1ms, ports must be 1-65535, label selectors must not contain wildcards.

## Why it matters
The API server rejects the object at apply time, after review, in the middle of a rollout.

## Example
```yaml
outlierDetection:
  interval: 1            # IL2003: missing unit in duration \"1\"
```
Write `interval: 1s`.
",
    help: "use a value the field allows; the message names the constraint"
);

rule!(
    CONFLICTING_FIELDS,
    "IL2004",
    "conflicting-fields",
    Error,
    Schema,
    ISTIO_KINDS,
    "Two fields that are mutually exclusive are both set",
    "\
## What it checks
Istio's `oneOf` fields, where at most one may be set: `loadBalancer.simple` or
`consistentHash`; `httpHeaderName`, `httpCookie`, `useSourceIp` or `httpQueryParameterName`;
`match.uri.exact`, `prefix` or `regex`...

## Why it matters
The API server rejects the object.

## Example
```yaml
loadBalancer:
  simple: ROUND_ROBIN
  consistentHash:        # IL2004: only one of `simple`, `consistentHash`
    useSourceIp: true
```
"
);

rule!(
    UNSUPPORTED_API_VERSION,
    "IL2005",
    "unsupported-api-version",
    Error,
    Schema,
    ISTIO_KINDS,
    "An apiVersion the selected Istio release does not serve",
    "\
## What it checks
`networking.istio.io/v1` exists from Istio 1.22; `v1alpha3` and `v1beta1` are served by every
bundled release. Any other version, or `v1` with `--istio-version` below 1.22, is reported.

## Why it matters
`kubectl apply` answers \"no matches for kind\" and nothing is applied.

## Example
```yaml
apiVersion: networking.istio.io/v1   # IL2005 with --istio-version 1.20
```
Use `networking.istio.io/v1beta1` for clusters older than 1.22.
"
);

rule!(
    MISSING_FIELD,
    "IL2006",
    "missing-field",
    Error,
    Schema,
    ISTIO_KINDS,
    "A required field is missing (metadata.name, ...)",
    "\
## What it checks
Fields the API server requires, such as `metadata.name` (or `generateName`). The diagnostic
points at the parent's key.

## Example
```yaml
metadata:
  namespace: tutorial    # IL2006: metadata.name is missing
```
",
    help: "add the field"
);
