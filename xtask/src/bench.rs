//! `cargo xtask bench`: the numbers in BENCHMARKS.md. Builds nothing itself:
//! run `cargo build --release` first. Prints a Markdown table.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub fn run(root: &Path, services: usize) -> Result<String, String> {
    let bin = root.join("target/release/istiolint");
    if !bin.exists() {
        return Err("build first: cargo build --release".into());
    }
    let corpus = root.join(format!("target/bench/corpus-{services}"));
    if !corpus.exists() {
        crate::gen_corpus::generate(services, &corpus).map_err(|e| e.to_string())?;
    }
    let files = yaml_files(&corpus);
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let mb = bytes as f64 / 1e6;
    let mut rows = Vec::new();
    let row = |name: &str, t: Duration, extra: String| {
        format!(
            "| {name} | {:.0} ms | {:.1} MB/s | {:.0} files/s | {extra} |",
            t.as_secs_f64() * 1e3,
            mb / t.as_secs_f64(),
            files.len() as f64 / t.as_secs_f64()
        )
    };
    // Raw event parse: the practical limit.
    let raw1 = best_of(5, || {
        for t in &texts {
            for e in saphyr_parser::Parser::new_from_str(t) {
                std::hint::black_box(e.ok());
            }
        }
    });
    rows.push(row(
        "saphyr-parser events only, 1 thread",
        raw1,
        String::new(),
    ));
    let pool2 = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let raw2 = best_of(5, || {
        pool2.install(|| {
            texts.par_iter().for_each(|t| {
                for e in saphyr_parser::Parser::new_from_str(t) {
                    std::hint::black_box(e.ok());
                }
            })
        })
    });
    rows.push(row(
        "saphyr-parser events only, 2 threads",
        raw2,
        String::new(),
    ));
    for threads in ["1", "2"] {
        let mut rss = 0;
        let t = best_of(5, || {
            rss = run_measured(
                &bin,
                &["check", "-j", threads, "--format", "concise", "-q"],
                &corpus,
            );
        });
        let ratio = if threads == "1" { raw1 } else { raw2 };
        rows.push(row(
            &format!("istiolint check -j{threads}"),
            t,
            format!(
                "peak RSS {} MB; {:.0}% of raw parse",
                rss / 1024,
                100.0 * ratio.as_secs_f64() / t.as_secs_f64()
            ),
        ));
    }
    // Pre-commit: a whole process on 5 files, start-up and schema compilation included.
    let five: Vec<String> = files
        .iter()
        .take(5)
        .map(|f| f.to_string_lossy().into_owned())
        .collect();
    let mut args: Vec<&str> = vec!["check", "--format", "concise", "-q"];
    args.extend(five.iter().map(String::as_str));
    let runs = 50;
    let start = Instant::now();
    for _ in 0..runs {
        run_measured(&bin, &args, root);
    }
    let per = start.elapsed() / runs;
    let mut out = format!(
        "Corpus: `cargo xtask gen-corpus {services}` → {} files, {:.1} MB ({} services, a DestinationRule and a VirtualService each).\n\n\
         | what | wall | throughput | files | notes |\n|---|---:|---:|---:|---|\n{}\n\
         | pre-commit run, 5 files, whole process | {:.1} ms | | | mean of {runs} runs |\n",
        files.len(),
        mb,
        services,
        rows.join("\n"),
        per.as_secs_f64() * 1e3
    );
    out.push_str(&route_requests(&corpus, 10_000)?);
    out.push_str(&explain_every_host(&bin, &corpus));
    if let Some(peer) = check_jsonschema(root, &corpus, &bin) {
        out.push_str(&peer);
    }
    Ok(out)
}

/// `istiolint route` as a library on one core: the corpus's VirtualServices
/// loaded once (not timed), then `n` requests, each a sidecar request to one
/// of the hosts (indexed), half of them Firefox users on the matching path.
pub fn route_requests(corpus: &Path, n: usize) -> Result<String, String> {
    use istiolint::route::{self, Origin, Request};
    let (inventory, _) =
        istiolint::model::Inventory::load(&[corpus.to_path_buf()], Default::default())
            .map_err(|e| e.0)?;
    let vss = inventory.virtual_services.len();
    let world = route::load::world(&inventory, "default");
    let hosts: Vec<(String, String)> = inventory
        .virtual_services
        .iter()
        .map(|v| {
            (
                v.meta.name.clone().unwrap_or_default(),
                v.meta.namespace_or("default").to_string(),
            )
        })
        .collect();
    let requests: Vec<Request> = (0..n)
        .map(|i| {
            let (name, ns) = &hosts[(i * 7919) % hosts.len()];
            let firefox = i % 2 == 0;
            Request {
                host: name.clone(),
                port: 80,
                path: format!("/api/v{}/items?page={i}", i % 3 + 1),
                method: "GET".into(),
                scheme: "http".into(),
                headers: if firefox {
                    vec![(
                        "baggage-user-agent".into(),
                        "Mozilla/5.0 Firefox/120.0".into(),
                    )]
                } else {
                    Vec::new()
                },
                origin: Origin::Sidecar {
                    namespace: ns.clone(),
                    labels: Vec::new(),
                },
            }
        })
        .collect();
    let mut matched = 0;
    let t = best_of(5, || {
        matched = requests
            .iter()
            .filter(|r| route::route(&world, r).is_ok_and(|o| o.matched))
            .count();
    });
    Ok(format!(
        "\nRouting (library, 1 thread, hosts indexed): {n} requests against {vss} VirtualServices in {:.0} ms ({:.1} µs per request; {matched} matched).\n",
        t.as_secs_f64() * 1e3,
        t.as_secs_f64() * 1e6 / n as f64
    ))
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn best_of(n: usize, mut f: impl FnMut()) -> Duration {
    (0..n)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed()
        })
        .min()
        .unwrap()
}

/// `istiolint explain DIR` as a user runs it: a whole process that explains
/// every host of the corpus (routing and circuit breakers), output discarded.
fn explain_every_host(bin: &Path, corpus: &Path) -> String {
    let mut rss = 0;
    let t = best_of(3, || {
        rss = run_measured(bin, &["explain", "--format", "json", "."], corpus);
    });
    format!(
        "\nExplain (whole process, -j default): every host of the corpus in {:.0} ms, peak RSS {} MB.\n",
        t.as_secs_f64() * 1e3,
        rss / 1024
    )
}

/// Runs a command; returns its peak RSS in KB (via /usr/bin/time when present).
fn run_measured(bin: &Path, args: &[&str], dir: &Path) -> u64 {
    let time = Path::new("/usr/bin/time");
    let out = if time.exists() {
        Command::new(time)
            .arg("-f")
            .arg("%M")
            .arg(bin)
            .args(args)
            .current_dir(dir)
            .output()
    } else {
        Command::new(bin).args(args).current_dir(dir).output()
    }
    .expect("runs");
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0)
}

/// The peer: check-jsonschema (the standard pre-commit schema hook) on the
/// same files against the same schemas, installed in a venv from PyPI.
fn check_jsonschema(root: &Path, corpus: &Path, bin: &Path) -> Option<String> {
    let venv = root.join("target/bench/venv");
    let cj = venv.join("bin/check-jsonschema");
    if !cj.exists() {
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .ok()?
            .success()
            && Command::new(venv.join("bin/pip"))
                .args(["install", "-q", "check-jsonschema"])
                .status()
                .ok()?
                .success();
        if !ok {
            return Some(
                "\ncheck-jsonschema could not be installed; peer comparison skipped.\n".into(),
            );
        }
    }
    // A slice of the corpus: the peer is slow.
    let sub = corpus.join("ns-00");
    let files = yaml_files(&sub);
    let (dr, vs): (Vec<_>, Vec<_>) = files
        .iter()
        .partition(|f| f.to_string_lossy().ends_with("-dr.yaml"));
    let schemas = root.join("schemas/1.30.3");
    let start = Instant::now();
    for (schema, set) in [("destinationrule.json", &dr), ("virtualservice.json", &vs)] {
        let status = Command::new(&cj)
            .arg("--schemafile")
            .arg(schemas.join(schema))
            .args(set.iter())
            .output()
            .ok()?;
        if !status.status.success() {
            return Some(format!(
                "\ncheck-jsonschema failed: {}\n",
                String::from_utf8_lossy(&status.stdout)
            ));
        }
    }
    let peer = start.elapsed();
    let ours = best_of(5, || {
        run_measured(
            bin,
            &["check", "-j", "2", "--format", "concise", "-q"],
            &sub,
        );
    });
    Some(format!(
        "\nPeer on the same {} files (`ns-00`), same schemas, whole processes: check-jsonschema {:.0} ms, \
         istiolint {:.0} ms: **{:.0}x** faster.\n",
        files.len(),
        peer.as_secs_f64() * 1e3,
        ours.as_secs_f64() * 1e3,
        peer.as_secs_f64() / ours.as_secs_f64()
    ))
}
