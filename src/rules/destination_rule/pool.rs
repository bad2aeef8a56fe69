//! Connection pool rules.

use crate::diagnostic::Finding;
use crate::rules::rule;
use crate::rules::ObjectContext;

rule!(
    SERIALISING_LIMIT,
    "IL3004",
    "serialising-pool-limit",
    Info,
    DestinationRule,
    &["DestinationRule"],
    "A connection-pool limit of 1 serialises all traffic to the service",
    "\
## What it checks
`tcp.maxConnections: 1`, `http.http1MaxPendingRequests: 1` or `http.http2MaxRequests: 1`.

## Why it matters
With one connection and one pending request per proxy, a second concurrent request is
rejected at once with 503 (`x-envoy-overloaded`). That is the tutorial's way to demonstrate a
circuit breaker; in production it turns any burst into errors. Note that the limits apply per
client proxy, not per service.

## Example
```yaml
connectionPool:
  tcp:
    maxConnections: 1            # IL3004
  http:
    http1MaxPendingRequests: 1   # IL3004
```
Size limits from the service's measured concurrency.
",
    check: crate::rules::Check::Object(check)
);

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    for (at, tp) in ctx.policies() {
        let pool = &tp["connectionPool"];
        for (section, field) in [
            ("tcp", "maxConnections"),
            ("http", "http1MaxPendingRequests"),
            ("http", "http2MaxRequests"),
        ] {
            if pool[section][field].as_i64() == Some(1) {
                out.push(
                    Finding::new(
                        &SERIALISING_LIMIT,
                        format!("{at}/connectionPool/{section}/{field}"),
                        format!("`{field}: 1` lets one request through at a time per client proxy; concurrent requests get 503"),
                    )
                    .help("fine for a demo; in production size it from the service's real concurrency"),
                );
            }
        }
    }
}
