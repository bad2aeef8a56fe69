//! IL7008: server TLS settings Istio's webhook rejects (validateTLSOptions).

use crate::diagnostic::Finding;
use crate::model::ServerTls;
use crate::rules::gateway::{gateway, set, GW};
use crate::rules::{rule, ObjectContext};

rule!(
    SERVER_TLS,
    "IL7008",
    "server-tls-invalid",
    Error,
    Gateway,
    GW,
    "Server TLS without the certificates its mode needs, or with several certificate sources",
    "## What it checks
`servers[].tls` as Istio's webhook does:
- SIMPLE, MUTUAL and OPTIONAL_MUTUAL need a `credentialName` (or `credentialNames`), or else a
  `serverCertificate` and a `privateKey` (or `tlsCertificates` entries with both); MUTUAL and
  OPTIONAL_MUTUAL with files also need `caCertificates` (the client CA bundle);
- only one certificate source: `credentialName`, `credentialNames`,
  `serverCertificate`/`privateKey` or `tlsCertificates`;
- ISTIO_MUTUAL takes no certificate, key, CA bundle or credential (the mesh's are used);
- `caCrl` is not supported with SIMPLE, nor with `credentialName` (put the CRL in the secret).

## Example
```yaml
tls:
  mode: SIMPLE               # IL7008: SIMPLE TLS requires a server certificate
```
```yaml
tls:
  mode: SIMPLE
  credentialName: bookinfo-cert   # a kubernetes.io/tls Secret in the gateway's namespace
```
Istio: validation.go `validateTLSOptions`.
",
    help: "with SIMPLE or MUTUAL, set credentialName to a TLS Secret in the gateway workload's namespace",
    check: crate::rules::Check::Object(check)
);

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(g) = gateway(ctx) else { return };
    for tls in g.servers.iter().filter_map(|s| s.tls.as_ref()) {
        for (pointer, message) in tls_errors(tls) {
            let f = Finding::new(&SERVER_TLS, pointer, message);
            // Errors about the block as a whole underline its key.
            out.push(if f.pointer == tls.at.pointer {
                f.on_key()
            } else {
                f
            });
        }
    }
}

fn tls_errors(tls: &ServerTls) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    let mode = tls.mode.as_deref().map_or("PASSTHROUGH", String::as_str);
    let at_mode = tls.mode.as_ref().map_or(&tls.at, |m| &m.at).pointer.clone();
    if mode == "ISTIO_MUTUAL" {
        let fields = [
            (&tls.server_certificate, "server certificate"),
            (&tls.private_key, "private key"),
            (&tls.ca_certificates, "CA bundle"),
        ];
        for (field, what) in fields {
            if let Some(f) = field.as_ref().filter(|f| !f.is_empty()) {
                let message = format!("ISTIO_MUTUAL TLS cannot have associated {what}");
                errors.push((f.at.pointer.clone(), message));
            }
        }
        if let Some(c) = tls.tls_certificates.first() {
            let message = "ISTIO_MUTUAL TLS cannot have associated tlsCertificates";
            errors.push((c.at.pointer.clone(), message.into()));
        }
        if let Some(c) = tls.credential_name.as_ref().filter(|c| !c.is_empty()) {
            let message = "ISTIO_MUTUAL TLS cannot have associated credentialName";
            errors.push((c.at.pointer.clone(), message.into()));
        }
        if let Some(c) = tls.credential_names.first() {
            let message = "ISTIO_MUTUAL TLS cannot have associated credentialNames";
            errors.push((c.at.pointer.clone(), message.into()));
        }
        return errors;
    }
    let files = set(&tls.server_certificate) && set(&tls.private_key);
    let credential = set(&tls.credential_name);
    let sources = [
        files,
        credential,
        !tls.credential_names.is_empty(),
        !tls.tls_certificates.is_empty(),
    ];
    if sources.iter().filter(|s| **s).count() > 1 {
        let message = "only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified";
        errors.push((tls.at.pointer.clone(), message.into()));
    }
    let terminating = matches!(mode, "SIMPLE" | "MUTUAL" | "OPTIONAL_MUTUAL");
    if terminating && (credential || !tls.credential_names.is_empty()) {
        // The certificates come from the Secret(s).
        return errors;
    }
    if terminating {
        let prefix = if mode == "SIMPLE" {
            "SIMPLE TLS"
        } else {
            "MUTUAL TLS"
        };
        if mode != "SIMPLE" && !set(&tls.ca_certificates) {
            errors.push((
                at_mode.clone(),
                format!("{prefix} requires a client CA bundle"),
            ));
        }
        let mut certificates: Vec<(bool, bool, String)> = tls
            .tls_certificates
            .iter()
            .map(|c| {
                let pointer = c.at.pointer.clone();
                (set(&c.server_certificate), set(&c.private_key), pointer)
            })
            .collect();
        if certificates.is_empty() {
            let own = (set(&tls.server_certificate), set(&tls.private_key));
            certificates.push((own.0, own.1, at_mode.clone()));
        }
        for (certificate, key, pointer) in certificates {
            if !certificate {
                let message = format!("{prefix} requires a server certificate");
                errors.push((pointer.clone(), message));
            }
            if !key {
                errors.push((pointer, format!("{prefix} requires a private key")));
            }
        }
    }
    if let Some(crl) = tls.ca_crl.as_ref().filter(|c| !c.is_empty()) {
        if credential {
            let message = "CRL is not supported with credentialName. CRL has to be specified in the credential";
            errors.push((crl.at.pointer.clone(), message.into()));
        }
        if mode == "SIMPLE" {
            let message = "CRL is not supported with SIMPLE TLS";
            errors.push((crl.at.pointer.clone(), message.into()));
        }
    }
    errors
}
