//! Client TLS without a CA to verify the server (Istio IST0128/IST0129).

use crate::diagnostic::Finding;
use crate::model::Model;
use crate::rules::rule;
use crate::rules::ObjectContext;
use crate::schema::IstioVersion;

rule!(
    NO_SERVER_VERIFICATION,
    "IL3017",
    "tls-without-ca-certificates",
    Info,
    DestinationRule,
    &["DestinationRule"],
    "TLS mode SIMPLE or MUTUAL without caCertificates to verify the server",
    "## What it checks
A `tls` block (top level, subset or port level) with `mode: SIMPLE` or `MUTUAL` and no
`caCertificates`, unless it is a gateway's rule (`workloadSelector`) taking its certificates
from `credentialName`. Istio IST0128 / IST0129.

## Why it matters
Before Istio 1.20 the proxy then does not verify the server's certificate at all: any server
can impersonate the destination. From 1.20 (`VERIFY_CERTIFICATE_AT_CLIENT`) the proxy falls back
to the system's CA bundle, which trusts every public CA, so this is reported as info there.

## Example
```yaml
tls:
  mode: SIMPLE                      # IL3017
  caCertificates: /etc/certs/ca.pem # verifies the server
  subjectAltNames: [api.example.com]
```
",
    check: crate::rules::Check::Object(check),
    severity_before: Some((SYSTEM_CA_SINCE, crate::diagnostic::Severity::Warning))
);

/// Istio 1.20 verifies servers with the system CA bundle by default.
const SYSTEM_CA_SINCE: IstioVersion = IstioVersion::new(1, 20, 0);

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(Model::DestinationRule(dr)) = ctx.model() else {
        return;
    };
    let (version, policies) = (ctx.version(), ctx.policies());
    // A gateway's DestinationRule (with a workload selector) may verify with credentialName.
    let gateway = dr.workload_selector.is_some();
    let host = dr.host.as_ref().map_or("", |h| h.as_str());
    for tp in policies {
        let tls = tp.json.get("tls");
        let Some(mode) = tls["mode"]
            .as_str()
            .filter(|m| matches!(*m, "SIMPLE" | "MUTUAL"))
        else {
            continue;
        };
        let given = |k: &str| tls[k].as_str().is_some_and(|s| !s.is_empty());
        if given("caCertificates") || gateway && given("credentialName") {
            continue;
        }
        let mut f = Finding::new(
            &NO_SERVER_VERIFICATION,
            tls.get("mode"),
            format!("TLS mode {mode} for `{host}` without caCertificates"),
        )
        .help("set caCertificates (and subjectAltNames) to the CA that signs the server's certificate");
        if version < SYSTEM_CA_SINCE {
            f.message.push_str(&format!(
                ": Istio {version} does not verify the server's identity"
            ));
        } else {
            f.message
                .push_str(": the server is verified only against the system's public CAs");
        }
        out.push(f);
    }
}
