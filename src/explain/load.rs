//! The load estimate of `--concurrency C --clients N`: per cluster, the
//! requests in flight at once, how many Envoy admits and how many overflow
//! into 503 UO. A static worst case, with its assumptions printed.

use super::cluster::Limit;

/// Totals over all client proxies (one unless `--clients`).
#[derive(Clone, Debug, PartialEq)]
pub struct Load {
    /// Requests in flight that the routes send to this cluster.
    pub concurrent: f64,
    pub active: f64,
    pub pending: f64,
    /// Answered 503 with flag UO by the client proxy.
    pub overflow: f64,
}

/// `concurrency` requests in flight per client proxy, `share` of them (0..=1)
/// routed to the cluster, `clients` proxies with their own counters.
pub fn estimate(concurrency: u64, clients: u64, share: f64, limit: Limit) -> Load {
    let arriving = concurrency as f64 * share;
    let active = arriving.min(limit.active as f64);
    let pending = (arriving - active).min(limit.pending as f64);
    let overflow = arriving - active - pending;
    let n = clients as f64;
    Load {
        concurrent: arriving * n,
        active: active * n,
        pending: pending * n,
        overflow: overflow * n,
    }
}

/// What every estimate assumes, in the order printed.
pub fn assumptions(concurrency: u64, clients: u64) -> Vec<String> {
    vec![
        format!(
            "{concurrency} requests in flight at once per client proxy, {clients} client prox{} with {} own counters (Envoy's circuit breakers count per proxy, per cluster)",
            if clients == 1 { "y" } else { "ies" },
            if clients == 1 { "its" } else { "their" }
        ),
        "requests split by the shares of each host's first rule that matches any request, from the mesh (or the first rule when none matches all)".into(),
        "every request stays in flight longer than new ones arrive (the worst case the siege test shows); retries not counted".into(),
        "one endpoint per cluster: with more endpoints Envoy may open one connection per endpoint even past maxConnections".into(),
        "HTTP/1.1 (one request per connection) unless h2UpgradePolicy is UPGRADE or every port of the host's Service is grpc/http2; Istio's mesh defaults (no defaultTrafficPolicy)".into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tutorial_numbers() {
        // maxConnections 1, http1MaxPendingRequests 1, 20 in flight, 50%.
        let l = estimate(
            20,
            1,
            0.5,
            Limit {
                active: 1,
                pending: 1,
            },
        );
        assert_eq!(
            l,
            Load {
                concurrent: 10.0,
                active: 1.0,
                pending: 1.0,
                overflow: 8.0
            }
        );
    }

    #[test]
    fn under_the_limit_nothing_overflows() {
        let l = estimate(
            4,
            3,
            0.25,
            Limit {
                active: 2,
                pending: 5,
            },
        );
        assert_eq!(
            (l.concurrent, l.active, l.pending, l.overflow),
            (3.0, 3.0, 0.0, 0.0)
        );
    }

    #[test]
    fn default_thresholds_never_overflow() {
        let l = estimate(
            1_000_000,
            1,
            1.0,
            Limit {
                active: u32::MAX as u64,
                pending: u32::MAX as u64,
            },
        );
        assert_eq!(l.overflow, 0.0);
        assert_eq!(l.active, 1_000_000.0);
    }
}
