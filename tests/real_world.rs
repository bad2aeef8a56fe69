//! The real-world corpus (testdata/real-world, sources and licences in its
//! SOURCES.md): each repository directory is checked as a user would check
//! it (the directory, default rules, `--no-config`), and every finding must
//! have a verdict in testdata/real-world/triage.txt: `true` (Istio rejects
//! it, or it is a real problem) or `false-alarm` (Istio accepts it and
//! nothing is wrong). A new finding without a verdict fails, so does a
//! verdict whose finding is gone, and so does the README's false-alarm rate
//! when it differs from the one computed here.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::outcome;

const CORPUS: &str = "testdata/real-world";

/// What identifies a finding in the triage: file (relative to the corpus),
/// line, column, code and severity.
type Key = (String, u64, u64, String, String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    True,
    FalseAlarm,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The repository directories (`owner__repo`), sorted.
fn repositories() -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(root().join(CORPUS))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "LICENSES")
        .collect();
    out.sort();
    out
}

/// Every finding of `check` on each repository, with how often it occurs
/// (two findings of one rule can share a position).
fn findings() -> BTreeMap<Key, usize> {
    let mut out = BTreeMap::new();
    for repo in repositories() {
        let dir = format!("{CORPUS}/{repo}");
        let (code, stdout, stderr) =
            outcome(common::istiolint().args(["check", "--no-config", "--format=json", &dir]));
        assert_eq!(stderr, "", "{dir}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let errors = json["summary"]["errors"].as_u64().unwrap();
        assert_eq!(code, i32::from(errors > 0), "{dir}: exit code");
        for d in json["diagnostics"].as_array().unwrap() {
            let file = d["file"].as_str().unwrap();
            let file = file.strip_prefix(&format!("{CORPUS}/")).unwrap_or(file);
            let key = (
                file.to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            );
            *out.entry(key).or_insert(0) += 1;
        }
    }
    out
}

/// triage.txt: `FILE:LINE:COLUMN CODE SEVERITY VERDICT: REASON` per finding;
/// `#` comments and blank lines are skipped. A malformed line panics with
/// its number, so a typo cannot drop a verdict.
fn triage() -> Vec<(Key, Verdict)> {
    let text = fs::read_to_string(root().join(CORPUS).join("triage.txt")).unwrap();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let bad = |why: &str| -> ! { malformed(i + 1, line, why) };
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.splitn(4, ' ');
        let (Some(place), Some(code), Some(severity), Some(rest)) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            bad("expected FILE:LINE:COLUMN CODE SEVERITY VERDICT: REASON")
        };
        let mut place_parts = place.rsplitn(3, ':');
        let (Some(column), Some(line_no), Some(file)) =
            (place_parts.next(), place_parts.next(), place_parts.next())
        else {
            bad("expected FILE:LINE:COLUMN")
        };
        let (Ok(line_no), Ok(column)) = (line_no.parse(), column.parse()) else {
            bad("line and column are numbers")
        };
        let verdict = match rest.split_once(": ") {
            Some(("true", reason)) if !reason.trim().is_empty() => Verdict::True,
            Some(("false-alarm", reason)) if !reason.trim().is_empty() => Verdict::FalseAlarm,
            _ => bad("the verdict is `true: REASON` or `false-alarm: REASON`"),
        };
        if !matches!(severity, "error" | "warning" | "info") {
            bad("the severity is error, warning or info");
        }
        let key = (
            file.to_string(),
            line_no,
            column,
            code.to_string(),
            severity.to_string(),
        );
        out.push((key, verdict));
    }
    out
}

fn malformed(line_no: usize, line: &str, why: &str) -> ! {
    panic!("triage.txt:{line_no}: {why}: {line}")
}

/// Counts per severity: (false alarms, findings).
#[derive(Default)]
struct Rate {
    by_severity: BTreeMap<String, (usize, usize)>,
    duplicates: (usize, usize),
}

impl Rate {
    fn total(&self) -> (usize, usize) {
        self.by_severity
            .values()
            .fold((0, 0), |(f, n), (a, b)| (f + a, n + b))
    }

    fn of(&self, severity: &str) -> (usize, usize) {
        self.by_severity.get(severity).copied().unwrap_or_default()
    }

    /// The README's sentence, so the figure cannot drift from the corpus.
    fn sentence(&self, files: usize, repositories: usize) -> String {
        let pct = |(f, n): (usize, usize)| {
            if n == 0 {
                "0.0%".to_string()
            } else {
                format!("{:.1}%", 100.0 * f as f64 / n as f64)
            }
        };
        let part = |severity: &str, plural: &str| {
            let (f, n) = self.of(severity);
            format!("{plural}: {f} of {n}, {}", pct((f, n)))
        };
        let (f, n) = self.total();
        let (df, dn) = self.duplicates;
        let duplicates = if dn == 0 {
            String::new()
        } else {
            format!(
                " {df} of the false alarms are IL5018 findings (of {dn} in all): the same object \
                 in two files that are alternatives applied one at a time. Without IL5018 the \
                 rate is {}.",
                pct((f - df, n - dn))
            )
        };
        format!(
            "On its {files} files from {repositories} repositories, `check` reports {n} findings, \
             {f} of them false alarms: a false-alarm rate of {} ({}; {}; {}).{duplicates}",
            pct((f, n)),
            part("error", "errors"),
            part("warning", "warnings"),
            part("info", "infos"),
        )
    }
}

fn corpus_files() -> usize {
    fn walk(dir: &Path) -> usize {
        fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| {
                let p = e.path();
                if p.is_dir() {
                    walk(&p)
                } else {
                    1
                }
            })
            .sum()
    }
    repositories()
        .iter()
        .map(|r| walk(&root().join(CORPUS).join(r)))
        .sum()
}

#[test]
fn every_finding_on_the_corpus_is_triaged_and_the_readme_states_the_rate() {
    let found = findings();
    let verdicts = triage();
    let mut triaged: BTreeMap<Key, Vec<Verdict>> = BTreeMap::new();
    for (key, verdict) in &verdicts {
        triaged.entry(key.clone()).or_default().push(*verdict);
    }
    let show = |(file, line, column, code, severity): &Key| {
        format!("{file}:{line}:{column} {code} {severity}")
    };
    let missing: Vec<String> = found
        .iter()
        .filter(|(k, n)| triaged.get(*k).map_or(0, Vec::len) < **n)
        .map(|(k, _)| show(k))
        .collect();
    let stale: Vec<String> = triaged
        .iter()
        .filter(|(k, v)| found.get(*k).copied().unwrap_or(0) < v.len())
        .map(|(k, _)| show(k))
        .collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "findings without a verdict in {CORPUS}/triage.txt:\n{}\n\nverdicts whose finding is gone:\n{}",
        missing.join("\n"),
        stale.join("\n"),
    );

    let mut rate = Rate::default();
    for ((_, _, _, code, severity), verdict) in &verdicts {
        let false_alarm = usize::from(*verdict == Verdict::FalseAlarm);
        let entry = rate.by_severity.entry(severity.clone()).or_default();
        entry.0 += false_alarm;
        entry.1 += 1;
        if code == "IL5018" {
            rate.duplicates.0 += false_alarm;
            rate.duplicates.1 += 1;
        }
    }
    let sentence = rate.sentence(corpus_files(), repositories().len());
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    // The README wraps lines; compare with whitespace collapsed.
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat(&readme).contains(&sentence),
        "README.md must state the measured rate; expected the sentence:\n{sentence}"
    );
}

/// SOURCES.md names each repository directory with its number of files,
/// and every repository's licence text is kept.
#[test]
fn sources_record_every_repository_with_its_files_and_licence() {
    let sources = fs::read_to_string(root().join(CORPUS).join("SOURCES.md")).unwrap();
    for repo in repositories() {
        fn count(dir: &Path) -> usize {
            fs::read_dir(dir)
                .unwrap()
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        count(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        }
        let files = count(&root().join(CORPUS).join(&repo));
        let row = sources
            .lines()
            .find(|l| l.starts_with(&format!("| `{repo}` |")))
            .unwrap_or_else(|| panic!("SOURCES.md has no row for `{repo}`"));
        assert!(
            row.contains(&format!("| {files} |")),
            "SOURCES.md: `{repo}` has {files} files: {row}"
        );
        let licence = root()
            .join(CORPUS)
            .join("LICENSES")
            .join(format!("{repo}.LICENSE"));
        assert!(licence.is_file(), "no licence text {}", licence.display());
    }
}
