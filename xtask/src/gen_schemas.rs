//! CRD OpenAPI → JSON Schema (draft 2020-12), normalised for what plain JSON
//! Schema gets wrong about Kubernetes OpenAPI:
//! - `nullable: true` becomes a `"null"` type;
//! - `x-kubernetes-int-or-string` becomes `anyOf: [integer, string]`;
//! - objects with `properties` reject unknown fields unless
//!   `x-kubernetes-preserve-unknown-fields` says otherwise;
//! - `int32`/`uint32`/`int64`/`uint64` formats become `minimum`/`maximum`;
//! - Istio's "at most one of" `oneOf` pattern becomes `x-istiolint-exclusive`
//!   (so the message can name the fields);
//! - `x-kubernetes-validations` (CEL) become `x-istiolint-cel`, every rule
//!   evaluated by istiolint (src/schema/cel.rs);
//! - the CRD's top-level `required` (`spec`) is kept.
//!
//! Descriptions are dropped. Output is deterministic: same CRDs, same bytes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

pub struct Output {
    /// Relative path → contents.
    pub files: BTreeMap<PathBuf, String>,
    pub report: Vec<String>,
}

impl Output {
    pub fn write_to(&self, root: &Path) -> std::io::Result<()> {
        // Regenerated: the release directories. Kept: the rest of schemas/
        // (output/, the JSON Schemas of our own outputs).
        let schemas = root.join("schemas");
        if schemas.exists() {
            for entry in fs::read_dir(&schemas)? {
                let path = entry?.path();
                let release = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.split('.').count() == 3 && n.split('.').all(|p| p.parse::<u64>().is_ok())
                });
                if release && path.is_dir() {
                    fs::remove_dir_all(&path)?;
                }
            }
        }
        for (rel, text) in &self.files {
            let path = root.join(rel);
            fs::create_dir_all(path.parent().expect("relative paths have parents"))?;
            fs::write(path, text)?;
        }
        Ok(())
    }
}

const GROUP: &str = "networking.istio.io";

pub fn generate(crd_dir: &Path) -> Result<Output, String> {
    let mut inputs: Vec<(String, PathBuf)> = fs::read_dir(crd_dir)
        .map_err(|e| format!("{}: {e}", crd_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?;
            let release = name
                .strip_prefix("crds-")?
                .strip_suffix(".yaml")?
                .to_string();
            Some((release, p))
        })
        .collect();
    if inputs.is_empty() {
        return Err(format!(
            "no crds-<release>.yaml files in {}",
            crd_dir.display()
        ));
    }
    inputs.sort_by_key(|(release, _)| version_key(release));

    let mut files = BTreeMap::new();
    let mut report = Vec::new();
    let mut table = String::new();
    let mut index = Map::new();
    for (release, path) in &inputs {
        let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut kinds = Map::new();
        for crd in crds(&text, path)? {
            let spec = &crd["spec"];
            if spec["group"] != GROUP {
                continue;
            }
            let kind = spec["names"]["kind"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            // Group served versions by identical schema.
            let mut groups: Vec<(String, Vec<String>)> = Vec::new();
            for v in spec["versions"].as_array().into_iter().flatten() {
                if v["served"] != Value::Bool(true) {
                    continue;
                }
                let name = v["name"].as_str().unwrap_or_default().to_string();
                let mut cel = Vec::new();
                let schema = object_schema(&kind, &v["schema"]["openAPIV3Schema"], &mut cel);
                let text = serde_json::to_string_pretty(&schema).expect("serialisable") + "\n";
                for rule in cel {
                    let line = format!(
                        "{release} {kind}: CEL rule (evaluated by src/schema/cel.rs): {rule}"
                    );
                    if !report.contains(&line) {
                        report.push(line);
                    }
                }
                match groups.iter_mut().find(|(t, _)| *t == text) {
                    Some((_, versions)) => versions.push(name),
                    None => groups.push((text, vec![name])),
                }
            }
            let split = groups.len() > 1;
            let mut entries = Vec::new();
            for (text, mut versions) in groups {
                versions.sort();
                let file = if split {
                    format!(
                        "{}/{}.{}.json",
                        release,
                        kind.to_lowercase(),
                        versions.join("-")
                    )
                } else {
                    format!("{}/{}.json", release, kind.to_lowercase())
                };
                table.push_str(&format!(
                    "    BundledSchema {{\n        release: {release:?},\n        kind: {kind:?},\n        versions: &{versions:?},\n        json: include_str!(\"../../schemas/{file}\"),\n    }},\n"
                ));
                entries.push(json!({"versions": versions, "file": file}));
                files.insert(PathBuf::from("schemas").join(&file), text);
            }
            kinds.insert(kind, Value::Array(entries));
        }
        index.insert(release.clone(), Value::Object(kinds));
    }
    files.insert(
        PathBuf::from("schemas/index.json"),
        serde_json::to_string_pretty(&json!({
            "generator": "cargo xtask gen-schemas",
            "source": "Istio CRDs (Apache-2.0), crds-<release>.yaml",
            "releases": index,
        }))
        .expect("serialisable")
            + "\n",
    );
    files.insert(
        PathBuf::from("src/schema/bundled.rs"),
        format!(
            "// @generated by `cargo xtask gen-schemas` from Istio's CRDs; do not edit.\n\n\
             /// One bundled JSON Schema: a kind at an Istio release, for the API\n\
             /// versions that share it.\n\
             pub struct BundledSchema {{\n    pub release: &'static str,\n    pub kind: &'static str,\n    pub versions: &'static [&'static str],\n    pub json: &'static str,\n}}\n\n\
             pub static SCHEMAS: &[BundledSchema] = &[\n{table}];\n"
        ),
    );
    Ok(Output { files, report })
}

fn crds(text: &str, path: &Path) -> Result<Vec<Value>, String> {
    let limits = istiolint::yaml::Limits {
        max_depth: 512,
        ..Default::default()
    };
    let out = istiolint::yaml::parse_stream(text, limits);
    if out.aborted {
        return Err(format!(
            "{}: cannot parse: {:?}",
            path.display(),
            out.issues.last()
        ));
    }
    Ok(out
        .documents
        .iter()
        .filter_map(|d| d.root.as_ref().map(|n| n.to_json()))
        .filter(|v| v["kind"] == "CustomResourceDefinition")
        .collect())
}

fn version_key(release: &str) -> Vec<u64> {
    release.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// The whole object: apiVersion, kind, metadata (loosely), spec, status.
fn object_schema(kind: &str, openapi: &Value, cel: &mut Vec<String>) -> Value {
    let spec = convert(&openapi["properties"]["spec"], cel);
    let string_map =
        json!({"type": ["object", "null"], "additionalProperties": {"type": "string"}});
    let mut out = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": kind,
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "generateName": {"type": "string"},
                    "namespace": {"type": "string"},
                    "labels": string_map,
                    "annotations": string_map,
                }
            },
            "spec": spec,
            "status": {},
        },
        "additionalProperties": false,
    });
    // The CRD's own `required` at the top (`spec` for most kinds): the API
    // server rejects a ServiceEntry without one.
    let required: Vec<Value> = openapi["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| {
            r.as_str()
                .is_some_and(|r| out["properties"].get(r).is_some())
        })
        .cloned()
        .collect();
    if !required.is_empty() {
        out["required"] = Value::Array(required);
    }
    out
}

fn convert(node: &Value, cel: &mut Vec<String>) -> Value {
    match node {
        Value::Array(items) => Value::Array(items.iter().map(|v| convert(v, cel)).collect()),
        Value::Object(map) => convert_schema(map, cel),
        other => other.clone(),
    }
}

fn convert_schema(map: &Map<String, Value>, cel: &mut Vec<String>) -> Value {
    let mut out = Map::new();
    let preserve = map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    let nullable = map.get("nullable") == Some(&Value::Bool(true));
    for (k, v) in map {
        match k.as_str() {
            "description" | "nullable" | "x-kubernetes-preserve-unknown-fields" | "format" => {}
            "x-kubernetes-int-or-string" => {
                if !map.contains_key("anyOf") {
                    out.insert(
                        "anyOf".into(),
                        json!([{"type": "integer"}, {"type": "string"}]),
                    );
                }
            }
            "x-kubernetes-validations" => {
                let rules: Vec<Value> = v
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| {
                        cel.push(r["rule"].as_str().unwrap_or_default().to_string());
                        json!({"rule": r["rule"], "message": r["message"]})
                    })
                    .collect();
                out.insert("x-istiolint-cel".into(), Value::Array(rules));
            }
            "properties" => {
                let props = v
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, s)| (name.clone(), convert(s, cel)))
                    .collect();
                out.insert(k.clone(), Value::Object(props));
            }
            "oneOf" => match exclusive_fields(v) {
                Some(fields) => {
                    out.insert("x-istiolint-exclusive".into(), json!(fields));
                }
                None => {
                    out.insert(k.clone(), convert(v, cel));
                }
            },
            "allOf" => {
                // allOf of exclusive groups: one keyword holding each group.
                let groups: Option<Vec<Vec<String>>> = v
                    .as_array()
                    .map(|a| a.iter().map(|s| exclusive_fields(&s["oneOf"])).collect())
                    .unwrap_or(None);
                match groups {
                    Some(groups) => {
                        out.insert("x-istiolint-exclusive-groups".into(), json!(groups));
                    }
                    None => {
                        out.insert(k.clone(), convert(v, cel));
                    }
                }
            }
            _ => {
                out.insert(k.clone(), convert(v, cel));
            }
        }
    }
    if let Some(fmt) = map.get("format").and_then(Value::as_str) {
        let bounds: Option<(i64, u64)> = match fmt {
            "int32" => Some((i32::MIN as i64, i32::MAX as u64)),
            "uint32" => Some((0, u32::MAX as u64)),
            "int64" => Some((i64::MIN, i64::MAX as u64)),
            "uint64" => Some((0, u64::MAX)),
            _ => None,
        };
        if let Some((lo, hi)) = bounds {
            out.entry("minimum").or_insert(json!(lo));
            out.entry("maximum").or_insert(json!(hi));
        }
    }
    if nullable {
        if let Some(Value::String(t)) = out.get("type").cloned() {
            out.insert("type".into(), json!([t, "null"]));
        }
    }
    let is_object = out.get("type").is_some_and(|t| {
        t == "object" || t.as_array().is_some_and(|a| a.contains(&json!("object")))
    });
    if is_object
        && !preserve
        && out.contains_key("properties")
        && !out.contains_key("additionalProperties")
    {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    Value::Object(out)
}

/// Recognises `oneOf: [{not: {anyOf: [{required: [a]}, …]}}, {required: [a]}, …]`,
/// Istio's encoding of "at most one of a, b, …".
fn exclusive_fields(one_of: &Value) -> Option<Vec<String>> {
    let arms = one_of.as_array()?;
    let (first, rest) = arms.split_first()?;
    let inner = first.get("not")?.get("anyOf")?.as_array()?;
    let names = |list: &[Value]| -> Option<Vec<String>> {
        list.iter()
            .map(|r| {
                let req = r.get("required")?.as_array()?;
                (req.len() == 1 && r.as_object()?.len() == 1)
                    .then(|| req[0].as_str().map(str::to_string))?
            })
            .collect()
    };
    let a = names(inner)?;
    let b = names(rest)?;
    (a == b && !a.is_empty()).then_some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checked-in schemas are exactly what the generator produces.
    #[test]
    fn bundled_schemas_are_up_to_date() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        // The repository's own copy: this test cannot skip for want of CRDs.
        let out = generate(&root.join("testdata/istio-api")).unwrap();
        for (rel, text) in &out.files {
            let on_disk = fs::read_to_string(root.join(rel)).unwrap_or_default();
            assert!(
                on_disk == *text,
                "{} is stale: run `cargo xtask gen-schemas`",
                rel.display()
            );
        }
        // schemas/output holds istiolint's own output schemas, not generated.
        let count = fs::read_dir(root.join("schemas"))
            .unwrap()
            .flatten()
            .filter(|d| d.file_name() != "output")
            .flat_map(|d| fs::read_dir(d.path()).into_iter().flatten())
            .count();
        assert_eq!(
            count,
            out.files.len() - 2,
            "schemas/ holds files the generator did not write"
        );
    }

    #[test]
    fn normalisations() {
        let mut cel = Vec::new();
        let s = convert(
            &json!({
                "type": "object",
                "description": "x",
                "properties": {
                    "n": {"type": "integer", "format": "uint32", "nullable": true},
                    "d": {"type": "string", "x-kubernetes-validations": [{"rule": "duration(self) >= duration('1ms')", "message": "m"}]},
                    "p": {"type": "object", "properties": {"a": {"type": "string"}}, "x-kubernetes-preserve-unknown-fields": true}
                },
                "oneOf": [{"not": {"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}}, {"required": ["a"]}, {"required": ["b"]}]
            }),
            &mut cel,
        );
        assert_eq!(
            s,
            json!({
                "type": "object",
                "properties": {
                    "n": {"type": ["integer", "null"], "minimum": 0, "maximum": 4294967295u64},
                    "d": {"type": "string", "x-istiolint-cel": [{"rule": "duration(self) >= duration('1ms')", "message": "m"}]},
                    "p": {"type": "object", "properties": {"a": {"type": "string"}}}
                },
                "x-istiolint-exclusive": ["a", "b"],
                "additionalProperties": false
            })
        );
        assert_eq!(cel.len(), 1);
    }
}
