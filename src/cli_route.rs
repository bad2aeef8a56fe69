//! `istiolint route` (where one request goes) and `istiolint test` (routing
//! test files). Exit codes: route 0 whatever the answer, 2 on bad input;
//! test 0 all pass, 1 a failure, 2 a bad test file or bad input.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, ValueEnum};

use crate::cli::io_error;
use crate::diagnostic::Severity;
use crate::model::Inventory;
use crate::route::outcome::Outcome;
use crate::route::request::{
    add_header, parse_header, parse_labels, split_host_port, Origin, Request,
};
use crate::route::testrun::CaseResult;
use crate::route::{self, testfile, World};

#[derive(Args, Debug)]
pub struct RouteArgs {
    /// Manifests: files, directories or `-`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The host the request is sent to (a short name is in --source-namespace).
    #[arg(long)]
    pub host: String,
    /// The port the request is sent to [default: 80, or the port in --host].
    #[arg(long)]
    pub port: Option<u32>,
    /// The path, with its query string (`/api?user=jason`).
    #[arg(long, default_value = "/")]
    pub path: String,
    #[arg(long, default_value = "GET")]
    pub method: String,
    /// A request header, `name: value` (repeatable).
    #[arg(long, value_name = "'NAME: VALUE'")]
    pub header: Vec<String>,
    #[arg(long, value_enum, default_value_t = Scheme::Http)]
    pub scheme: Scheme,
    /// Enter through the workload this Istio Gateway selects.
    #[arg(long, value_name = "NAMESPACE/NAME")]
    pub gateway: Option<String>,
    /// Labels of the sending pod, `k=v,k2=v2`.
    #[arg(long, value_name = "K=V,...")]
    pub source_labels: Option<String>,
    /// Namespace of the sending pod [default: -n].
    #[arg(long, value_name = "NS")]
    pub source_namespace: Option<String>,
    /// Namespace of objects that name none.
    #[arg(short, long, default_value = "default")]
    pub namespace: String,
    #[arg(long, value_enum, default_value_t = RouteFormat::Human)]
    pub format: RouteFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Scheme {
    Http,
    Https,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RouteFormat {
    Human,
    Json,
}

#[derive(Args, Debug)]
pub struct TestArgs {
    /// A test file or directory of them (repeatable): istio-config-validator's
    /// `testCases:` or istiolint's `tests:`.
    #[arg(short = 't', long = "tests", value_name = "TESTS", required = true)]
    pub tests: Vec<PathBuf>,
    /// Manifests: files, directories or `-`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Namespace of objects that name none, and of the requests' sources.
    #[arg(short, long, default_value = "default")]
    pub namespace: String,
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Human,
    Json,
    Junit,
}

/// Reads the manifests; an error-level problem in them is bad input.
fn load(paths: &[PathBuf], namespace: &str) -> Result<World, String> {
    let (inventory, problems) =
        Inventory::load(paths, crate::yaml::Limits::default()).map_err(|e| e.0)?;
    if let Some(d) = problems.iter().find(|d| d.severity == Severity::Error) {
        let (line, col) = d.span.map_or((1, 1), |s| (s.line, s.col));
        return Err(format!("{}:{line}:{col}: {}", d.file, d.message));
    }
    Ok(route::load::world(&inventory, namespace))
}

fn request(args: &RouteArgs) -> Result<Request, String> {
    let (host, host_port) = split_host_port(&args.host);
    if host.is_empty() {
        return Err("--host is empty".into());
    }
    let mut headers = Vec::new();
    for h in &args.header {
        let (name, value) = parse_header(h)?;
        add_header(&mut headers, &name, &value);
    }
    let origin = match &args.gateway {
        Some(g) => {
            let Some((ns, name)) = g
                .split_once('/')
                .filter(|(a, b)| !a.is_empty() && !b.is_empty())
            else {
                return Err(format!("--gateway `{g}` is not NAMESPACE/NAME"));
            };
            Origin::Gateway {
                namespace: ns.to_string(),
                name: name.to_string(),
            }
        }
        None => Origin::Sidecar {
            namespace: args
                .source_namespace
                .clone()
                .unwrap_or_else(|| args.namespace.clone()),
            labels: match &args.source_labels {
                Some(l) => parse_labels(l)?,
                None => Vec::new(),
            },
        },
    };
    let port = args.port.or(host_port).unwrap_or(80);
    if !(1..=65535).contains(&port) {
        return Err(format!("--port {port} is not a port (1-65535)"));
    }
    if !args.path.starts_with('/') {
        return Err(format!("--path `{}` does not start with /", args.path));
    }
    Ok(Request {
        host: host.to_string(),
        port,
        path: args.path.clone(),
        method: args.method.clone(),
        scheme: match args.scheme {
            Scheme::Http => "http".into(),
            Scheme::Https => "https".into(),
        },
        headers,
        origin,
    })
}

pub fn run_route(args: RouteArgs, out: &mut dyn Write) -> Result<ExitCode, String> {
    let req = request(&args)?;
    let world = load(&args.paths, &args.namespace)?;
    let outcome = route::route(&world, &req)?;
    let text = match args.format {
        RouteFormat::Json => {
            serde_json::to_string_pretty(&outcome.to_json()).unwrap_or_default() + "\n"
        }
        RouteFormat::Human => human(&outcome),
    };
    out.write_all(text.as_bytes()).map_err(io_error)?;
    Ok(ExitCode::SUCCESS)
}

/// Control and invisible characters from manifests are shown escaped, so a
/// value cannot rewrite the terminal.
pub fn clean(s: &str) -> String {
    crate::report::escape::visible(s).into_owned()
}

/// Appends one line of output, cleaned.
fn line(s: &mut String, text: String) {
    s.push_str(&clean(&text));
    s.push('\n');
}

fn compact(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The decision, what the answer carries, then the trace.
pub fn human(o: &Outcome) -> String {
    let mut s = String::new();
    line(&mut s, o.decision.clone());
    for (d, c) in o.destinations.iter().zip(&o.clusters) {
        let subset = d
            .subset
            .as_ref()
            .map_or(String::new(), |s| format!(" subset {s}"));
        line(
            &mut s,
            format!("  {:>6}% -> {}{subset}  [{c}]", d.percent, d.host),
        );
    }
    if o.destinations.is_empty() {
        for c in &o.clusters {
            line(&mut s, format!("  -> [{c}]"));
        }
    }
    let extras = [
        ("redirect", &o.redirect),
        ("directResponse", &o.direct_response),
        ("rewrite", &o.rewrite),
        ("timeout", &o.timeout),
        ("retries", &o.retries),
        ("fault", &o.fault),
        ("headers", &o.headers),
    ];
    for (k, v) in extras {
        if let Some(v) = v {
            line(&mut s, format!("  {k}: {}", compact(v)));
        }
    }
    for m in &o.mirrors {
        line(&mut s, format!("  mirror: {}", compact(m)));
    }
    s.push_str(&format!("  status: {}\n\nTrace:\n", o.status));
    for step in &o.trace {
        let at = step
            .at
            .as_ref()
            .map_or(String::new(), |a| format!(" ({a})"));
        line(&mut s, format!("  - {}{at}", step.text));
    }
    s
}

pub fn run_test(args: TestArgs, out: &mut dyn Write) -> Result<ExitCode, String> {
    let (inputs, problems) = crate::source::collect(&args.tests).map_err(|e| e.0)?;
    if let Some(d) = problems.first() {
        return Err(format!("{}: {}", d.file, d.message));
    }
    let mut cases = Vec::new();
    for input in &inputs {
        let src = crate::source::read(input).map_err(|d| format!("{}: {}", d.file, d.message))?;
        let name: Arc<str> = src.name.clone();
        cases.extend(testfile::parse(&name, &src.text).map_err(|e| e.0)?);
    }
    if cases.is_empty() {
        return Err("the test files hold no test case".into());
    }
    let world = load(&args.paths, &args.namespace)?;
    let results = route::testrun::run(&world, &cases, &args.namespace);
    let text = match args.format {
        TestFormat::Human => test_human(&results),
        TestFormat::Json => {
            serde_json::to_string_pretty(&test_json(&results)).unwrap_or_default() + "\n"
        }
        TestFormat::Junit => test_junit(&results),
    };
    out.write_all(text.as_bytes()).map_err(io_error)?;
    let failed = results.iter().any(|r| !r.failures.is_empty());
    Ok(ExitCode::from(u8::from(failed)))
}

fn test_human(results: &[CaseResult]) -> String {
    let mut s = String::new();
    let (mut requests, mut failed) = (0, 0);
    for r in results {
        requests += r.requests;
        let verdict = if r.failures.is_empty() {
            "PASS"
        } else {
            "FAIL"
        };
        line(
            &mut s,
            format!("{verdict} {}:{} {}", r.file, r.line, r.name),
        );
        if !r.failures.is_empty() {
            failed += 1;
        }
        for f in &r.failures {
            line(&mut s, format!("     {}", f.request));
            for m in &f.messages {
                line(&mut s, format!("       {m}"));
            }
            match &f.answered_by {
                Some(at) => line(&mut s, format!("       answered by the rule at {at}")),
                None => s.push_str("       no rule answered\n"),
            }
            for n in &f.notes {
                line(&mut s, format!("       {n}"));
            }
        }
    }
    s.push_str(&format!(
        "\n{} test case{} ({requests} request{}): {} passed, {failed} failed.\n",
        results.len(),
        if results.len() == 1 { "" } else { "s" },
        if requests == 1 { "" } else { "s" },
        results.len() - failed
    ));
    s
}

fn test_json(results: &[CaseResult]) -> serde_json::Value {
    let cases: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            serde_json::json!({
                "file": &*r.file, "line": r.line, "name": r.name, "requests": r.requests,
                "passed": r.failures.is_empty(),
                "failures": r.failures.iter().map(|f| serde_json::json!({
                    "request": f.request, "messages": f.messages,
                    "answered_by": f.answered_by, "notes": f.notes,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let failed = results.iter().filter(|r| !r.failures.is_empty()).count();
    serde_json::json!({
        "cases": cases,
        "summary": {"cases": results.len(), "passed": results.len() - failed, "failed": failed},
    })
}

fn test_junit(results: &[CaseResult]) -> String {
    let esc = crate::report::escape::xml;
    let mut files: Vec<&str> = results.iter().map(|r| &*r.file).collect();
    files.dedup();
    let total_failed = results.iter().filter(|r| !r.failures.is_empty()).count();
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"istiolint test\" tests=\"{}\" failures=\"{total_failed}\">\n",
        results.len()
    );
    for file in files {
        let mine: Vec<&CaseResult> = results.iter().filter(|r| &*r.file == file).collect();
        let failed = mine.iter().filter(|r| !r.failures.is_empty()).count();
        s.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\">\n",
            esc(file),
            mine.len()
        ));
        for r in mine {
            let name = format!("{}:{} {}", r.file, r.line, r.name);
            s.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\"",
                esc(&name),
                esc(file)
            ));
            if r.failures.is_empty() {
                s.push_str("/>\n");
                continue;
            }
            s.push_str(">\n");
            for f in &r.failures {
                let mut body = format!("{}: {}", f.request, f.messages.join("; "));
                if let Some(at) = &f.answered_by {
                    body.push_str(&format!("\nanswered by the rule at {at}"));
                }
                for n in &f.notes {
                    body.push_str(&format!("\n{n}"));
                }
                s.push_str(&format!(
                    "      <failure message=\"{}\">{}</failure>\n",
                    esc(&f.messages.join("; ")),
                    esc(&body)
                ));
            }
            s.push_str("    </testcase>\n");
        }
        s.push_str("  </testsuite>\n");
    }
    s.push_str("</testsuites>\n");
    s
}
