use super::*;

fn parse(src: &str) -> ParseOutcome {
    parse_stream(src, Limits::default())
}

fn root(src: &str) -> Node {
    let out = parse(src);
    assert!(!out.aborted, "{:?}", out.issues);
    out.documents.into_iter().next().unwrap().root.unwrap()
}

#[test]
fn spans_of_keys_and_values() {
    let n = root("spec:\n  host: reviews\n  subsets:\n  - name: v1\n");
    let (host, key) = n.lookup("/spec/host").unwrap();
    assert_eq!((host.span.line, host.span.col), (2, 9));
    assert_eq!((host.span.end_line, host.span.end_col), (2, 16));
    let key = key.unwrap();
    assert_eq!((key.span.line, key.span.col), (2, 3));
    let (name, _) = n.lookup("/spec/subsets/0/name").unwrap();
    assert_eq!((name.span.line, name.span.col), (4, 11));
    assert_eq!(
        &"spec:\n  host: reviews\n"[host.span.start..host.span.end],
        "reviews"
    );
}

#[test]
fn block_collection_span_ends_at_last_child() {
    let src = "a:\n  b: 1\n  c: 2\nd: 3\n";
    let n = root(src);
    let (a, _) = n.lookup("/a").unwrap();
    assert_eq!(&src[a.span.start..a.span.end], "b: 1\n  c: 2");
}

#[test]
fn multi_document_and_empty_documents() {
    let out = parse("a: 1\n---\n---\nb: 2\n");
    assert_eq!(out.documents.len(), 3);
    // An empty document is an empty (null) root.
    assert!(matches!(
        &out.documents[1].root,
        None | Some(Node {
            value: Value::Scalar(Scalar::Null),
            ..
        })
    ));
    assert_eq!(out.documents[2].index, 2);
}

#[test]
fn duplicate_key_points_at_second_and_names_first() {
    let out = parse("spec:\n  host: a\n  host: b\n");
    assert_eq!(out.issues.len(), 1);
    let issue = &out.issues[0];
    match &issue.kind {
        YamlIssueKind::DuplicateKey { key, first } => {
            assert_eq!(key, "host");
            assert_eq!((first.line, first.col), (2, 3));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!((issue.span.line, issue.span.col), (3, 3));
}

#[test]
fn duplicates_found_in_large_maps() {
    let mut src: String = (0..50).map(|i| format!("k{i}: {i}\n")).collect();
    src.push_str("k7: again\n");
    let out = parse(&src);
    assert_eq!(out.issues.len(), 1);
    assert_eq!(out.issues[0].span.line, 51);
}

#[test]
fn yaml11_scalars_resolve_like_kubernetes_and_warn() {
    let out = parse("a: yes\nb: 0755\nc: '0755'\nd: 1.10\ne: true\n");
    let n = out.documents[0].root.as_ref().unwrap();
    assert_eq!(
        n.to_json(),
        serde_json::json!({"a": true, "b": 493, "c": "0755", "d": 1.1, "e": true})
    );
    let lines: Vec<u32> = out.issues.iter().map(|i| i.span.line).collect();
    assert_eq!(lines, vec![1, 2]);
}

#[test]
fn syntax_error_has_position() {
    let out = parse("a: 1\nb: [1, 2\n");
    assert!(out.aborted);
    let issue = out.issues.last().unwrap();
    assert!(matches!(issue.kind, YamlIssueKind::Syntax(_)));
    assert!(issue.span.line >= 2, "{issue:?}");
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let n = root("base: &b {x: 1, z: 2}\nuse:\n  <<: *b\n  z: 3\nlist: [*b]\n");
    assert_eq!(
        n.to_json(),
        serde_json::json!({"base": {"x": 1, "z": 2}, "use": {"z": 3, "x": 1}, "list": [{"x": 1, "z": 2}]})
    );
}

#[test]
fn billion_laughs_is_stopped() {
    let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        src.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let out = parse(&src);
    assert!(out.aborted);
    assert!(matches!(
        out.issues.last().unwrap().kind,
        YamlIssueKind::AliasLimit(_)
    ));
}

#[test]
fn deep_nesting_is_stopped() {
    let src = "a:\n".to_string() + &"- ".repeat(1000) + "x\n";
    let out = parse(&src);
    assert!(out.aborted);
    assert!(matches!(
        out.issues.last().unwrap().kind,
        YamlIssueKind::DepthLimit(128)
    ));
    let flow = "[".repeat(200_000);
    let out = parse(&flow);
    assert!(out.aborted);
}

#[test]
fn non_string_keys_become_strings() {
    let n = root("on: 1\n80: http\ny: 2\n");
    assert_eq!(n.to_json(), serde_json::json!({"true": 1, "80": "http"}));
}

#[test]
fn tags_and_styles() {
    let n = root("a: !!str 0755\nb: \"yes\"\nc: |\n  text\n");
    assert_eq!(
        n.to_json(),
        serde_json::json!({"a": "0755", "b": "yes", "c": "text\n"})
    );
}

/// Flow-context plain scalars as go-yaml v2's scanner reads them (a plain
/// scalar ends at `: `, or in flow at `,`, `?`, `[`, `]`, `{`, `}`).
#[test]
fn flow_plain_scalars_follow_go_yaml_v2() {
    let json = |src: &str| {
        let out = parse(src);
        let issues: Vec<_> = out.issues.iter().map(|i| i.kind.clone()).collect();
        let root = out.documents.into_iter().next().unwrap().root.unwrap();
        (root.to_json().to_string(), issues)
    };
    let cases = [
        (
            "a: [1.2.3.4, 001:db8::]",
            r#"{"a":["1.2.3.4","001:db8::"]}"#,
        ),
        ("a: [x:]", r#"{"a":["x:"]}"#),
        ("a: {k:, b: c}", r#"{"a":{"k:":null,"b":"c"}}"#),
        ("a: [a:b]", r#"{"a":["a:b"]}"#),
        ("a: {a: b:c}", r#"{"a":{"a":"b:c"}}"#),
        ("a: [a: b]", r#"{"a":[{"a":"b"}]}"#),
        ("a: {? a: b}", r#"{"a":{"a":"b"}}"#),
        ("a: [\"x\":y]", r#"{"a":[{"x":true}]}"#),
        (
            "a: [fe80::1, 2001:db8::/32]",
            r#"{"a":["fe80::1","2001:db8::/32"]}"#,
        ),
    ];
    for (src, want) in cases {
        let (got, issues) = json(src);
        assert_eq!(got, want, "{src}");
        assert!(
            !issues.iter().any(|i| matches!(i, YamlIssueKind::Syntax(_))),
            "{src}: {issues:?}"
        );
    }
    let (_, issues) = json("a: [::1]");
    assert_eq!(
        issues,
        vec![YamlIssueKind::Syntax(
            "`:` at the start of the plain value `::1` inside `[...]`/`{...}`: Kubernetes (go-yaml v2) rejects this document; quote the value".into()
        )]
    );
    let (_, issues) = json("a: [a?b]");
    assert!(
        matches!(&issues[..], [YamlIssueKind::Syntax(m)] if m.starts_with("`?` of the plain value `a?b`"))
    );
    // Outside flow collections none of this applies.
    assert_eq!(json("a: ::1 a?b\n").0, r#"{"a":"::1 a?b"}"#);
}

#[test]
fn flow_lines_left_of_the_block_indentation_read_as_kubectl_reads_them() {
    // go-yaml v2 does not check indentation in flow context; Istio's
    // spire-quickstart.yaml closes `args: [` left of `args`.
    let src = "spec:\n  args: [\n    \"-a\", x,\n ]\n  http: [{\n route: r}]\nnext: 1\n";
    let n = root(src);
    let (x, _) = n.lookup("/spec/args/1").unwrap();
    assert_eq!(
        (x.span.line, x.span.col, &src[x.span.start..x.span.end]),
        (3, 11, "x")
    );
    // Positions on a re-indented line are those of the original text.
    let (route, key) = n.lookup("/spec/http/0/route").unwrap();
    assert_eq!((route.span.line, route.span.col), (6, 9));
    assert_eq!(&src[route.span.start..route.span.end], "r");
    let key = key.unwrap();
    assert_eq!(
        (key.span.line, key.span.col, key.text.as_str()),
        (6, 2, "route")
    );
    let (next, _) = n.lookup("/next").unwrap();
    assert_eq!(
        (
            next.span.line,
            next.span.col,
            &src[next.span.start..next.span.end]
        ),
        (7, 7, "1")
    );
}

#[test]
fn under_indented_block_lines_are_still_errors_and_flow_fixes_are_bounded() {
    let out = parse("a:\n  b: [1,\n2]\n c: 3\n");
    assert!(out.aborted);
    assert_eq!((out.issues[0].span.line, out.issues[0].span.col), (4, 2));
    // Each re-indented line costs a parse: after 16, the error is reported.
    let src = format!("a:\n  b: [\n{}  ]\n", "x,\n".repeat(20));
    let out = parse(&src);
    assert!(out.aborted);
    assert_eq!((out.issues[0].span.line, out.issues[0].span.col), (19, 1));
    let fits = format!("a:\n  b: [\n{}  ]\n", "x,\n".repeat(16));
    let n = root(&fits);
    let (last, _) = n.lookup("/a/b/15").unwrap();
    assert_eq!((last.span.line, last.span.col), (18, 1));
}

#[test]
fn quoted_continuation_lines_left_of_their_key_read_as_kubectl_reads_them() {
    // go-yaml v2 does not check the indentation of a quoted scalar's
    // continuation lines; folding drops their leading spaces anyway.
    let src = "a:\n  b: 'it''s\nz'\n  c: \"q\\\"\n  w\"\n  d: 1\n";
    let n = root(src);
    let text = |p: &str| n.lookup(p).unwrap().0.as_str().map(str::to_string);
    assert_eq!(text("/a/b").as_deref(), Some("it's z"));
    assert_eq!(text("/a/c").as_deref(), Some("q\" w"));
    let (d, _) = n.lookup("/a/d").unwrap();
    assert_eq!(
        (d.span.line, d.span.col, &src[d.span.start..d.span.end]),
        (6, 6, "1")
    );
    let (b, _) = n.lookup("/a/b").unwrap();
    assert_eq!((b.span.end_line, b.span.end_col), (3, 3));
    // A document marker inside a quoted scalar stays an error, as in go-yaml v2.
    let out = parse("a:\n  b: \"x\n---\ny\"\n");
    assert!(out.aborted);
    assert_eq!(
        out.issues[0].kind,
        YamlIssueKind::Syntax(
            "while scanning a quoted scalar, found unexpected document indicator".into()
        )
    );
}

/// The tab of an indentation is found after spaces too, and a tab after the
/// indentation is the scanner's own error (mutation testing found only a
/// line starting with a tab tested).
#[test]
fn a_tab_after_indenting_spaces_is_pointed_at() {
    let src = "a: 1\n \tb: 2\n";
    let out = parse(src);
    assert!(out.aborted);
    assert_eq!(out.issues.len(), 1);
    let issue = &out.issues[0];
    assert_eq!(
        issue.kind,
        YamlIssueKind::Syntax("a tab in the indentation: YAML indents with spaces only".into())
    );
    let at = &issue.span;
    assert_eq!((at.line, at.col, at.start, at.end), (2, 2, 6, 7));
    let out = parse("a:\tb: c\n");
    assert!(out.aborted);
    assert_eq!(out.issues.len(), 1);
    let issue = &out.issues[0];
    assert_eq!(
        issue.kind,
        YamlIssueKind::Syntax("':' must be followed by a valid YAML whitespace".into())
    );
    assert_eq!((issue.span.line, issue.span.col), (1, 4));
}

/// `.nan` reads as NaN for Kubernetes and for YAML 1.2 readers alike: no
/// YAML 1.1 warning.
#[test]
fn nan_is_no_yaml11_disagreement() {
    let out = parse("a: .nan\nb: .NaN\nc: .NAN\n");
    assert!(out.issues.is_empty(), "{:?}", out.issues);
    let n = out.documents[0].root.as_ref().unwrap();
    let (a, _) = n.lookup("/a").unwrap();
    assert!(matches!(a.value, Value::Scalar(Scalar::Float(f)) if f.is_nan()));
}
