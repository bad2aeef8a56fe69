//! A policy's client `tls` settings (Istio's `validateTLS`).

use super::push;
use crate::diagnostic::Finding;
use crate::model::JsonAt;
use crate::rules::rule;

rule!(
    TLS_INVALID,
    "IL3011",
    "client-tls-invalid",
    Error,
    DestinationRule,
    super::DR,
    "Client TLS settings Istio rejects",
    "## What it checks
`tls` in MUTUAL mode without `clientCertificate`/`privateKey` (and no `credentialName`);
`credentialName` together with certificate files; `insecureSkipVerify: true` with CA
certificates, SANs or a credential.
",
    help: "match the TLS fields to the mode: ISTIO_MUTUAL takes no certificates, MUTUAL needs a client certificate and key (or credentialName), insecureSkipVerify excludes CA and SANs",
    check: crate::rules::Check::SharedWith(&super::HOST_INVALID)
);

pub(super) fn check(t: &JsonAt, out: &mut Vec<Finding>) {
    if !t.is_object() {
        return;
    }
    let mode = t["mode"].as_str().unwrap_or("");
    let has = |k: &str| {
        t[k].as_str().is_some_and(|s| !s.is_empty())
            || t[k].as_array().is_some_and(|a| !a.is_empty())
    };
    if t["insecureSkipVerify"] == true {
        let skip = t.get("insecureSkipVerify");
        if mode == "SIMPLE"
            && (has("caCertificates") || has("credentialName") || has("subjectAltNames"))
        {
            push(out, &TLS_INVALID, &skip, "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true");
        }
        if mode == "MUTUAL" && (has("caCertificates") || has("subjectAltNames")) {
            push(out, &TLS_INVALID, &skip, "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true");
        }
    }
    if (mode == "SIMPLE" || mode == "MUTUAL") && has("credentialName") {
        if has("clientCertificate") || has("caCertificates") || has("privateKey") || has("caCrl") {
            push(out, &TLS_INVALID, t.get("credentialName"), "cannot specify client certificates or CA certificate or CA CRL If credentialName is set");
        }
        return;
    }
    if mode == "MUTUAL" {
        if !has("clientCertificate") {
            push(
                out,
                &TLS_INVALID,
                t,
                "client certificate required for mutual tls",
            );
        }
        if !has("privateKey") {
            push(out, &TLS_INVALID, t, "private key required for mutual tls");
        }
    }
}
