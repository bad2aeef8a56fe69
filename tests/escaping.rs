//! Manifest values must not steer what reads istiolint's output (issue
//! #20): every format is checked byte for byte on hostile values (newlines
//! carrying `::warning` commands, `%`, ESC sequences, NUL and other control
//! characters, bidirectional overrides) in names, hosts, keys, messages and
//! file names.

mod common;

use common::istiolint;

const VALUES: &str = "testdata/hostile/values.yaml";

/// The hostile name and namespace are also invalid names (IL2010/IL2011):
/// left out here, their escaping is asserted in tests/rules.rs.
fn stdout(args: &[&str]) -> String {
    let mut check = istiolint();
    check.args(["check", "--ignore=IL2010,IL2011"]).args(args);
    let (code, out, _) = common::outcome(&mut check);
    assert_eq!(code, 1, "{out}");
    out
}

/// No byte a terminal or log would act on: the only control characters
/// left are the output's own newlines (and `\t`-free layout).
fn assert_inert(out: &str) {
    for (i, c) in out.char_indices() {
        assert!(
            c == '\n' || !istiolint::report::escape::is_unsafe(c),
            "unsafe {c:?} at byte {i} of:\n{out}"
        );
    }
}

const HOST_MESSAGE: &str = r#"domain name "a\n::warning file=evil.yaml,line=1::injected\r\nb%0A##[error]\u{0}\u{2066}" invalid (label "a\n::warning file=evil" invalid)"#;
const KEY_MESSAGE: &str = r"unknown field `pol\u{1}\u{1b}]0;t\u{7}\u{2067}icy` in `trafficPolicy`";

#[test]
fn concise_shows_control_characters_as_escapes() {
    let out = stdout(&["--format=concise", VALUES]);
    assert_eq!(
        out,
        format!(
            "testdata/hostile/values.yaml:11:9: error[IL3005] {HOST_MESSAGE}\n\
             testdata/hostile/values.yaml:13:5: error[IL2001] {KEY_MESSAGE}\n\
             Checked 1 file (1 object): 2 errors, 0 warnings, 0 infos.\n"
        )
    );
    assert_inert(&out);
}

#[test]
fn github_output_cannot_form_a_workflow_command() {
    let out = stdout(&["--format=github", VALUES]);
    let host = r#"domain name "a\n:%3Awarning file=evil.yaml,line=1:%3Ainjected\r\nb%250A#%23[error]\u{0}\u{2066}" invalid (label "a\n:%3Awarning file=evil" invalid)"#;
    assert_eq!(
        out,
        format!(
            "testdata/hostile/values.yaml:11:9: error[IL3005] {host}\n\
             testdata/hostile/values.yaml:13:5: error[IL2001] {KEY_MESSAGE}\n\
             ::error file=testdata/hostile/values.yaml,line=11,endLine=11,col=9,endColumn=82,title=IL3005 dr-host-invalid::{host}%0Ahelp: use a service name, a FQDN such as reviews.ns.svc.cluster.local, or a leading wildcard (*.example.com)\n\
             ::error file=testdata/hostile/values.yaml,line=13,endLine=13,col=5,endColumn=31,title=IL2001 unknown-field::{KEY_MESSAGE}%0Ahelp: known fields here: connectionPool, loadBalancer, outlierDetection, portLevelSettings, proxyProtocol, retryBudget, tls, tunnel\n\
             Checked 1 file (1 object): 2 errors, 0 warnings, 0 infos.\n"
        )
    );
    assert_inert(&out);
    // The runner treats a line as a command when it starts with `::` (after
    // blanks); only the two annotations istiolint wrote do.
    let commands: Vec<&str> = out
        .lines()
        .filter(|l| l.trim_start().starts_with("::"))
        .collect();
    assert_eq!(commands.len(), 2);
    for line in out.lines() {
        let data = line.strip_prefix("::error ").map_or(line, |rest| {
            rest.split_once("::").expect("command has data").1
        });
        assert!(!data.contains("::") && !data.contains("##["), "{line}");
    }
}

#[test]
fn junit_writes_only_characters_xml_allows() {
    let out = stdout(&["--format=junit", VALUES]);
    let xml = |s: &str| s.replace('"', "&quot;");
    assert_eq!(
        out,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <testsuites name=\"istiolint\" tests=\"1\" failures=\"1\">\n  \
             <testsuite name=\"testdata/hostile/values.yaml\" tests=\"1\" failures=\"1\">\n    \
             <testcase name=\"DestinationRule ns\\u{{202e}}ab/dr\\u{{1b}}[2Jx\" classname=\"testdata/hostile/values.yaml\">\n      \
             <failure type=\"IL3005\" message=\"{host}\">testdata/hostile/values.yaml:11:9: error[IL3005] {host}</failure>\n      \
             <failure type=\"IL2001\" message=\"{key}\">testdata/hostile/values.yaml:13:5: error[IL2001] {key}</failure>\n    \
             </testcase>\n  \
             </testsuite>\n\
             </testsuites>\n",
            host = xml(HOST_MESSAGE),
            key = xml(KEY_MESSAGE),
        )
    );
    assert_inert(&out);
    // A real XML parser reads it back to the visible text.
    let doc = roxmltree::Document::parse(&out).unwrap();
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(failure.attribute("message"), Some(HOST_MESSAGE));
}

#[test]
fn json_keeps_identifiers_exact_and_messages_visible() {
    let out = stdout(&["--format=json", VALUES]);
    let json_str = |s: &str| serde_json::to_string(s).unwrap();
    let diagnostic = |code: &str,
                      name: &str,
                      message: &str,
                      help: &str,
                      at: (u32, u32, u32),
                      pointer: &str| {
        format!(
            "    {{\n      \"code\": \"{code}\",\n      \"name\": \"{name}\",\n      \"severity\": \"error\",\n      \
             \"message\": {},\n      \"help\": \"{help}\",\n      \"file\": \"testdata/hostile/values.yaml\",\n      \
             \"line\": {},\n      \"column\": {},\n      \"end_line\": {},\n      \"end_column\": {},\n      \
             \"pointer\": \"{pointer}\",\n      \"object\": {{\n        \"kind\": \"DestinationRule\",\n        \
             \"namespace\": \"ns\\u202eab\",\n        \"name\": \"dr\\u001b[2Jx\"\n      }},\n      \"fix\": null\n    }}",
            json_str(message),
            at.0,
            at.1,
            at.0,
            at.2
        )
    };
    let expected = format!(
        "{{\n  \"diagnostics\": [\n{},\n{}\n  ],\n  \"summary\": {{\n    \"files\": 1,\n    \"objects\": 1,\n    \
         \"checked\": 1,\n    \"context\": 0,\n    \"skipped\": 0,\n    \"errors\": 2,\n    \"warnings\": 0,\n    \"infos\": 0\n  }}\n}}\n",
        diagnostic(
            "IL3005",
            "dr-host-invalid",
            HOST_MESSAGE,
            "use a service name, a FQDN such as reviews.ns.svc.cluster.local, or a leading wildcard (*.example.com)",
            (11, 9, 82),
            "/spec/host"
        ),
        diagnostic(
            "IL2001",
            "unknown-field",
            KEY_MESSAGE,
            "known fields here: connectionPool, loadBalancer, outlierDetection, portLevelSettings, proxyProtocol, retryBudget, tls, tunnel",
            (13, 5, 31),
            r"/spec/trafficPolicy/pol\u0001\u001b]0;t\u0007\u2067icy"
        ),
    );
    assert_eq!(out, expected);
    assert_inert(&out);
    // Decoded, the identifiers are the manifest's exact values.
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["diagnostics"][0]["object"]["name"], "dr\u{1b}[2Jx");
    assert_eq!(v["diagnostics"][0]["object"]["namespace"], "ns\u{202e}ab");
}

#[test]
fn sarif_messages_are_visible_and_uris_percent_encoded() {
    let out = stdout(&["--format=sarif", VALUES]);
    assert_inert(&out);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results[0]["message"]["text"],
        format!("{HOST_MESSAGE}\nhelp: use a service name, a FQDN such as reviews.ns.svc.cluster.local, or a leading wildcard (*.example.com)")
    );
    assert_eq!(
        results[1]["message"]["text"],
        format!("{KEY_MESSAGE}\nhelp: known fields here: connectionPool, loadBalancer, outlierDetection, portLevelSettings, proxyProtocol, retryBudget, tls, tunnel")
    );
}

#[test]
fn human_output_escapes_messages_and_the_snippet() {
    // Raw bidi and ESC bytes in the file itself: the snippet shows them
    // escaped and still underlines the value.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("raw.yaml"),
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r # \u{202e} \u{1b}[2J\nspec:\n  hosts: [x\u{202e}y]\n  http:\n  - route:\n    - destination: {host: r}\n",
    )
    .unwrap();
    let (code, out, _) = common::outcome(
        istiolint()
            .current_dir(dir.path())
            .args(["check", "raw.yaml"]),
    );
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "IL4005(vs-host-invalid)\n\n  \
         × domain name \"x\\u{202e}y\" invalid (label \"x\\u{202e}y\" invalid)\n   \
         ╭─[raw.yaml:6:11]\n \
         5 │ spec:\n \
         6 │   hosts: [x\\u{202e}y]\n   \
         ·           ──────────\n \
         7 │   http:\n   \
         ╰────\n  \
         help: use service names or (wildcard) domains, each once; `*` only on VirtualServices bound to\n        \
         gateways\n\n\
         Checked 1 file (1 object): 1 error, 0 warnings, 0 infos.\n"
    );
    // The values fixture: messages escaped, no raw control character.
    let out = stdout(&["--format=human", VALUES]);
    assert_inert(&out);
    assert!(out.contains(r"unknown field `pol\u{1}\u{1b}]0;t\u{7}\u{2067}icy`"));
}

#[test]
fn hostile_file_names_are_escaped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let name = "x\n::error file=a::pwned%\u{1b}[1m.yaml";
    std::fs::write(
        dir.path().join(name),
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec: {host: \"bad host\"}\n",
    )
    .unwrap();
    let run = |format: &str| {
        let (code, out, _) = common::outcome(
            istiolint()
                .current_dir(dir.path())
                .args(["check", "-q", format, "."]),
        );
        assert_eq!(code, 1);
        assert_inert(&out);
        out
    };
    let message = r#"domain name "bad host" invalid (label "bad host" invalid)"#;
    assert_eq!(
        run("--format=concise"),
        format!("x\\n::error file=a::pwned%\\u{{1b}}[1m.yaml:4:14: error[IL3005] {message}\n")
    );
    assert_eq!(
        run("--format=github"),
        format!(
            "x\\n:%3Aerror file=a:%3Apwned%25\\u{{1b}}[1m.yaml:4:14: error[IL3005] {message}\n\
             ::error file=x\\n%3A%3Aerror file=a%3A%3Apwned%25\\u{{1b}}[1m.yaml,line=4,endLine=4,col=14,endColumn=24,title=IL3005 dr-host-invalid::{message}%0Ahelp: use a service name, a FQDN such as reviews.ns.svc.cluster.local, or a leading wildcard (*.example.com)\n\
             Checked 1 file (1 object): 1 error, 0 warnings, 0 infos.\n"
        )
    );
    let junit = run("--format=junit");
    assert!(junit.contains("<testsuite name=\"x\\n::error file=a::pwned%\\u{1b}[1m.yaml\""));
    roxmltree::Document::parse(&junit).unwrap();
    let sarif: serde_json::Value = serde_json::from_str(&run("--format=sarif")).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"],
        "x%0A%3A%3Aerror%20file%3Da%3A%3Apwned%25%1B%5B1m.yaml"
    );
}

#[test]
fn diff_output_escapes_values() {
    let dir = tempfile::tempdir().unwrap();
    let doc = |host: &str| {
        format!("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: \"r\\e[31m\", namespace: shop}}\nspec: {{host: \"{host}\"}}\n")
    };
    std::fs::write(dir.path().join("local.yaml"), doc("new\\u202Ehost\\x7f")).unwrap();
    std::fs::write(dir.path().join("applied.yaml"), doc("old")).unwrap();
    let (code, out, _) = common::outcome(istiolint().current_dir(dir.path()).args([
        "diff",
        "local.yaml",
        "--against",
        "applied.yaml",
    ]));
    assert_eq!(code, 1);
    assert_inert(&out);
    assert_eq!(
        out,
        "~ DestinationRule shop/r\\u{1b}[31m (changed)\n\
         --- applied.yaml\n\
         +++ local\n\
         @@ -3,4 +3,4 @@\n   \
         name: \"r\\u001b[31m\"\n   \
         namespace: shop\n \
         spec:\n\
         -  host: old\n\
         +  host: \"new\\u202ehost\\u007f\"\n\n"
    );
    let (_, json, _) = common::outcome(istiolint().current_dir(dir.path()).args([
        "diff",
        "local.yaml",
        "--against",
        "applied.yaml",
        "--format=json",
    ]));
    assert_inert(&json);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["objects"][0]["name"], "r\u{1b}[31m");
    assert_eq!(
        v["objects"][0]["changes"][0]["new"],
        "new\u{202e}host\u{7f}"
    );
}

#[test]
fn errors_on_stderr_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".istiolint.yaml"), "\"ign\\e[2Jore\": []\n").unwrap();
    let (code, _, err) = common::outcome(istiolint().current_dir(dir.path()).args(["check", "."]));
    assert_eq!(code, 2);
    assert_inert(&err);
    assert!(err.contains(r"ign\u{1b}[2Jore"), "{err}");
}
