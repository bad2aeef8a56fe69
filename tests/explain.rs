//! `istiolint explain`: the tutorial's circuit-breaker step (exact output
//! bytes in every format), and one fixture per default and merge case
//! restated from Istio's tests (cluster_test.go TestApplyOutlierDetection,
//! TestConnectionPoolSettings, TestDisablePanicThresholdAsDefault;
//! util_test.go TestMergeSubsetTrafficPolicy).

mod common;

use common::{istiolint, outcome};
use serde_json::{json, Value};

const TUTORIAL: [&str; 3] = [
    "examples/istiofiles/katacoda-era/destination-rule-recommendation-v1-v2.yml",
    "examples/istiofiles/katacoda-era/destination-rule-recommendation_cb_policy_version_v2.yml",
    "examples/istiofiles/katacoda-era/virtual-service-recommendation-v1_and_v2_50_50.yml",
];

const MAX: u64 = u32::MAX as u64;

fn run(args: &[&str]) -> (i32, String, String) {
    let mut cmd = istiolint();
    cmd.arg("explain").args(args);
    outcome(&mut cmd)
}

fn explain_json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--format=json");
    let (code, out, err) = run(&all);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// The entry of cluster `name` (None: the default cluster) on `port`.
fn cluster<'a>(host: &'a Value, name: Option<&str>, port: Option<u64>) -> &'a Value {
    host["subsets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == name && s["port"].as_u64() == port)
        .unwrap_or_else(|| panic!("no cluster {name:?} port {port:?} in {host:#}"))
}

/// The one host of a fixture file, by short name.
fn host(file: &str, name: &str) -> Value {
    let v = explain_json(&[name, &format!("testdata/explain/cases/{file}")]);
    assert_eq!(v["hosts"].as_array().unwrap().len(), 1);
    v["hosts"][0].clone()
}

fn breakers(c: &Value) -> [u64; 4] {
    let b = &c["circuit_breakers"];
    [
        b["max_connections"].as_u64().unwrap(),
        b["max_pending_requests"].as_u64().unwrap(),
        b["max_requests"].as_u64().unwrap(),
        b["max_retries"].as_u64().unwrap(),
    ]
}

fn expected(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/testdata/explain/expected/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn tutorial_circuit_breaker_step_human_bytes() {
    let mut args = vec!["recommendation"];
    args.extend(TUTORIAL);
    args.extend(["--concurrency", "20"]);
    let (code, out, err) = run(&args);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, expected("tutorial.txt"));
    // The numbers the issue asks for, in the words printed.
    assert!(out.contains(
        "      load                10 arrive, 2 admitted (1 active, 1 pending), 8 get 503 UO\n"
    ));
}

#[test]
fn tutorial_circuit_breaker_step_json_bytes() {
    let mut args = vec!["recommendation"];
    args.extend(TUTORIAL);
    args.extend(["--concurrency", "20", "--format", "json"]);
    let (code, out, _) = run(&args);
    assert_eq!(code, 0);
    assert_eq!(out, expected("tutorial.json"));
    let v: Value = serde_json::from_str(&out).unwrap();
    let h = &v["hosts"][0];
    assert_eq!(h["host"], "recommendation.default.svc.cluster.local");
    assert_eq!(
        h["routes"][0]["destinations"],
        json!([
            {"host": "recommendation.default.svc.cluster.local", "subset": "version-v1", "port": null, "percent": 50},
            {"host": "recommendation.default.svc.cluster.local", "subset": "version-v2", "port": null, "percent": 50}
        ])
    );
    let v2 = cluster(h, Some("version-v2"), None);
    assert_eq!(v2["labels"], json!({"version": "v2"}));
    assert_eq!(breakers(v2), [1, 1, MAX, MAX]);
    assert_eq!(v2["circuit_breakers"]["max_requests_per_connection"], 1);
    assert_eq!(v2["per_client_concurrency_limit"], 2);
    assert_eq!(
        v2["load"],
        json!({"concurrent": 10, "admitted": 2, "overflow": 8})
    );
    // consecutiveErrors is ignored: Envoy's 5 applies.
    assert_eq!(
        v2["outlier_detection"],
        json!({"consecutive_5xx": 5, "consecutive_gateway_errors": null, "interval": "1s",
               "base_ejection_time": "2m", "max_ejection_percent": 100, "min_health_percent": 0})
    );
    let v1 = cluster(h, Some("version-v1"), None);
    assert_eq!(breakers(v1), [MAX, MAX, MAX, MAX]);
    assert_eq!(v1["outlier_detection"], Value::Null);
    assert_eq!(
        v1["load"],
        json!({"concurrent": 10, "admitted": 10, "overflow": 0})
    );
}

#[test]
fn tutorial_mermaid_snapshot() {
    let mut args = vec!["recommendation"];
    args.extend(TUTORIAL);
    args.extend(["--concurrency", "20", "--format", "mermaid"]);
    let (code, out, _) = run(&args);
    assert_eq!(code, 0);
    assert_eq!(out, expected("tutorial.mermaid.md"));
}

#[test]
fn tutorial_top_level_policy_limits_both_subsets() {
    // The newer tutorial puts the policy at the top level: both subsets
    // (and the default cluster) get it.
    let v = explain_json(&[
        "examples/istiofiles/destination-rule-recommendation_cb_policy_version_v2.yml",
        "examples/istiofiles/virtual-service-recommendation-v1_and_v2_50_50.yml",
        "--concurrency",
        "20",
        "--clients",
        "3",
    ]);
    let h = &v["hosts"][0];
    for name in ["version-v1", "version-v2"] {
        let c = cluster(h, Some(name), None);
        assert_eq!(c["per_client_concurrency_limit"], 2);
        // Three proxies, 10 each: 30 arrive, 6 admitted, 24 overflow.
        assert_eq!(
            c["load"],
            json!({"concurrent": 30, "admitted": 6, "overflow": 24})
        );
        assert_eq!(c["outlier_detection"]["consecutive_5xx"], 1);
        assert_eq!(c["outlier_detection"]["base_ejection_time"], "3m");
    }
    let notes: Vec<&str> = h["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(notes.contains(&"every cluster: the limits count per client proxy (each calling sidecar or gateway has its own): one proxy gets 2 requests at a time through (1 active, 1 pending), the next get 503 with flag UO (upstream overflow). With 3 client proxies the fleet ceiling is 6."));
    assert!(notes.contains(&"every cluster: every host can be ejected; then its requests get 503 with flag UH (no healthy upstream): the panic threshold is 0% (minHealthPercent unset or 0), so Envoy does not fall back to ejected hosts."));
}

#[test]
fn defaults_without_traffic_policy() {
    let v = explain_json(&[
        "plain",
        "-n",
        "shop",
        "testdata/explain/cases/defaults.yaml",
    ]);
    let h = &v["hosts"][0];
    assert_eq!(h["host"], "plain.shop.svc.cluster.local");
    for name in [None, Some("v1")] {
        let c = cluster(h, name, None);
        assert_eq!(breakers(c), [MAX, MAX, MAX, MAX]);
        assert_eq!(
            c["circuit_breakers"]["max_requests_per_connection"],
            Value::Null
        );
        assert_eq!(c["outlier_detection"], Value::Null);
        assert_eq!(c["load"], Value::Null);
        assert_eq!(c["per_client_concurrency_limit"], 2 * MAX);
    }
}

#[test]
fn connection_pool_fields_map_to_thresholds() {
    let h = host("pool.yaml", "pool");
    let c = cluster(&h, None, None);
    assert_eq!(breakers(c), [1, 1, 2, 4]);
    assert_eq!(c["circuit_breakers"]["max_requests_per_connection"], 3);
    assert_eq!(c["per_client_concurrency_limit"], 2);
    // Zero counts as unset.
    let z = host("pool.yaml", "zeros");
    let c = cluster(&z, None, None);
    assert_eq!(breakers(c), [MAX, MAX, MAX, MAX]);
    assert_eq!(
        c["circuit_breakers"]["max_requests_per_connection"],
        Value::Null
    );
}

#[test]
fn http2_limits_by_max_requests() {
    let h = host("pool.yaml", "h2");
    assert_eq!(cluster(&h, None, None)["per_client_concurrency_limit"], 15);
    let h = host("pool.yaml", "client-protocol");
    assert_eq!(cluster(&h, None, None)["per_client_concurrency_limit"], 6);
    let h = host("pool.yaml", "grpc");
    assert_eq!(cluster(&h, None, None)["per_client_concurrency_limit"], 15);
    // The same policy without the Service is HTTP/1.1: 1 active + 5 pending.
    let v = explain_json(&["grpc", "testdata/explain/cases/merge.yaml"]);
    assert_eq!(
        v["hosts"][0]["subsets"][0]["per_client_concurrency_limit"],
        2 * MAX
    );
}

#[test]
fn unlimited_queue_never_overflows() {
    let v = explain_json(&[
        "queue",
        "testdata/explain/cases/pool.yaml",
        "--concurrency",
        "50",
    ]);
    let c = cluster(&v["hosts"][0], None, None);
    assert_eq!(c["per_client_concurrency_limit"], 3 + MAX);
    assert_eq!(
        c["load"],
        json!({"concurrent": 50, "admitted": 50, "overflow": 0})
    );
}

fn outlier(name: &str) -> Value {
    cluster(&host("outlier.yaml", name), None, None)["outlier_detection"].clone()
}

#[test]
fn outlier_detection_defaults_and_translation() {
    assert_eq!(
        outlier("empty"),
        json!({"consecutive_5xx": 5, "consecutive_gateway_errors": null, "interval": "10s",
               "base_ejection_time": "30s", "max_ejection_percent": 10, "min_health_percent": 0})
    );
    let g = outlier("gateway-only");
    assert_eq!(
        (&g["consecutive_5xx"], &g["consecutive_gateway_errors"]),
        (&json!(5), &json!(3))
    );
    assert_eq!(outlier("five-zero")["consecutive_5xx"], 0);
    assert_eq!(
        outlier("full"),
        json!({"consecutive_5xx": 4, "consecutive_gateway_errors": 3, "interval": "1500ms",
               "base_ejection_time": "10m", "max_ejection_percent": 100, "min_health_percent": 30})
    );
    assert_eq!(outlier("deprecated")["consecutive_5xx"], 5);
}

#[test]
fn outlier_consequences_in_words() {
    let (_, out, _) = run(&["testdata/explain/cases/outlier.yaml"]);
    for line in [
        "    - default cluster: outlier detection ejects no host: consecutive5xxErrors is 0 and no other error count is enforced.\n",
        "    - default cluster: a host is ejected after 5 consecutive 5xx or 10 consecutive local-origin failures (checked every 10s) for 30s, longer each time it is ejected again (up to 5m); at most 10% of the hosts at a time.\n",
        "    - default cluster: consecutiveErrors 1 is ignored (deprecated; Istio does not translate it): Envoy's default of 5 consecutive 5xx applies.\n",
        "    - default cluster: every host can be ejected, but below 30% healthy hosts (minHealthPercent) Envoy ignores the ejections (panic mode) and sends to all hosts.\n",
        "    - default cluster: a host is ejected after 4 consecutive 5xx or 3 consecutive gateway errors (502, 503, 504) (checked every 1500ms) for 10m, longer each time it is ejected again (up to 10m); at most 100% of the hosts at a time.\n",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
}

#[test]
fn subset_overrides_parts_it_sets() {
    let h = host("merge.yaml", "overwrite");
    let s = cluster(&h, Some("s"), None);
    assert_eq!(breakers(s)[3], 10, "connection pool inherited");
    let (_, out, _) = run(&["overwrite", "testdata/explain/cases/merge.yaml"]);
    assert!(out.contains("      tls                 SIMPLE\n"), "{out}");
    assert!(
        out.contains("      tls                 ISTIO_MUTUAL\n"),
        "{out}"
    );
    assert!(out.contains("      policy from         connection pool: top level; outlier detection: defaults; load balancer: defaults; tls: subset s (DestinationRule default/overwrite)\n"), "{out}");
}

#[test]
fn port_level_settings_replace_without_inheriting() {
    let (_, out, _) = run(&["ports", "testdata/explain/cases/merge.yaml"]);
    let v = explain_json(&["ports", "testdata/explain/cases/merge.yaml"]);
    let h = &v["hosts"][0];
    let names: Vec<(Value, Value)> = h["subsets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].clone(), s["port"].clone()))
        .collect();
    assert_eq!(
        names,
        vec![
            (Value::Null, Value::Null),
            (Value::Null, json!(8080)),
            (json!("s"), Value::Null),
            (json!("s"), json!(8080)),
        ]
    );
    // Subset on 8080: only the subset's port entry (outlier detection).
    let s8080 = cluster(h, Some("s"), Some(8080));
    assert_eq!(breakers(s8080)[3], MAX);
    assert_eq!(s8080["outlier_detection"]["consecutive_5xx"], 5);
    // Subset elsewhere: its pool and LB, the top level's outlier detection.
    assert_eq!(breakers(cluster(h, Some("s"), None))[3], 10);
    assert!(out.contains("    s (port 8080) [version=s]\n"), "{out}");
    assert!(out.contains("      policy from         connection pool: subset s port 8080; outlier detection: subset s port 8080; load balancer: subset s port 8080; tls: subset s port 8080 (DestinationRule default/ports)\n"), "{out}");
    assert!(out.contains("      policy from         connection pool: subset s; outlier detection: top level; load balancer: subset s; tls: defaults (DestinationRule default/ports)\n"), "{out}");
    assert!(out.contains("      policy from         connection pool: port 8080; outlier detection: port 8080; load balancer: port 8080; tls: port 8080 (DestinationRule default/ports)\n"), "{out}");
}

#[test]
fn first_port_entry_wins_and_drops_top_level_pool() {
    let v = explain_json(&["top-port", "testdata/explain/cases/merge.yaml"]);
    let h = &v["hosts"][0];
    assert_eq!(breakers(cluster(h, None, None))[0], 7);
    assert_eq!(breakers(cluster(h, None, Some(9080)))[0], MAX);
    let (_, out, _) = run(&["top-port", "testdata/explain/cases/merge.yaml"]);
    assert!(out.contains("      load balancer       RANDOM\n"), "{out}");
    assert!(!out.contains("ROUND_ROBIN"), "{out}");
}

#[test]
fn load_balancer_translation() {
    let (_, out, _) = run(&["lb", "testdata/explain/cases/lb.yaml"]);
    let lbs: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("      load balancer       "))
        .collect();
    assert_eq!(lbs, ["LEAST_REQUEST", "RING_HASH", "MAGLEV", "RANDOM"]);
    let (_, out, _) = run(&["testdata/explain/cases/defaults.yaml"]);
    assert!(out.contains("      load balancer       LEAST_REQUEST (default)\n"));
    assert!(out.contains(
        "      tls                 auto mTLS: ISTIO_MUTUAL to sidecars, plain text otherwise (default)\n"
    ));
}

#[test]
fn destination_rules_of_one_host_merge_oldest_first() {
    let v = explain_json(&["testdata/explain/cases/multiple.yaml"]);
    let h = &v["hosts"][0];
    assert_eq!(h["host"], "shared.default.svc.cluster.local");
    let names: Vec<&str> = h["subsets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["v1", "v2"]);
    assert_eq!(
        cluster(h, Some("v1"), None)["labels"],
        json!({"version": "v1"})
    );
    assert_eq!(breakers(cluster(h, Some("v2"), None))[0], 5);
}

#[test]
fn bookinfo_routing_in_words() {
    let v = explain_json(&[
        "reviews",
        "testdata/corpus/bookinfo/virtual-service-reviews-jason-v2-v3.yaml",
        "testdata/corpus/bookinfo/destination-rule-all.yaml",
    ]);
    let routes = &v["hosts"][0]["routes"];
    assert_eq!(routes[0]["match"], "header end-user = jason");
    assert_eq!(routes[0]["destinations"][0]["subset"], "v2");
    assert_eq!(routes[0]["destinations"][0]["percent"], 100);
    assert_eq!(routes[1]["match"], "any request");
    assert_eq!(routes[1]["source"], "mesh");
    let (_, out, _) = run(&[
        "productpage",
        "testdata/corpus/bookinfo/bookinfo-gateway.yaml",
    ]);
    assert!(out.contains("    from gateway default/bookinfo-gateway:\n      VirtualService default/bookinfo http[0]: (uri = /productpage) or (prefix /static) or (uri = /login) or (uri = /logout) or (prefix /api/v1/products)\n         100% -> default cluster port 9080\n"), "{out}");
    assert!(out.contains("    - From gateway default/bookinfo-gateway: a request that matches none of the rules gets 404 with flag NR (no route).\n"), "{out}");
    assert!(
        out.contains("    - No VirtualService routes this host from the mesh"),
        "{out}"
    );
}

#[test]
fn gateway_filter_and_undefined_subset() {
    let v = explain_json(&[
        "productpage",
        "testdata/corpus/bookinfo/bookinfo-gateway.yaml",
        "--gateway",
        "mesh",
    ]);
    assert_eq!(v["hosts"][0]["routes"], json!([]));
    let (_, out, _) = run(&[
        "reviews",
        "testdata/corpus/bookinfo/virtual-service-reviews-jason-v2-v3.yaml",
    ]);
    assert!(out.contains("    - Subset v2 is not defined by a DestinationRule of this host: Envoy has no cluster for it, requests routed there get 503 with flag NC (no cluster).\n"), "{out}");
}

#[test]
fn manifest_values_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("evil.yaml");
    std::fs::write(
        &p,
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: evil\nspec:\n  host: evil\n  subsets:\n  - name: \"a\\u001b[31m\\\"]\\n\"\n    labels:\n      version: \"<b>\"\n",
    )
    .unwrap();
    let path = p.to_str().unwrap();
    let (_, human, _) = run(&[path]);
    assert!(!human.contains('\u{1b}'), "{human}");
    assert!(
        human.contains("    a\u{fffd}[31m\"]\u{fffd} [version=<b>]\n"),
        "{human}"
    );
    let (_, mermaid, _) = run(&[path, "--format", "mermaid"]);
    assert!(
        mermaid.contains("    h0c1[\"a #91;31m#quot;#93; <br/>version=#lt;b#gt;<br/>"),
        "{mermaid}"
    );
    let v = explain_json(&[path]);
    assert_eq!(v["hosts"][0]["subsets"][1]["name"], "a\u{1b}[31m\"]\n");
}

#[test]
fn usage_errors_exit_2_naming_the_problem() {
    let (code, _, err) = run(&["recommendation"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("recommendation: no such file or directory"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.yaml");
    std::fs::write(&p, "kind: DestinationRule\nspec: [unclosed\n").unwrap();
    let (code, _, err) = run(&[p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.yaml:"), "{err}");
    let (code, _, err) = run(&["examples/istiofiles/katacoda-era", "--clients", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("--clients"), "{err}");
}

#[test]
fn diff_says_what_changes_in_effect() {
    let dir = tempfile::tempdir().unwrap();
    let old = std::fs::read_to_string(TUTORIAL[1]).unwrap();
    let new = old
        .replace("maxConnections: 1", "maxConnections: 2")
        .replace("maxEjectionPercent: 100", "maxEjectionPercent: 50");
    let (a, b) = (dir.path().join("applied.yml"), dir.path().join("local.yml"));
    std::fs::write(&a, old).unwrap();
    std::fs::write(&b, new).unwrap();
    let mut cmd = istiolint();
    cmd.arg("diff").arg(&b).arg("--against").arg(&a);
    let (code, out, _) = outcome(&mut cmd);
    assert_eq!(code, 1);
    assert!(out.starts_with("Summary:\n  DestinationRule default/recommendation: subset version-v2: connectionPool.tcp.maxConnections 1 -> 2; subset version-v2: outlierDetection.maxEjectionPercent 100 -> 50; version-v2: 2 -> 3 concurrent requests per client proxy, ejection 100% -> 50%\n"), "{out}");
}

#[test]
fn host_argument_forms() {
    for name in [
        "recommendation",
        "recommendation.default",
        "recommendation.default.svc",
        "recommendation.default.svc.cluster.local",
    ] {
        let v = explain_json(&[name, "examples/istiofiles/katacoda-era"]);
        assert_eq!(
            v["hosts"][0]["host"], "recommendation.default.svc.cluster.local",
            "{name}"
        );
        assert_eq!(v["hosts"][0]["subsets"].as_array().unwrap().len(), 3);
    }
    // Unknown to the inputs: explained as written, with Istio's defaults.
    let v = explain_json(&["other.example.com", "examples/istiofiles/katacoda-era"]);
    assert_eq!(v["hosts"][0]["host"], "other.example.com");
    assert_eq!(v["hosts"][0]["notes"][1], "No DestinationRule for this host: its cluster has Istio's and Envoy's defaults (no circuit-breaker limit, no outlier detection).");
}

#[test]
fn port_clusters_get_no_load_estimate() {
    let v = explain_json(&[
        "ports",
        "testdata/explain/cases/merge.yaml",
        "--concurrency",
        "10",
    ]);
    let h = &v["hosts"][0];
    assert_eq!(cluster(h, Some("s"), Some(8080))["load"], Value::Null);
    assert_eq!(
        cluster(h, None, None)["load"],
        json!({"concurrent": 10, "admitted": 10, "overflow": 0})
    );
}

/// Review finding: explain re-implemented route's ordering and lacked the
/// delegate merge. It now reads the route module's table: the delegate's
/// rules merged under the root's match (the conflicting one dropped), and
/// each listed rule is the one `route` answers with.
#[test]
fn delegates_merged_as_route_merges_them() {
    let file = "testdata/route/delegate/root-catch-all.yaml";
    let v = explain_json(&["productpage.org", file]);
    let routes = v["hosts"][0]["routes"].as_array().unwrap();
    let got: Vec<(u64, &str, &str, Option<&str>)> = routes
        .iter()
        .map(|r| {
            (
                r["index"].as_u64().unwrap(),
                r["match"].as_str().unwrap(),
                r["destinations"][0]["subset"].as_str().unwrap(),
                r["action"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (0, "prefix /productpage/v1 and header version = v1", "v1",
             Some("from delegate VirtualService default/delegate http[0]")),
            (0, "(prefix /productpage/v2 and header version = v2) or (prefix /productpage and header version = v2 and query version = v2)", "v2",
             Some("from delegate VirtualService default/delegate http[1]")),
            (1, "any request", "fallback", None),
        ]
    );
    // `route` agrees, request by request.
    for (path, header, subset) in [
        ("/productpage/v1/x", "version: v1", "v1"),
        ("/productpage?version=v2", "version: v2", "v2"),
        ("/reviews", "version: v1", "fallback"),
    ] {
        let out = istiolint()
            .args(["route", file, "--host", "productpage.org", "--path", path])
            .args(["--header", header, "--format", "json"])
            .output()
            .unwrap();
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["destinations"][0]["subset"], subset, "{path}");
    }
}
