//! A deterministic corpus of realistic DestinationRules and VirtualServices
//! (one service per file), for measuring throughput.

use std::fs;
use std::path::Path;

pub fn generate(services: usize, dir: &Path) -> std::io::Result<u64> {
    fs::create_dir_all(dir)?;
    let mut bytes = 0u64;
    for i in 0..services {
        let name = format!("svc-{i:05}");
        let ns = format!("team-{}", i % 37);
        let subsets = 2 + i % 3;
        let mut y = format!(
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  host: {name}.{ns}.svc.cluster.local\n  trafficPolicy:\n    connectionPool:\n      tcp:\n        maxConnections: {}\n        connectTimeout: 30ms\n      http:\n        http1MaxPendingRequests: {}\n        maxRequestsPerConnection: 10\n    outlierDetection:\n      consecutive5xxErrors: {}\n      interval: 10s\n      baseEjectionTime: 3m\n      maxEjectionPercent: 50\n    loadBalancer:\n      simple: LEAST_REQUEST\n  subsets:\n",
            100 + i % 50,
            10 + i % 7,
            3 + i % 5
        );
        for s in 1..=subsets {
            y += &format!("  - name: version-v{s}\n    labels:\n      version: v{s}\n");
        }
        let mut v = format!(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  hosts:\n  - {name}\n  http:\n  - match:\n    - headers:\n        baggage-user-agent:\n          regex: .*Firefox.*\n      uri:\n        prefix: /api/v{}\n    route:\n    - destination:\n        host: {name}\n        subset: version-v2\n    retries:\n      attempts: 3\n      perTryTimeout: 2s\n      retryOn: 5xx,connect-failure\n    timeout: 10s\n  - route:\n",
            i % 3 + 1
        );
        let w = 100 / subsets;
        for s in 1..=subsets {
            let weight = if s == subsets {
                100 - w * (subsets - 1)
            } else {
                w
            };
            v += &format!("    - destination:\n        host: {name}\n        subset: version-v{s}\n      weight: {weight}\n");
        }
        let sub = dir.join(format!("ns-{:02}", i % 40));
        fs::create_dir_all(&sub)?;
        // One object per file, as most repositories keep them (and as
        // single-document schema validators need them).
        fs::write(sub.join(format!("{name}-dr.yaml")), &y)?;
        fs::write(sub.join(format!("{name}-vs.yaml")), &v)?;
        bytes += (y.len() + v.len()) as u64;
    }
    Ok(bytes)
}
