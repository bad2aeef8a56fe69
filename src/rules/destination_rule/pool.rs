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
`maxConnections: 1` gives each client proxy one connection, so one HTTP/1.1 request is active at
a time; `http1MaxPendingRequests: 1` lets one more wait for it. With both, the third concurrent
request from that client proxy is the first to be rejected at once with 503
(`x-envoy-overloaded`); `http2MaxRequests: 1` rejects the second. That is the tutorial's way to
demonstrate a circuit breaker; in production it turns any burst into errors. The limits apply per
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
    for tp in ctx.policies() {
        let pool = tp.json.get("connectionPool");
        let connections = pool["tcp"]["maxConnections"].as_i64();
        let pending = pool["http"]["http1MaxPendingRequests"].as_i64();
        for (section, field) in [
            ("tcp", "maxConnections"),
            ("http", "http1MaxPendingRequests"),
            ("http", "http2MaxRequests"),
        ] {
            if pool[section][field].as_i64() != Some(1) {
                continue;
            }
            let effect = match field {
                "maxConnections" => match pending {
                    Some(p) if p >= 0 => format!(
                        "one HTTP/1.1 request is active at a time and {p} can wait; the {} concurrent request gets 503",
                        ordinal(p + 2)
                    ),
                    _ => "one HTTP/1.1 request is active at a time, the others wait for it".into(),
                },
                "http1MaxPendingRequests" => match connections {
                    Some(c) if c >= 0 => format!(
                        "one request can wait while {c} connection{} busy; the {} concurrent request gets 503",
                        if c == 1 { " is" } else { "s are" },
                        ordinal(c + 2)
                    ),
                    _ => "one request can wait for a busy connection; a second waiting one gets 503".into(),
                },
                _ => "one request is active at a time; the 2nd concurrent request gets 503".into(),
            };
            out.push(
                Finding::new(
                    &SERIALISING_LIMIT,
                    pool.get(section).get(field),
                    format!("`{field}: 1` per client proxy: {effect}"),
                )
                .help("fine for a demo; in production size it from the service's real concurrency"),
            );
        }
    }
}

/// 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st.
fn ordinal(n: i64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 102].map(super::ordinal).into();
        assert_eq!(
            got,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "102nd"]
        );
    }
}
