//! `docs/tusk-yaml.md` is the schema of `tusk.yaml`: every complete example
//! document on that page (a `yaml` block that starts with `apiVersion:`)
//! must load, so the page cannot drift from the loader.

use std::path::Path;
use std::sync::Arc;

#[test]
fn every_complete_example_in_the_schema_page_loads() {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/tusk-yaml.md");
    let text = std::fs::read_to_string(&page).unwrap();
    let mut n = 0;
    let mut rest = text.as_str();
    while let Some(start) = rest.find("```yaml\n") {
        let body = &rest[start + 8..];
        let end = body.find("```").expect("closed code block");
        let block = &body[..end];
        rest = &body[end + 3..];
        if !block.starts_with("apiVersion:") {
            continue;
        }
        let name: Arc<str> = Arc::from(format!("docs/tusk-yaml.md#example{n}"));
        let loaded = tusk_load::load_sources(&[(name, block.to_string())])
            .unwrap_or_else(|e| panic!("example {n} of docs/tusk-yaml.md does not load: {e}\n{block}"));
        // Each `- nic:` entry is one NVA (bound to nothing here, with a
        // warning: the example has no NICs beside it).
        assert_eq!(loaded.estate.config.nvas.len(), block.matches("\n- nic:").count(), "example {n}");
        n += 1;
    }
    assert!(n >= 2, "only {n} complete examples found in {}", page.display());
}
