//! Explicit nulls the way the API server treats them (Kubernetes >= 1.20,
//! apiextensions-apiserver `PruneNonNullableNullsWithoutDefaults`): a null
//! object field whose schema is neither nullable nor defaulted is removed
//! before validation, so `trafficPolicy: null` or `match:` with no value is
//! accepted as if absent. Null list items are not pruned (the server then
//! rejects their type), nor fields without a schema; a pruned required field
//! is then missing, as the server reports it.

use serde_json::Value as Json;

use super::{lookup, release_for, IstioVersion, Lookup, GROUP};
use crate::objects::Object;

/// Prunes the object's JSON form in place, when its kind has a schema.
pub fn prune_object(object: &mut Object, version: IstioVersion) {
    if object.group != GROUP || !has_null(&object.json) {
        return;
    }
    if let Lookup::Found(compiled) = lookup(release_for(version), &object.kind, &object.version) {
        prune(&mut object.json, &compiled.schema);
    }
}

fn has_null(json: &Json) -> bool {
    match json {
        Json::Null => true,
        Json::Array(items) => items.iter().any(has_null),
        Json::Object(map) => map.values().any(has_null),
        _ => false,
    }
}

/// Removes non-nullable, non-defaulted nulls from `json` under `schema`.
pub fn prune(json: &mut Json, schema: &Json) {
    match json {
        Json::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                let Some(field) = field_schema(schema, &key) else {
                    continue;
                };
                if map[&key].is_null() && !nullable(field) && field.get("default").is_none() {
                    map.shift_remove(&key);
                } else if let Some(v) = map.get_mut(&key) {
                    prune(v, field);
                }
            }
        }
        Json::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    prune(item, item_schema);
                }
            }
        }
        _ => {}
    }
}

/// The schema of a field: its property, else the map's value schema.
fn field_schema<'a>(schema: &'a Json, key: &str) -> Option<&'a Json> {
    if let Some(p) = schema.get("properties").and_then(|p| p.get(key)) {
        return Some(p);
    }
    schema.get("additionalProperties").filter(|a| a.is_object())
}

/// `nullable: true` became a `null` type in the generated schemas.
fn nullable(schema: &Json) -> bool {
    match schema.get("type") {
        Some(Json::String(t)) => t == "null",
        Some(Json::Array(types)) => types.iter().any(|t| t == "null"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prunes_like_the_api_server() {
        let schema = json!({"type": "object", "properties": {
            "a": {"type": "object"},
            "b": {"type": ["object", "null"]},
            "c": {"type": "string", "default": "x"},
            "list": {"type": "array", "items": {"type": "object",
                "properties": {"m": {"type": "array"}}}},
            "map": {"type": "object", "additionalProperties": {"type": "string"}},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
        }});
        let mut doc = json!({"a": null, "b": null, "c": null, "unknown": null,
            "list": [null, {"m": null}], "map": {"k": null}, "free": {"z": null}});
        prune(&mut doc, &schema);
        assert_eq!(
            doc,
            json!({"b": null, "c": null, "unknown": null, "list": [null, {}],
                "map": {}, "free": {"z": null}})
        );
    }
}
