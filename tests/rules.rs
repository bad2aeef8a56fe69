//! Semantic and cross-object rules: failing and passing cases with exact
//! codes, lines and columns.

mod common;

use std::collections::BTreeMap;

use common::{check_json, f, findings};

#[test]
fn weights() {
    let (code, json) = check_json(&[
        "--select=IL4001,IL4002,IL4003,IL4004",
        "testdata/rules/weights.yaml",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&json),
        vec![
            f("IL4003", 14, 15),
            f("IL4002", 19, 15),
            f("IL4001", 22, 15),
            f("IL4004", 27, 15)
        ]
    );
    assert_eq!(
        json["diagnostics"][0]["message"],
        "weights add up to 125, not 100; Istio treats them as relative: 60.0% / 40.0%"
    );
    assert_eq!(json["diagnostics"][0]["severity"], "warning");
    assert_eq!(
        json["diagnostics"][0]["pointer"],
        "/spec/http/0/route/1/weight"
    );
}

#[test]
fn weights_not_100_is_an_error_before_istio_1_15() {
    let (_, json) = check_json(&[
        "--select=IL4003",
        "--istio-version=1.14",
        "testdata/rules/weights.yaml",
    ]);
    assert_eq!(findings(&json), vec![f("IL4003", 14, 15)]);
    assert_eq!(json["diagnostics"][0]["severity"], "error");
    assert_eq!(
        json["diagnostics"][0]["message"],
        "weights add up to 125, not 100; Istio 1.14.0 rejects this route"
    );
}

#[test]
fn circuit_breaker_rules() {
    let (code, json) = check_json(&["testdata/rules/outlier.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&json),
        vec![
            f("IL3004", 10, 25),
            f("IL6001", 12, 7),
            f("IL3003", 14, 33),
            f("IL3002", 15, 27),
            f("IL3001", 27, 29)
        ]
    );
    assert_eq!(
        json["diagnostics"][1]["help"],
        "write `consecutive5xxErrors: 1`"
    );
}

#[test]
fn subset_not_found_lists_the_defined_subsets() {
    let (code, json) = check_json(&["--select=IL5", "testdata/rules/subsets"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&json),
        vec![
            f("IL5001", 12, 51),
            f("IL5001", 14, 71),
            f("IL5002", 16, 47)
        ]
    );
    assert_eq!(
        json["diagnostics"][0]["message"],
        "subset `version-v3` is not defined by the DestinationRule for `recommendation.tutorial.svc.cluster.local`; it defines `version-v1`, `version-v2`"
    );
    assert_eq!(json["diagnostics"][1]["help"], "did you mean `version-v2`?");
    assert_eq!(
        json["diagnostics"][1]["pointer"],
        "/spec/http/0/mirror/subset"
    );
}

#[test]
fn partial_file_sets_only_warn() {
    // With the DestinationRules of the namespace among the inputs, a missing one is a warning.
    let (code, json) = check_json(&[
        "--select=IL5",
        "testdata/rules/subsets/vs.yaml",
        "testdata/rules/subsets/dr.yaml",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        json["diagnostics"][2]["message"],
        "no DestinationRule for `preference.tutorial.svc.cluster.local` is among the inputs, so subset `v1` cannot be checked"
    );
    // Without any, nothing can be told: quiet (the summary says so, tests/fidelity.rs).
    let (code, json) = check_json(&["--select=IL5", "testdata/rules/subsets/vs.yaml"]);
    assert_eq!(code, 0);
    assert_eq!(findings(&json), vec![]);
}

#[test]
fn tutorial_findings_are_the_reviewed_ones() {
    // IL5018 (the tutorial's alternative steps define the same objects) is
    // asserted in tests/conventions.rs.
    let (code, json) = check_json(&["--ignore=IL6002,IL5018", "examples/istiofiles"]);
    assert_eq!(code, 0);
    let codes: Vec<String> = findings(&json).into_iter().map(|(c, _, _)| c).collect();
    assert_eq!(
        codes,
        [
            "IL6001", "IL3002", "IL6001", "IL3002", "IL3004", "IL3004", "IL3002", "IL3004",
            "IL3004", "IL6001", "IL3002",
            // virtual-service-no-retries.yml's VirtualService for `recommendation` has another
            // name than the tutorial's other ones: applied together, they conflict (both
            // sides are reported).
            "IL5004", "IL5004",
            // virtual-service-recommendation-503.yml: its second rule can never match.
            "IL4017",
            // virtual-service-recommendation-delay.yml: fault.delay.percent (Istio IST0002).
            "IL6006"
        ]
    );
}

#[test]
fn old_api_versions_are_reported_from_istio_1_22() {
    let (_, json) = check_json(&["--select=IL6002", "examples/istiofiles"]);
    // Every tutorial object is v1alpha3.
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 37);
    assert_eq!(json["summary"]["objects"], 37);
    let (_, json) = check_json(&[
        "--select=IL6002",
        "--istio-version=1.21",
        "examples/istiofiles",
    ]);
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 0);
}

fn concise(args: &[&str]) -> String {
    common::outcome(
        common::istiolint()
            .args(["check", "--format=concise"])
            .args(args),
    )
    .1
}

/// Webhook parity for DestinationRules: every failing case once, exact
/// positions and Istio's own wording; the `good` object has no finding.
#[test]
fn destination_rule_webhook_checks() {
    let out = concise(&["--ignore=IL2,IL5", "testdata/rules/webhook-dr.yaml"]);
    insta::assert_snapshot!(out);
    let (_, json) = check_json(&["--ignore=IL5", "testdata/rules/webhook-dr.yaml"]);
    let good = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["object"]["name"] == "good")
        .count();
    assert_eq!(good, 0);
}

/// Webhook parity for VirtualServices.
#[test]
fn virtual_service_webhook_checks() {
    let out = concise(&["--ignore=IL2,IL5", "testdata/rules/webhook-vs.yaml"]);
    assert!(!out.contains("b@d"), "{out}");
    insta::assert_snapshot!(out);
    let (_, json) = check_json(&["--ignore=IL5", "testdata/rules/webhook-vs.yaml"]);
    let good: Vec<_> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["object"]["name"] == "good")
        .collect();
    assert!(good.is_empty(), "{good:?}");
}

/// Cross-object references: gateways, hosts served, conflicts, duplicate
/// DestinationRules and destinations, unknown services.
#[test]
fn cross_object_reference_rules() {
    let out = concise(&[
        "--select=IL5003,IL5004,IL5005,IL5006,IL5007,IL5008,IL5009,IL5010",
        "testdata/rules/refs",
    ]);
    insta::assert_snapshot!(out);
    // Without the cluster file nothing is known, so nothing is reported.
    let out = concise(&[
        "--select=IL5003,IL5004,IL5005,IL5006,IL5007,IL5008,IL5009,IL5010",
        "--quiet",
        "testdata/rules/refs/routes.yaml",
    ]);
    assert_eq!(
        out,
        "testdata/rules/refs/routes.yaml:11:27: warning[IL5006] destination cart appears twice in this route\n\
         testdata/rules/refs/routes.yaml:39:9: warning[IL5005] DestinationRule cart-tls also applies to `cart.shop.svc.cluster.local`\n\
         testdata/rules/refs/routes.yaml:45:9: warning[IL5005] DestinationRule cart also applies to `cart.shop.svc.cluster.local`\n"
    );
    // As --context, the cluster file resolves references without being reported on.
    let out = concise(&[
        "--select=IL5003",
        "--quiet",
        "--context=testdata/rules/refs/cluster.yaml",
        "testdata/rules/refs/routes.yaml",
    ]);
    assert_eq!(
        out,
        "testdata/rules/refs/routes.yaml:6:27: error[IL5003] gateway `shop/private` is not among the inputs (known: `shop/public`)\n\
         testdata/rules/refs/routes.yaml:21:38: error[IL5003] gateway `shop/gone` is not among the inputs (known: `shop/public`)\n"
    );
}

/// Rules that follow --istio-version: duplicate subsets are rejected from
/// 1.22; duration precision always; deprecated minimumRingSize warns.
#[test]
fn version_aware_webhook_rules() {
    let old = concise(&[
        "--ignore=IL3016",
        "--istio-version=1.20",
        "-q",
        "testdata/rules/versions.yaml",
    ]);
    let new = concise(&["--ignore=IL3016", "-q", "testdata/rules/versions.yaml"]);
    let common = "testdata/rules/versions.yaml:7:34: error[IL2007] `interval`: duration 1.5ms: only durations to ms precision are supported\n\
                  testdata/rules/versions.yaml:7:59: error[IL2002] [*] `baseEjectionTime` must be a string, found integer 10\n\
                  testdata/rules/versions.yaml:8:56: warning[IL6005] consistent hash MinimumRingSize is deprecated, use ConsistentHashLB's RingHash configuration instead\n";
    assert_eq!(old, common);
    // From 1.22 the schema's integer-or-string durations leave nothing to quote: no fix mark.
    assert_eq!(
        new,
        format!(
            "{}testdata/rules/versions.yaml:11:12: error[IL3006] duplicate subset names: a\n",
            common.replace("[*] ", "")
        )
    );
}

/// Before 1.22 the schemas carry no CEL duration rules, so IL2007 checks
/// the 1ms minimum itself, on every release before 1.22; an idleTimeout
/// below 1ms (disabled) is not its finding. The 1.30 CRD's own rule reports
/// both (IL2003). Found untested by mutation testing.
#[test]
fn duration_minimum_before_cel() {
    let connect = "testdata/rules/durations.yaml:11:29: error[IL2007] `connectTimeout`: duration 500us must be at least 1ms\n";
    for old in ["1.20", "1.21"] {
        let v = format!("--istio-version={old}");
        assert_eq!(
            concise(&[&v, "-q", "testdata/rules/durations.yaml"]),
            connect
        );
    }
    assert_eq!(
        concise(&["--istio-version=1.30", "-q", "testdata/rules/durations.yaml"]),
        "testdata/rules/durations.yaml:11:29: error[IL2003] `connectTimeout`: duration \"500us\" is below the minimum 1ms\n\
         testdata/rules/durations.yaml:12:27: error[IL2003] `idleTimeout`: duration \"0s\" is below the minimum 1ms\n"
    );
}

/// What users see: the rendered (human) output of every rule fixture (each
/// checked as tests/expectations.rs checks it), one snapshot per rule so a
/// change shows which rule moved.
#[test]
fn rendered_output_of_the_rule_fixtures() {
    let mut by_rule: BTreeMap<String, String> = BTreeMap::new();
    for (file, fixture) in common::expect::all_fixtures() {
        // A fixture over 16 KiB (a body over Istio's 100 KiB limit) would
        // put that line in the snapshot; its expectation is checked still.
        if std::fs::metadata(&file).unwrap().len() > 16 << 10 {
            continue;
        }
        let out = common::istiolint()
            .args(["check", "--color=never", "--quiet", "--no-config"])
            .args(&fixture.args)
            .arg(&file)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let mut blocks: Vec<(String, String)> = Vec::new();
        for line in text.split_inclusive('\n') {
            // A diagnostic starts with `ILdddd(name)` at the margin.
            let head = line
                .get(..7)
                .filter(|h| h.starts_with("IL") && h.ends_with('('));
            match (head, blocks.last_mut()) {
                (Some(h), _) => blocks.push((h[..6].to_string(), line.to_string())),
                (None, Some((_, block))) => block.push_str(line),
                (None, None) => panic!("{file}: output before the first diagnostic: {line}"),
            }
        }
        for (code, block) in blocks {
            by_rule.entry(code).or_default().push_str(&block);
        }
    }
    assert!(by_rule.len() >= 60, "{:?}", by_rule.keys());
    for (code, text) in by_rule {
        insta::assert_snapshot!(format!("rendered_{code}"), text);
    }
}

/// IST0131: a longer prefix after a shorter one with the same other
/// conditions can never match; different conditions keep it reachable.
#[test]
fn prefix_overlap_is_unreachable() {
    let out = concise(&["--select=IL4017", "-q", "testdata/rules/prefix.yaml"]);
    assert_eq!(
        out,
        "testdata/rules/prefix.yaml:11:21: warning[IL4017] virtualService rule #1 match #0 of prefix /api/v2 is not used (duplicate/overlapping match in rule #0 of prefix /api on #0)\n\
         testdata/rules/prefix.yaml:30:21: warning[IL4017] virtualService rule #0 match #1 of prefix /orders/export is not used (duplicate/overlapping match in rule #0 of prefix /orders on #0)\n\
         testdata/rules/prefix.yaml:35:21: warning[IL4017] virtualService rule #1 match #0 of prefix /orders/archive is not used (duplicate/overlapping match in rule #0 of prefix /orders on #0)\n\
         testdata/rules/prefix.yaml:38:21: warning[IL4017] virtualService rule #1 match #1 of prefix /orders/new is not used (duplicate/overlapping match in rule #0 of prefix /orders on #0)\n"
    );
}

/// IL4017 with the route module's matcher: an exact or regex match under an
/// earlier prefix or regex, case-insensitive prefixes, a header match after
/// a catch-all, an equal prefix with more conditions; and what stays
/// reachable (a port, header or gateway on the earlier match, case, a
/// delegating rule).
#[test]
fn unreachable_with_the_route_matcher() {
    let out = concise(&[
        "--select=IL4017",
        "-q",
        "testdata/rules/unreachable-match.yaml",
    ]);
    let f = "testdata/rules/unreachable-match.yaml";
    assert_eq!(
        out,
        format!(
            "{f}:19:7: warning[IL4017] virtualService rule \"v1-exact\" match #0 is not used (match #0 of rule \"api\" takes every request it matches first)\n\
             {f}:20:7: warning[IL4017] virtualService rule \"v1-exact\" match #1 is not used (match #1 of rule \"api\" takes every request it matches first)\n\
             {f}:21:21: warning[IL4017] virtualService rule \"v1-exact\" match #2 of prefix /shop/cart is not used (duplicate/overlapping match in rule #2 of prefix /SHOP on \"api\")\n\
             {f}:22:21: warning[IL4017] virtualService rule \"v1-exact\" match #3 of prefix /api is not used (duplicate/overlapping match in rule #0 of prefix /api on \"api\")\n\
             {f}:31:7: warning[IL4017] virtualService rule \"jason\" match #0 is not used (match #0 of rule \"everything\" takes every request it matches first)\n"
        )
    );
}

/// Kiali KIA0201 semantics for duplicate DestinationRules, DISABLE under a
/// STRICT PeerAuthentication (KIA0207/0208), exportTo to unknown namespaces.
#[test]
fn mesh_rules() {
    let out = concise(&[
        "--select=IL5005,IL5010,IL5011,IL5012",
        "--quiet",
        "testdata/rules/mesh",
    ]);
    assert_eq!(
        out,
        "testdata/rules/mesh/drs.yaml:6:9: warning[IL5005] DestinationRule reviews-again also defines subset `v1` for `reviews.bookinfo.svc.cluster.local`; so does all-lb\n\
         testdata/rules/mesh/drs.yaml:13:9: warning[IL5005] DestinationRule all-lb for `*.bookinfo.svc.cluster.local` also covers `reviews.bookinfo.svc.cluster.local`\n\
         testdata/rules/mesh/drs.yaml:21:9: warning[IL5005] DestinationRule reviews-v1 also defines subset `v1` for `reviews.bookinfo.svc.cluster.local`; so does all-lb\n\
         testdata/rules/mesh/drs.yaml:29:9: warning[IL5005] DestinationRule ratings for `ratings.bookinfo.svc.cluster.local` falls under this rule's `*.bookinfo.svc.cluster.local`; so do reviews-v1, reviews-v2, reviews-again\n\
         testdata/rules/mesh/drs.yaml:36:9: warning[IL5005] DestinationRule all-lb for `*.bookinfo.svc.cluster.local` also covers `ratings.bookinfo.svc.cluster.local`\n\
         testdata/rules/mesh/mtls.yaml:25:9: warning[IL5005] DestinationRule details for `details.prod.svc.cluster.local` falls under this rule's `*.prod.svc.cluster.local`\n\
         testdata/rules/mesh/mtls.yaml:27:17: error[IL5011] TLS is disabled for `*.prod.svc.cluster.local`, but PeerAuthentication istio-system/default requires mutual TLS mesh-wide (STRICT): connections will be refused\n\
         testdata/rules/mesh/mtls.yaml:52:9: warning[IL5005] DestinationRule no-mtls for `*.prod.svc.cluster.local` also covers `details.prod.svc.cluster.local`\n\
         testdata/rules/mesh/mtls.yaml:53:31: error[IL5011] TLS is disabled for `details.prod.svc.cluster.local`, but PeerAuthentication istio-system/default requires mutual TLS mesh-wide (STRICT): connections will be refused\n\
         testdata/rules/mesh/namespaces.yaml:13:29: warning[IL5012] exportTo names namespace `fronted`, which is not among the known namespaces\n"
    );
    let out = concise(&["--select=IL5004", "--quiet", "testdata/rules/mesh/vs.yaml"]);
    assert_eq!(
        out,
        "testdata/rules/mesh/vs.yaml:6:11: warning[IL5004] host `flights` is also routed by VirtualService flights-canary\n\
         testdata/rules/mesh/vs.yaml:13:11: warning[IL5004] host `flights.travel` is also routed by VirtualService flights\n\
         testdata/rules/mesh/vs.yaml:30:11: warning[IL5004] host `*.hotels.svc.cluster.local` is also routed by VirtualService rooms\n\
         testdata/rules/mesh/vs.yaml:37:11: warning[IL5004] host `rooms` is also routed by VirtualService all-hotels\n"
    );
    // A mesh config naming another root namespace: istio-system's
    // PeerAuthentication is then an ordinary namespace's, prod is PERMISSIVE.
    let out = concise(&[
        "--select=IL5011",
        "--quiet",
        "--context=testdata/rules/mesh-config.yaml",
        "testdata/rules/mesh/mtls.yaml",
    ]);
    assert_eq!(out, "");
    // Without Namespace objects, exportTo entries cannot be checked.
    let out = concise(&[
        "--select=IL5012",
        "--quiet",
        "testdata/rules/mesh/drs.yaml",
        "testdata/rules/webhook-dr.yaml",
    ]);
    assert_eq!(out, "");
    // A typo gets a suggestion.
    let out = common::istiolint()
        .args(["check", "--color=never", "--select=IL5012"])
        .arg("testdata/rules/mesh/namespaces.yaml")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("help: did you mean `frontend`?"), "{text}");
}

/// Istio's analyzers IST0128/IST0129 (TLS without CA, version-aware) and
/// IST0002 (fault.delay.percent, with a safe fix).
#[test]
fn tls_without_ca_and_delay_percent() {
    let args = [
        "--select=IL3017,IL6006",
        "-q",
        "testdata/rules/analyzers.yaml",
    ];
    assert_eq!(
        concise(&args),
        "testdata/rules/analyzers.yaml:7:17: info[IL3017] TLS mode SIMPLE for `api.example.com` without caCertificates: the server is verified only against the system's public CAs\n\
         testdata/rules/analyzers.yaml:10:19: info[IL3017] TLS mode MUTUAL for `api.example.com` without caCertificates: the server is verified only against the system's public CAs\n\
         testdata/rules/analyzers.yaml:31:9: warning[IL6006] [*] `fault.delay.percent` is deprecated\n"
    );
    let old = concise(&[
        "--istio-version=1.19",
        "--select=IL3017",
        "-q",
        "testdata/rules/analyzers.yaml",
    ]);
    assert_eq!(
        old,
        "testdata/rules/analyzers.yaml:7:17: warning[IL3017] TLS mode SIMPLE for `api.example.com` without caCertificates: Istio 1.19.0 does not verify the server's identity\n\
         testdata/rules/analyzers.yaml:10:19: warning[IL3017] TLS mode MUTUAL for `api.example.com` without caCertificates: Istio 1.19.0 does not verify the server's identity\n"
    );
    let out = common::istiolint()
        .args([
            "check",
            "--diff",
            "--select=IL6006",
            "testdata/rules/analyzers.yaml",
        ])
        .output()
        .unwrap();
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.contains(
            "-        percent: 10  # expect: IL6006@9\n+        percentage: {value: 10}  # expect: IL6006@9\n"
        ),
        "{diff}"
    );
    assert_eq!(out.status.code(), Some(1));
}

/// IST0112/IST0101: destination ports against the Service or ServiceEntry.
#[test]
fn destination_ports() {
    let expected = "testdata/rules/ports/routes.yaml:8:34: warning[IL5013] `reviews.shop.svc.cluster.local` exposes ports 9080, 9090: this destination names none\n\
         testdata/rules/ports/routes.yaml:10:58: warning[IL5013] port 8080 is not a port of `reviews.shop.svc.cluster.local` (it has 9080, 9090)\n\
         testdata/rules/ports/routes.yaml:20:66: warning[IL5013] port 80 is not a port of `api.example.com` (it has 443)\n";
    assert_eq!(
        concise(&["--select=IL5013", "-q", "testdata/rules/ports"]),
        expected
    );
    // The same routes with the Service and ServiceEntry as context...
    assert_eq!(
        concise(&[
            "--select=IL5013",
            "-q",
            "--context=testdata/rules/ports/services.yaml",
            "testdata/rules/ports/routes.yaml"
        ]),
        expected
    );
    // ...and without them: nothing is known about the ports, so nothing is said.
    assert_eq!(
        concise(&["--select=IL5013", "-q", "testdata/rules/ports/routes.yaml"]),
        ""
    );
}

/// Istio's validateTunnelSettings: protocol, target host (FQDN or IP) and
/// target port; valid settings (IPv4, IPv6, FQDN, default protocol) pass.
#[test]
fn tunnel_settings() {
    assert_eq!(
        concise(&["--select=IL3015", "-q", "testdata/rules/tunnel-settings.yaml"]),
        "testdata/rules/tunnel-settings.yaml:9:17: error[IL3015] tunnel protocol must be \"CONNECT\" or \"POST\"\n\
         testdata/rules/tunnel-settings.yaml:10:19: error[IL3015] tunnel target host must be valid FQDN or IP address: domain name \"-bad-.example.com\" invalid (label \"-bad-\" invalid)\n\
         testdata/rules/tunnel-settings.yaml:11:19: error[IL3015] tunnel target port is invalid: port number 70000 must be in the range 1..65535\n"
    );
}

/// A collection as a key is reported once, and its pair is not reported
/// again as an unknown field.
#[test]
fn complex_keys() {
    assert_eq!(
        concise(&["-q", "--ignore=IL5", "testdata/check/complex-key.yaml"]),
        "testdata/check/complex-key.yaml:7:5: error[IL1007] a mapping key must be a plain value, not a sequence or mapping\n\
         testdata/check/complex-key.yaml:9:48: error[IL1007] a mapping key must be a plain value, not a sequence or mapping\n"
    );
}

/// Every registered rule is produced by some fixture in testdata/ (or
/// examples/), so none is left without a failing case.
#[test]
fn every_rule_has_a_fixture() {
    let (_, json) = check_json(&[
        "--select=IL1,IL2,IL3,IL4,IL5,IL6,IL7,IL8,IL6002,IL6004",
        "testdata",
        "examples",
    ]);
    let mut seen: std::collections::BTreeSet<String> =
        findings(&json).into_iter().map(|(c, _, _)| c).collect();
    // Mesh-wide settings (one mesh config per run) need their own run, and
    // so does a missing host (conformance cases define `*`).
    for own in [
        "testdata/rules/analyzers/mtls.yaml",
        "testdata/rules/analyzers/service-entries.yaml",
        "testdata/rules/registry.yaml",
    ] {
        seen.extend(
            findings(&check_json(&[own]).1)
                .into_iter()
                .map(|(c, _, _)| c),
        );
    }
    // Inputs too large or too binary to check in; tests/hostile.rs makes them.
    let generated = ["IL1005", "IL1006"];
    let missing: Vec<&str> = istiolint::rules::all()
        .iter()
        .map(|r| r.code)
        .filter(|c| !seen.contains(*c) && !generated.contains(c))
        .collect();
    assert_eq!(missing, Vec::<&str>::new());
}

/// IST0140: a gateway route without subset bypasses the mesh's subset split.
#[test]
fn gateway_route_bypasses_subsets() {
    assert_eq!(
        concise(&["--select=IL5014", "-q", "testdata/rules/ingress.yaml"]),
        "testdata/rules/ingress.yaml:19:34: warning[IL5014] VirtualService reviews routes `reviews.shop.svc.cluster.local` to subsets for the mesh, but requests through this gateway go to every version\n"
    );
}

/// Kiali's Ambient checks, from Namespace and Service labels among the inputs.
#[test]
fn ambient_l7_configuration() {
    assert_eq!(
        concise(&["--select=IL5015,IL5016", "-q", "testdata/rules/ambient"]),
        "testdata/rules/ambient/routes.yaml:6:11: warning[IL5015] `cart.shop.svc.cluster.local` is in Ambient namespace shop but uses no waypoint: this L7 configuration is ignored\n\
         testdata/rules/ambient/routes.yaml:22:9: warning[IL5015] `ledger.pay.svc.cluster.local` is in Ambient namespace pay but uses no waypoint: this L7 configuration is ignored\n\
         testdata/rules/ambient/routes.yaml:37:11: warning[IL5016] `card.pay.svc.cluster.local` is an Ambient service of namespace pay: L7 configuration for it only takes effect there, not in web\n\
         testdata/rules/ambient/routes.yaml:53:11: warning[IL5015] namespace shop is Ambient without a waypoint: this L7 configuration is ignored\n\
         testdata/rules/ambient/routes.yaml:77:11: warning[IL5015] namespace shop is Ambient without a waypoint: this L7 configuration is ignored\n\
         testdata/rules/ambient/routes.yaml:86:9: warning[IL5015] namespace shop is Ambient without a waypoint: this L7 configuration is ignored\n\
         testdata/rules/ambient/routes.yaml:93:9: warning[IL5015] namespace shop is Ambient without a waypoint: this L7 configuration is ignored\n"
    );
    // The same files with the cluster as context; without it, nothing is known.
    let with_context = concise(&[
        "--select=IL5015,IL5016",
        "-q",
        "--context=testdata/rules/ambient/cluster.yaml",
        "testdata/rules/ambient/routes.yaml",
    ]);
    assert_eq!(with_context.lines().count(), 7);
    let alone = concise(&[
        "--select=IL5015,IL5016",
        "-q",
        "testdata/rules/ambient/routes.yaml",
    ]);
    assert_eq!(alone, "");
}

/// IST0101 with exportTo: Services (annotation) and ServiceEntries are only
/// found where they are exported; mirrors are looked up too.
#[test]
fn destination_hosts_follow_export_to() {
    assert_eq!(
        concise(&["--select=IL5008", "-q", "testdata/rules/registry.yaml"]),
        "testdata/rules/registry.yaml:36:20: warning[IL5008] no Service or ServiceEntry among the inputs defines `audit.shop.svc.cluster.local`\n\
         testdata/rules/registry.yaml:41:34: warning[IL5008] `api.partner.example` is defined, but not exported to namespace shop\n\
         testdata/rules/registry.yaml:49:40: warning[IL5008] `billing.finance.svc.cluster.local` is defined, but not exported to namespace web\n"
    );
}

/// IST0132 with a Gateway that has no servers yet.
#[test]
fn host_not_served_by_a_gateway_without_servers() {
    assert_eq!(
        concise(&["--select=IL5003,IL5007", "-q", "testdata/rules/gateway-no-servers.yaml"]),
        "testdata/rules/gateway-no-servers.yaml:13:14: warning[IL5007] gateway `infra/edge` serves none of this VirtualService's hosts `www.example.com` (it has no server hosts)\n"
    );
}

/// IST0149: claim routing through a gateway whose workloads no
/// RequestAuthentication covers; silent where the workloads are unknown.
#[test]
fn jwt_routing_needs_request_authentication() {
    assert_eq!(
        concise(&["--select=IL5017", "-q", "testdata/rules/jwt.yaml"]),
        "testdata/rules/jwt.yaml:48:24: warning[IL5017] routing on `@request.auth.claims.plan` through gateway `edge/public`, but no RequestAuthentication among the inputs covers its workloads in namespace edge\n"
    );
    let partial = concise(&["--select=IL5017", "-q", "testdata/rules/jwt-partial.yaml"]);
    assert_eq!(partial, "");
}

/// Gateway VirtualServices for one host are merged by Istio; only two
/// catch-all routes for that host conflict.
#[test]
fn gateway_virtual_services_conflict_only_on_two_catch_alls() {
    let (_, json) = check_json(&[
        "--select=IL5004",
        "testdata/conformance/istio-gateway-merge.yaml",
    ]);
    assert_eq!(
        findings(&json),
        vec![f("IL5004", 62, 11), f("IL5004", 73, 11)]
    );
    assert_eq!(
        json["diagnostics"][0]["message"],
        "host `blog.example.com` is also routed by VirtualService blog-v2 on a common gateway, and both have a catch-all route"
    );
    assert_eq!(
        json["diagnostics"][0]["help"],
        "Istio merges them on the gateway and only the older catch-all route is reached: keep one catch-all route per host"
    );
}

/// IL2010/IL2011 quote the name as written, with control characters and
/// bidirectional overrides escaped (tests/escaping.rs checks the other messages).
#[test]
fn invalid_names_are_quoted_inertly() {
    let out = concise(&[
        "--select=IL2010,IL2011",
        "-q",
        "testdata/hostile/values.yaml",
    ]);
    let subdomain = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    let label = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    assert_eq!(
        out,
        format!(
            "testdata/hostile/values.yaml:8:9: error[IL2010] metadata.name: Invalid value: \"dr\\u{{1b}}[2Jx\": {subdomain}\n\
             testdata/hostile/values.yaml:9:14: error[IL2011] metadata.namespace: Invalid value: \"ns\\u{{202e}}ab\": {label}\n"
        )
    );
}

/// IL2010/IL2011 suggest the nearest name the API server accepts.
#[test]
fn invalid_names_suggest_a_valid_spelling() {
    let (code, json) = check_json(&[
        "--select=IL2010,IL2011",
        "testdata/rules/metadata-names.yaml",
    ]);
    assert_eq!(code, 1);
    let d = &json["diagnostics"];
    assert_eq!(d[0]["pointer"], "/metadata/name");
    assert_eq!(d[0]["help"], "did you mean `vs-bookinfo1-to-2-3`?");
    assert_eq!(d[1]["pointer"], "/metadata/namespace");
    assert_eq!(d[1]["help"], "did you mean `backend`?");
    assert_eq!(d[2]["help"], "did you mean `my-ns`?");
    assert_eq!(d[3]["help"], "did you mean `edge`?");
    assert_eq!(d.as_array().unwrap().len(), 4);
}

/// IL3004 words each limit's effect: the pending-request limit counts the
/// connections that may be busy (mutation testing found it untested here).
#[test]
fn serialising_pool_limits_name_their_effect() {
    let out = concise(&["--select=IL3004", "-q", "testdata/rules/pool-limits.yaml"]);
    assert_eq!(
        out,
        "testdata/rules/pool-limits.yaml:11:39: info[IL3004] `http1MaxPendingRequests: 1` per client proxy: one request can wait while 3 connections are busy; the 5th concurrent request gets 503\n\
         testdata/rules/pool-limits.yaml:17:41: info[IL3004] `http1MaxPendingRequests: 1` per client proxy: one request can wait for a busy connection; a second waiting one gets 503\n\
         testdata/rules/pool-limits.yaml:17:62: info[IL3004] `http2MaxRequests: 1` per client proxy: one request is active at a time; the 2nd concurrent request gets 503\n"
    );
}

/// Two catch-all VirtualServices for one host on a common gateway, only one
/// of them also for the mesh: the conflict is the gateway merge's, and the
/// message and help say so (the mesh sees one VirtualService for the host).
#[test]
fn gateway_conflict_when_only_one_virtual_service_is_for_the_mesh() {
    let (code, json) = check_json(&[
        "--select=IL5004",
        "testdata/rules/gateway-and-mesh-catch-all.yaml",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        findings(&json),
        vec![f("IL5004", 15, 11), f("IL5004", 23, 11)]
    );
    let d = &json["diagnostics"];
    assert_eq!(
        d[0]["message"],
        "host `shop.example.com` is also routed by VirtualService shop-v2 on a common gateway, and both have a catch-all route"
    );
    assert_eq!(
        d[1]["message"],
        "host `shop.example.com` is also routed by VirtualService shop on a common gateway, and both have a catch-all route"
    );
    let help = "Istio merges them on the gateway and only the older catch-all route is reached: keep one catch-all route per host";
    assert_eq!(d[0]["help"], help);
    assert_eq!(d[1]["help"], help);
}
