//! IL7010: server TLS settings Istio accepts with a warning and ignores
//! (validateTLSOptions' warnings).

use std::collections::HashSet;

use crate::diagnostic::Finding;
use crate::rules::gateway::{gateway, set, GW};
use crate::rules::{rule, ObjectContext};

rule!(
    TLS_IGNORED,
    "IL7010",
    "server-tls-setting-ignored",
    Warning,
    Gateway,
    GW,
    "Server TLS settings Istio ignores: unknown or repeated cipher suites, certificates on PASSTHROUGH",
    "## What it checks
What Istio's webhook accepts with a warning in `servers[].tls`:
- `cipherSuites` entries that BoringSSL does not know (`ignoring invalid cipher suites`) or that
  are repeated; entries starting with `-`, `+`, `!` or `[` are operators and are accepted;
- certificates, keys, CA bundles, CRLs or credentials on a PASSTHROUGH or AUTO_PASSTHROUGH
  server (they are not used); a `tls` without `mode` is PASSTHROUGH;
- `minProtocolVersion` TLSV1_0 or TLSV1_1 without `cipherSuites`: Envoy's default ciphers no
  longer include ones those versions can use.

## Why it matters
A `tls: {credentialName: my-cert}` without `mode: SIMPLE` is the common case: the server
passes TLS through instead of terminating it, and the certificate is never served.

## Example
```yaml
tls:
  credentialName: bookinfo-cert   # IL7010: PASSTHROUGH mode does not use certificates
```
Istio: validation.go `validateTLSOptions`; pkg/config/security `ValidCipherSuites`.
",
    help: "set the mode that uses the certificate (SIMPLE), or drop what is ignored",
    check: crate::rules::Check::Object(check)
);

/// BoringSSL's cipher suites that Gateways take (pkg/config/security).
const CIPHER_SUITES: &[&str] = &[
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-ECDSA-AES256-SHA",
    "ECDHE-RSA-AES256-SHA",
    "AES128-GCM-SHA256",
    "AES256-GCM-SHA384",
    "AES128-SHA",
    "AES256-SHA",
    "DES-CBC3-SHA",
];

/// `IsValidCipherSuite`: operators (`-X`, `+X`, `!X`, `[X|Y]`) are not parsed.
fn valid_cipher(cs: &str) -> bool {
    let operator = cs.chars().next().is_some_and(|c| !c.is_alphanumeric());
    cs.is_empty() || cs == "ALL" || operator || CIPHER_SUITES.contains(&cs)
}

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(g) = gateway(ctx) else { return };
    for tls in g.servers.iter().filter_map(|s| s.tls.as_ref()) {
        let mut push = |pointer: &str, message: String| {
            out.push(Finding::new(&TLS_IGNORED, pointer, message));
        };
        if let Some(min) = &tls.min_protocol_version {
            if matches!(min.as_str(), "TLSV1_0" | "TLSV1_1") && tls.cipher_suites.is_empty() {
                push(&min.at.pointer, "TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.".into());
            }
        }
        let mut seen = HashSet::new();
        for cs in &tls.cipher_suites {
            if !valid_cipher(cs) {
                push(
                    &cs.at.pointer,
                    format!("ignoring invalid cipher suite {:?}", cs.value),
                );
            } else if !seen.insert(cs.as_str()) {
                push(
                    &cs.at.pointer,
                    format!("ignoring duplicate cipher suite {:?}", cs.value),
                );
            }
        }
        let mode = tls.mode.as_deref().map_or("PASSTHROUGH", String::as_str);
        if !matches!(mode, "PASSTHROUGH" | "AUTO_PASSTHROUGH") {
            continue;
        }
        let certificates = set(&tls.ca_crl)
            || set(&tls.server_certificate)
            || set(&tls.private_key)
            || set(&tls.ca_certificates)
            || set(&tls.credential_name)
            || !tls.tls_certificates.is_empty()
            || !tls.credential_names.is_empty();
        if certificates {
            let message = match tls.mode {
                Some(_) => format!("{mode} mode does not use certificates, they will be ignored"),
                None => {
                    "tls without a mode is PASSTHROUGH, which does not use certificates: they will be ignored"
                        .to_string()
                }
            };
            match &tls.mode {
                Some(m) => push(&m.at.pointer, message),
                // The `tls` key: the mode is what is missing.
                None => {
                    out.push(Finding::new(&TLS_IGNORED, tls.at.pointer.clone(), message).on_key())
                }
            }
        }
    }
}
