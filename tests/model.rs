//! The traffic model over every fixture, and the Inventory over files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use istiolint::model::{build, Inventory, Loc, Locs, Model};
use istiolint::yaml::{parse_stream, Limits};

fn fixtures(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            fixtures(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(p);
        }
    }
}

/// Every location of every modelled value points, through `Node::lookup`,
/// at a node with that very span (a located key: at that key).
#[test]
fn every_location_of_every_fixture_resolves_to_its_span() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    fixtures(&root.join("testdata"), &mut files);
    fixtures(&root.join("examples"), &mut files);
    let (mut objects, mut checked) = (0, 0);
    let mut kinds = std::collections::HashSet::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue; // binary and invalid UTF-8 fixtures
        };
        let file: Arc<str> = Arc::from(path.display().to_string().as_str());
        for root in parse_stream(&text, Limits::default())
            .documents
            .into_iter()
            .filter_map(|d| d.root)
        {
            for object in istiolint::objects::extract(root) {
                let Some(model) = build(&object, &file) else {
                    continue;
                };
                objects += 1;
                kinds.insert(std::mem::discriminant(&model));
                let mut locs: Vec<&Loc> = Vec::new();
                model.locs(&mut locs);
                for loc in locs {
                    let (node, key) = object.node.lookup(&loc.pointer).unwrap_or_else(|| {
                        panic!("{file}: pointer {} does not resolve", loc.pointer)
                    });
                    let key = key.map(|k| k.span);
                    assert_eq!(loc.key, key, "{file}: key span of {}", loc.pointer);
                    let located_key = loc.key == Some(loc.span);
                    if !located_key {
                        assert_eq!(loc.span, node.span, "{file}: span of {}", loc.pointer);
                    }
                    checked += 1;
                }
            }
        }
    }
    eprintln!(
        "{} files, {objects} objects, {} kinds, {checked} locations",
        files.len(),
        kinds.len()
    );
    // Guards against a vacuous pass: the fixtures hold all these.
    assert!(files.len() > 90, "{} fixture files", files.len());
    assert!(objects > 150, "{objects} modelled objects");
    assert!(checked > 2000, "{checked} locations checked");
    assert!(kinds.len() >= 8, "{} kinds among the fixtures", kinds.len());
}

#[test]
fn inventory_loads_in_input_order_and_reports_parse_problems() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    let vs = |name: &str| {
        format!("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: {name}}}\nspec: {{hosts: [{name}]}}\n")
    };
    write("a.yaml", &format!("{}---\n{}", vs("a1"), vs("a2")));
    write(
        "b.yaml",
        &format!(
            "{}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  name: t\n",
            vs("b1")
        ),
    );
    write("c.yaml", "metadata: {name: {{ .Values.name }}}\n");
    write("d.yml", "kind: [\n");
    write("ignored.txt", &vs("never"));
    let (inventory, problems) =
        Inventory::load(&[dir.path().to_path_buf()], Limits::default()).unwrap();
    let names: Vec<&str> = inventory
        .virtual_services
        .iter()
        .map(|v| v.meta.name.as_deref().unwrap())
        .collect();
    assert_eq!(names, ["a1", "a2", "b1"]);
    assert_eq!(inventory.services.len(), 1);
    let seen: Vec<(String, &str, u32, u32)> = problems
        .iter()
        .map(|d| {
            let file = Path::new(d.file.as_ref())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            let span = d.span.unwrap();
            (file, d.rule.code, span.line, span.col)
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("b.yaml".to_string(), "IL1002", 10, 3),
            ("c.yaml".to_string(), "IL1003", 1, 18),
            ("d.yml".to_string(), "IL1001", 2, 1),
        ]
    );
    assert!(
        problems[0].message.contains("duplicate key `name`"),
        "{}",
        problems[0].message
    );
    // The same load twice gives the same result (parallel reading is ordered).
    let (again, _) = Inventory::load(&[dir.path().to_path_buf()], Limits::default()).unwrap();
    let names_again: Vec<_> = again
        .virtual_services
        .iter()
        .map(|v| v.meta.name.clone())
        .collect();
    assert_eq!(names_again.len(), 3);
    assert!(names_again
        .iter()
        .zip(&names)
        .all(|(a, b)| a.as_deref() == Some(*b)));
    assert!(Inventory::load(&[dir.path().join("missing")], Limits::default()).is_err());
}

#[test]
fn inventory_knows_namespaces_and_the_root_namespace() {
    let text = "\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: d, namespace: prod}
spec: {host: reviews}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data: {mesh: 'defaultConfig: {}'}
";
    let src = istiolint::source::Source {
        name: Arc::from("x.yaml"),
        text: Arc::from(text),
    };
    let (inventory, problems) = Inventory::from_source(&src, Limits::default());
    assert!(problems.is_empty());
    let known: Vec<&str> = inventory.known_namespaces().into_iter().collect();
    assert_eq!(known, ["istio-system", "prod", "shop"]);
    assert_eq!(inventory.root_namespace(), Some("istio-system"));
    let dr = &inventory.destination_rules[0];
    let host =
        istiolint::model::Host::resolve(dr.host.as_ref().unwrap(), dr.meta.namespace_or("default"));
    assert_eq!(host.as_str(), "reviews.prod.svc.cluster.local");
    assert!(matches!(
        istiolint::model::build(
            &istiolint::objects::extract(
                parse_stream(text, Limits::default())
                    .documents
                    .remove(0)
                    .root
                    .unwrap()
            )
            .remove(0),
            &src.name
        ),
        Some(Model::Namespace(_))
    ));
}
