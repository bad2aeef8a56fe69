//! Developer tasks. `cargo xtask gen-schemas [CRD_DIR]` regenerates `schemas/`
//! and `src/schema/bundled.rs` from Istio's CRD files; `cargo xtask gen-corpus
//! [SERVICES] [DIR]` writes a deterministic benchmark corpus.

mod bench;
mod gen_corpus;
mod gen_schemas;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    match args.first().map(String::as_str) {
        Some("gen-schemas") => {
            let crds = args
                .get(1)
                .map_or_else(|| root.join("../shared/istio-api"), PathBuf::from);
            match gen_schemas::generate(&crds) {
                Ok(out) => match out.write_to(&root) {
                    Ok(()) => {
                        for line in out.report {
                            eprintln!("{line}");
                        }
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        ExitCode::FAILURE
                    }
                },
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some("sync-readme") => {
            let path = root.join("README.md");
            let text = std::fs::read_to_string(&path).expect("README.md exists");
            let (start, end) = ("<!-- rules:start -->\n", "<!-- rules:end -->");
            let (Some(a), Some(b)) = (text.find(start), text.find(end)) else {
                eprintln!("error: README.md lacks the rules markers");
                return ExitCode::FAILURE;
            };
            let new = format!(
                "{}{}{}",
                &text[..a + start.len()],
                istiolint::rules::markdown_table(),
                &text[b..]
            );
            std::fs::write(&path, new).expect("README.md is writable");
            ExitCode::SUCCESS
        }
        Some("bench") => {
            let services = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(3000);
            match bench::run(&root, services) {
                Ok(table) => {
                    println!("{table}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some("bench-route") => {
            // Only the routing row of `bench` (no peer install, no release binary needed).
            let services = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(3000);
            let corpus = root.join(format!("target/bench/corpus-{services}"));
            if !corpus.exists() {
                if let Err(e) = gen_corpus::generate(services, &corpus) {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            }
            match bench::route_requests(&corpus, 10_000) {
                Ok(row) => {
                    println!("{row}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some("gen-corpus") => {
            let services = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(3000);
            let dir = args
                .get(2)
                .map_or_else(|| PathBuf::from("target/corpus"), PathBuf::from);
            match gen_corpus::generate(services, &dir) {
                Ok(bytes) => {
                    eprintln!("{services} services, {bytes} bytes in {}", dir.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: cargo xtask gen-schemas [CRD_DIR] | gen-corpus [SERVICES] [DIR] | sync-readme | bench [SERVICES] | bench-route [SERVICES]");
            ExitCode::from(2)
        }
    }
}
