//! Issue #14's fidelity items with exact output: IL5002's summary note,
//! `--closed-world` (flag and config key), IL1009's suggestions and the
//! summary's object counts, Gateway API listeners in IL5007, go-yaml v2's
//! flow indentation, IL5018 on identical copies.

mod common;

use common::{check_json, istiolint, outcome};
use serde_json::json;

/// `check --no-config --format=concise ARGS`: (exit code, stdout, stderr).
fn concise(args: &[&str]) -> (i32, String, String) {
    outcome(
        istiolint()
            .args(["check", "--no-config", "--format=concise"])
            .args(args),
    )
}

const VS_NOTE: &str = "Not checked: 4 route subsets of 2 hosts without a DestinationRule among the inputs (`preference.tutorial.svc.cluster.local`, `recommendation.tutorial.svc.cluster.local`); pass the cluster's with --context-files (kubectl get destinationrules -n tutorial -o yaml), or --closed-world if the inputs are complete.\n";

#[test]
fn unchecked_subsets_are_named_in_the_summary_not_reported() {
    let (code, out, err) = concise(&["testdata/rules/subsets/vs.yaml"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        format!(
            "testdata/rules/subsets/vs.yaml:15:5: warning[IL4017] virtualService rule #1 not used (only the last rule can have no matches)\n\
             Checked 1 file (1 object): 0 errors, 1 warning, 0 infos.\n{VS_NOTE}"
        )
    );
    // JSON carries it as `notes` (schemas/output/check.json).
    let (_, json) = check_json(&["--no-config", "testdata/rules/subsets/vs.yaml"]);
    assert_eq!(json["notes"], serde_json::json!([VS_NOTE.trim_end()]));
    // -q prints no summary, so no note; ignoring IL5002 drops it too.
    let (_, quiet, _) = concise(&["-q", "testdata/rules/subsets/vs.yaml"]);
    assert!(!quiet.contains("Not checked"), "{quiet}");
    let (_, ignored, _) = concise(&["--ignore=IL5002", "testdata/rules/subsets/vs.yaml"]);
    assert!(ignored.ends_with("0 infos.\n"), "{ignored}");
    // With the DestinationRules as context, everything is checked: no note.
    let (_, checked, _) = concise(&[
        "--context-files=testdata/rules/subsets/dr.yaml",
        "testdata/rules/subsets/vs.yaml",
    ]);
    assert!(checked.ends_with("0 infos.\n"), "{checked}");
}

#[test]
fn several_namespaces_suggest_all_of_them() {
    let (_, out, _) = concise(&[
        "--select=IL5",
        "testdata/rules/weights.yaml",
        "testdata/rules/ingress.yaml",
    ]);
    assert_eq!(
        out,
        "testdata/rules/ingress.yaml:19:34: warning[IL5014] VirtualService reviews routes `reviews.shop.svc.cluster.local` to subsets for the mesh, but requests through this gateway go to every version\n\
         Checked 2 files (3 objects): 0 errors, 1 warning, 0 infos.\n\
         Not checked: 5 route subsets of 2 hosts without a DestinationRule among the inputs (`recommendation.default.svc.cluster.local`, `reviews.shop.svc.cluster.local`); pass the cluster's with --context-files (kubectl get destinationrules -A -o yaml), or --closed-world if the inputs are complete.\n"
    );
}

const SNAPSHOT: &str = "testdata/rules/closed-world/snapshot.yaml";

fn closed_world_findings() -> String {
    "testdata/rules/closed-world/snapshot.yaml:23:13: warning[IL5009] labels version=v1 select no workload: the Service `payments.shop.svc.cluster.local` selects none among the inputs, declared complete by --closed-world\n\
     testdata/rules/closed-world/snapshot.yaml:30:14: error[IL5003] gateway `shop/public` is not among the inputs (--closed-world: they hold no Gateway)\n\
     testdata/rules/closed-world/snapshot.yaml:34:41: error[IL5001] subset `v1` of `cart.shop.svc.cluster.local` not defined: no DestinationRule for it is among the inputs, declared complete by --closed-world\n\
     testdata/rules/closed-world/snapshot.yaml:37:20: warning[IL5008] no Service or ServiceEntry among the inputs defines `audit.example.com`\n\
     Checked 1 file (2 objects checked, 2 used as context, 0 skipped): 2 errors, 2 warnings, 0 infos.\n"
        .to_string()
}

#[test]
fn closed_world_makes_absence_evidence() {
    let (code, out, _) = concise(&["--closed-world", SNAPSHOT]);
    assert_eq!((code, out), (1, closed_world_findings()));
    // The same snapshot without the flag: the registry rules stay quiet, but
    // IL5002 speaks, as the namespace's DestinationRules are among the inputs.
    let (code, out, _) = concise(&[SNAPSHOT]);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "testdata/rules/closed-world/snapshot.yaml:34:41: warning[IL5002] no DestinationRule for `cart.shop.svc.cluster.local` is among the inputs, so subset `v1` cannot be checked\n\
             Checked 1 file (2 objects checked, 2 used as context, 0 skipped): 0 errors, 1 warning, 0 infos.\n"
        )
    );
}

#[test]
fn closed_world_config_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".istiolint.yaml");
    std::fs::write(&config, "closed-world: true\n").unwrap();
    let (code, out, _) = outcome(istiolint().args([
        "check",
        "--format=concise",
        "--config",
        config.to_str().unwrap(),
        SNAPSHOT,
    ]));
    assert_eq!((code, out), (1, closed_world_findings()));
    let (_, rendered, _) =
        outcome(istiolint().args(["config", "--config", config.to_str().unwrap()]));
    assert!(
        rendered.ends_with("exclude: []\nclosed-world: true\noverrides: []\n"),
        "{rendered}"
    );
    std::fs::write(&config, "closed-world: yes please\n").unwrap();
    let (code, _, err) =
        outcome(istiolint().args(["check", "--config", config.to_str().unwrap(), SNAPSHOT]));
    assert_eq!(code, 2);
    assert!(
        err.contains(".istiolint.yaml:1:15: closed-world must be true or false"),
        "{err}"
    );
}

#[test]
fn misspelled_kinds_are_reported_and_counted_as_skipped() {
    let (code, json) = check_json(&["--no-config", "testdata/rules/kinds/misspelled.yaml"]);
    assert_eq!(code, 1);
    let got: Vec<(String, String, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or("").to_string();
            (s("pointer"), s("message"), s("help"))
        })
        .collect();
    let row = |p: &str, m: &str, h: &str| (p.to_string(), m.to_string(), h.to_string());
    assert_eq!(
        got,
        vec![
            row("/kind", "`Destinationrule` is not a kind of networking.istio.io: this object is not checked", "did you mean `DestinationRule`?"),
            row("/kind", "`VirtualServices` is not a kind of networking.istio.io: this object is not checked", "did you mean `VirtualService`?"),
            row("/apiVersion", "`networking.istoi.io` is not an API group of Istio: this VirtualService is not checked", "did you mean `networking.istio.io/v1`?"),
            row("/apiVersion", "AuthorizationPolicy is not served in version `v2` of security.istio.io: this object is not checked", "use `security.istio.io/v1` or `security.istio.io/v1beta1`"),
            row("/apiVersion", "PeerAuthentication is a kind of security.istio.io, not of networking.istio.io: this object is not checked", "use `apiVersion: security.istio.io/v1`"),
            row("/apiVersion", "`config.istio.io` is Mixer's API group, removed in Istio 1.8: no cluster serves this rule any more, and it is not checked", "Mixer's policies and telemetry are now AuthorizationPolicy, Telemetry and WasmPlugin (security.istio.io, telemetry.istio.io, extensions.istio.io)"),
            row("/apiVersion", "VirtualService `networking.istio.io/v2` is not served by Istio 1.30.3", "use one of: networking.istio.io/v1, networking.istio.io/v1alpha3, networking.istio.io/v1beta1 (or pass --istio-version)"),
        ]
    );
    let (_, out, _) = concise(&["testdata/rules/kinds/misspelled.yaml"]);
    assert!(
        out.ends_with("Checked 1 file (2 objects checked, 1 used as context, 8 skipped): 7 errors, 0 warnings, 0 infos.\n"),
        "{out}"
    );
}

#[test]
fn gateway_api_listeners_name_the_hosts() {
    let (code, json) = check_json(&["--no-config", "testdata/rules/gateway-api/routes.yaml"]);
    assert_eq!(code, 1);
    let messages: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "gateway `infra/edge` serves none of this VirtualService's hosts `www.example.org` (its listeners' hostnames are api.example.org)",
            "gateway `shop/public` serves none of this VirtualService's hosts `anything.example.net` (it serves shop.example.com)",
            "gateway `shop/gone` is not among the inputs (known: `infra/edge`, `shop/public`, `shop/web`)",
        ]
    );
}

/// #14.5: indentation inside `[...]`/`{...}` and on a quoted scalar's
/// continuation lines is not checked, as go-yaml v2 (kubectl) does not check
/// it; findings on such lines keep their columns.
#[test]
fn flow_lines_left_of_their_key_are_read_as_kubectl_reads_them() {
    let (code, out, err) = concise(&["testdata/check/flow-indentation.yaml"]);
    assert_eq!((code, err.as_str()), (1, ""));
    assert_eq!(
        out,
        "testdata/check/flow-indentation.yaml:15:43: error[IL2001] unknown field `retriez` in `http[0]`\n\
         testdata/check/flow-indentation.yaml:26:42: error[IL2003] `simple`: \"LEAST_CONNN\" is not one of UNSPECIFIED, LEAST_CONN, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST\n\
         Checked 1 file (2 objects): 2 errors, 0 warnings, 0 infos.\n"
    );
    let (_, json) = check_json(&["--no-config", "testdata/check/flow-indentation.yaml"]);
    let d = &json["diagnostics"][0];
    assert_eq!(
        (&d["end_line"], &d["end_column"], &d["pointer"]),
        (&json!(15), &json!(50), &json!("/spec/http/0/retriez"))
    );
}

/// An identical copy of an object (other key order, quoting, comments) loses
/// nothing when both are applied: IL5018 reports only the copy that differs.
#[test]
fn identical_copies_are_not_duplicates() {
    let (code, out, err) = concise(&["--select=IL5018", "testdata/rules/duplicate-object.yaml"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "testdata/rules/duplicate-object.yaml:29:18: warning[IL5018] VirtualService shop/ratings is also defined earlier in testdata/rules/duplicate-object.yaml (line 4); `kubectl apply` keeps only the one applied last\n\
         Checked 1 file (3 objects): 0 errors, 1 warning, 0 infos.\n"
    );
}

/// The note names three hosts and counts the others (three are all named).
#[test]
fn the_note_names_three_hosts_and_counts_the_rest() {
    let (code, out, _) = concise(&["testdata/fidelity/note-hosts.yaml"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "Checked 1 file (1 object): 0 errors, 0 warnings, 0 infos.\n\
         Not checked: 4 route subsets of 4 hosts without a DestinationRule among the inputs (`a.shop.svc.cluster.local`, `b.shop.svc.cluster.local`, `c.shop.svc.cluster.local` and 1 more); pass the cluster's with --context-files (kubectl get destinationrules -n shop -o yaml), or --closed-world if the inputs are complete.\n"
    );
    // Without the fourth host's route, all three are named.
    let text = std::fs::read_to_string("testdata/fidelity/note-hosts.yaml").unwrap();
    let three = text.replace("  - route: [{destination: {host: d, subset: v1}}]\n", "");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("three.yaml");
    std::fs::write(&path, three).unwrap();
    let (_, out, _) = concise(&[path.to_str().unwrap()]);
    assert!(
        out.contains("(`a.shop.svc.cluster.local`, `b.shop.svc.cluster.local`, `c.shop.svc.cluster.local`); pass"),
        "{out}"
    );
}
