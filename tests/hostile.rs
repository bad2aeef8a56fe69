//! Hostile and broken inputs: each gives a clear diagnostic or error, in
//! bounded time and memory, and never a panic.

mod common;

use common::{check_json, f, findings, istiolint};

fn write(dir: &tempfile::TempDir, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

/// A file that cannot be read even by root: a write-only kernel file
/// (procfs and sysfs check their own mode bits for root too). CI runs as
/// root, so permission bits on a file of our own would prove nothing.
fn unreadable_for_everyone() -> &'static str {
    const CANDIDATES: [&str; 3] = [
        "/proc/sys/vm/compact_memory",
        "/sys/bus/pci/rescan",
        "/proc/sys/vm/stat_refresh",
    ];
    CANDIDATES
        .into_iter()
        .find(|p| std::fs::read(p).is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied))
        .expect("no write-only kernel file on this machine; add one to CANDIDATES")
}

/// Runs istiolint where no file can grow beyond 0 bytes (RLIMIT_FSIZE,
/// which binds root too), with SIGXFSZ ignored so that the write fails
/// with EFBIG instead of killing the process.
fn istiolint_without_file_writes(args: &[&str]) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("istiolint");
    std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 0; exec \"$@\"")
        .arg("sh")
        .arg(bin)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
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
    let dir = tempfile::tempdir().unwrap();
    // The walk follows symbolic links, so the kernel file is met as a file.
    std::os::unix::fs::symlink(unreadable_for_everyone(), dir.path().join("secret.yaml")).unwrap();
    write(&dir, "ok.yaml", "a: 1\n");
    write(
        &dir,
        "zz.yaml",
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec: {hots: r}\n",
    );
    let (code, json) = check_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let secret = format!("{}/secret.yaml", dir.path().display());
    let d = &json["diagnostics"][0];
    assert_eq!(
        (&d["code"], &d["file"], &d["message"]),
        (
            &"IL1006".into(),
            &secret.into(),
            &"cannot read: permission denied".into()
        )
    );
    // The other files were still checked.
    assert_eq!(json["summary"]["files"], 3);
    assert_eq!(findings(&json)[1..], [f("IL2006", 4, 1), f("IL2001", 4, 8)]);
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
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "vs.yaml", "original\n");
    let out = istiolint_without_file_writes(&["generate", "split", "r", "a", "b", "-o", &file]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("istiolint: error: {file}: File too large (os error 27)\n")
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "original\n");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "the temporary file is removed");
}

#[test]
fn a_failed_fix_leaves_the_original_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string("testdata/fix/mirror.yaml").unwrap();
    let file = write(&dir, "mirror.yaml", &original);
    let out = istiolint_without_file_writes(&["check", "--fix", "-q", &file]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("istiolint: error: {file}: File too large (os error 27)\n")
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}
