//! Hostile and broken inputs: each gives a clear diagnostic or error, in
//! bounded time and memory, and never a panic.

mod common;

use common::{check_json, f, findings, istiolint};

fn write(dir: &tempfile::TempDir, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

fn is_root() -> bool {
    // Root reads and writes through permission bits; those tests are moot then.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("probe");
    std::fs::write(&p, "x").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::read(&p).is_ok()
}

#[test]
fn billion_laughs() {
    let dir = tempfile::tempdir().unwrap();
    let mut src = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        src.push_str(&format!(
            "  a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let file = write(&dir, "bomb.yaml", src);
    let (code, json) = check_json(&[&file]);
    assert_eq!(code, 1);
    assert_eq!(findings(&json), vec![f("IL1005", 10, 12)]);
    assert!(json["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("more than 100000 nodes"));
}

#[test]
fn nesting_200000_levels_deep() {
    let dir = tempfile::tempdir().unwrap();
    let block = write(
        &dir,
        "block.yaml",
        "a:\n".to_string() + &"- ".repeat(200_000) + "x\n",
    );
    let flow = write(
        &dir,
        "flow.yaml",
        "a: ".to_string() + &"[".repeat(200_000) + "\n",
    );
    let (code, json) = check_json(&[&block, &flow]);
    assert_eq!(code, 1);
    let codes: Vec<String> = findings(&json).into_iter().map(|(c, _, _)| c).collect();
    assert_eq!(codes, ["IL1005", "IL1005"]);
    assert!(json["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("nesting deeper than 128 levels"));
}

#[test]
fn random_binary_file() {
    let dir = tempfile::tempdir().unwrap();
    // A fixed pseudo-random 64 KiB (xorshift), so the test is deterministic.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..65536)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let file = write(&dir, "random.yaml", bytes);
    let (code, json) = check_json(&[&file]);
    assert_eq!(code, 1);
    assert_eq!(json["diagnostics"][0]["code"], "IL1006");
}

#[test]
fn two_hundred_thousand_documents_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let doc = "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec: {host: r}\n";
    let file = write(&dir, "many.yaml", doc.repeat(200_000));
    let (code, json) = check_json(&[&file]);
    assert_eq!(code, 0);
    assert_eq!(json["summary"]["objects"], 200_000);
}

#[test]
fn nul_bytes_and_helm_templates() {
    let dir = tempfile::tempdir().unwrap();
    let nul = write(&dir, "nul.yaml", b"kind: List\nitems: []\x00\n");
    let helm = write(
        &dir,
        "helm.yaml",
        "spec:\n  hosts:\n  {{- range .Values.hosts }}\n  - {{ . }}\n  {{- end }}\n",
    );
    let (code, json) = check_json(&[&nul, &helm]);
    assert_eq!(code, 1);
    assert_eq!(findings(&json), vec![f("IL1003", 3, 3), f("IL1006", 2, 10)]);
}

#[test]
fn symlink_loop_in_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/loop")).unwrap();
    write(&dir, "ok.yaml", "a: 1\n");
    let (code, json) = check_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "IL1006");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot read: symbolic link loop"),
        "{d}"
    );
    assert_eq!(json["summary"]["files"], 1);
}

#[test]
fn unreadable_file_is_reported_and_the_rest_checked() {
    if is_root() {
        eprintln!("skipped: running as root, permission bits do not apply");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let secret = write(&dir, "secret.yaml", "a: 1\n");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    write(&dir, "ok.yaml", "a: 1\n");
    let (code, json) = check_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(
        json["diagnostics"][0]["message"],
        "cannot read: permission denied"
    );
}

#[test]
fn a_directory_where_a_file_is_expected() {
    let dir = tempfile::tempdir().unwrap();
    let out = istiolint()
        .args([
            "generate",
            "split",
            "r",
            "a",
            "b",
            "-o",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a directory"));
}

#[test]
fn writes_do_not_follow_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let target = write(&dir, "target.yaml", "precious\n");
    let link = dir.path().join("link.yaml");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = istiolint()
        .args([
            "generate",
            "split",
            "r",
            "a",
            "b",
            "-o",
            link.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");
}

#[test]
fn a_failed_write_leaves_the_original_untouched() {
    if is_root() {
        eprintln!("skipped: running as root, a read-only directory does not stop writes");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "vs.yaml", "original\n");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let out = istiolint()
        .args(["generate", "split", "r", "a", "b", "-o", &file])
        .output()
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "original\n");
}
