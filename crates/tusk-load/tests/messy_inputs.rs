//! Partial and messy inputs degrade to warnings and unknowns instead of
//! failing the run: a reference into a resource group the inputs do not
//! cover, a file PowerShell wrote in UTF-16, `az resource list` output,
//! a kustomize tree. What the inputs should hold and do not (a missing id
//! inside a covered resource group) stays an error.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tusk_load::{load_paths, load_sources};
use tusk_model::azure::Link;

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(p)
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tusk-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const VNET_A: &str = r#"[
  {"name": "v", "id": "/subscriptions/s/resourceGroups/rg-a/providers/Microsoft.Network/virtualNetworks/v",
   "type": "Microsoft.Network/virtualNetworks",
   "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
     "subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.1.0/24",
       "networkSecurityGroup": {"id": "NSG_ID"}}}]}},
  {"name": "nsg1", "id": "/subscriptions/s/resourceGroups/rg-a/providers/Microsoft.Network/networkSecurityGroups/nsg1",
   "type": "Microsoft.Network/networkSecurityGroups", "properties": {"securityRules": []}}
]"#;

fn with_nsg(id: &str) -> Vec<(Arc<str>, String)> {
    vec![(Arc::from("export.json"), VNET_A.replace("NSG_ID", id))]
}

#[test]
fn a_reference_into_a_resource_group_the_inputs_do_not_cover_is_a_warning_and_unknown() {
    for id in [
        "/subscriptions/s/resourceGroups/rg-b/providers/Microsoft.Network/networkSecurityGroups/shared",
        "/subscriptions/other/resourceGroups/rg-a/providers/Microsoft.Network/networkSecurityGroups/nsg1",
    ] {
        let l = load_sources(&with_nsg(id)).unwrap_or_else(|e| panic!("{id}: {e}"));
        let s = &l.estate.azure.subnets[0];
        assert!(matches!(&s.nsg, Some(Link::Absent(x)) if x.as_str() == id), "{:?}", s.nsg);
        assert!(
            l.warnings.iter().any(|w| w.message.contains("in a resource group the inputs do not cover")),
            "{:?}",
            l.warnings
        );
    }
}

#[test]
fn a_missing_id_inside_a_covered_resource_group_stays_an_error() {
    let id = "/subscriptions/s/resourceGroups/rg-a/providers/Microsoft.Network/networkSecurityGroups/nsg-typo";
    let e = load_sources(&with_nsg(id)).unwrap_err();
    assert!(e.message.contains("dangling reference"), "{e}");
    assert_eq!(e.loc.pos.line, 6);
    // Resource group names are case-insensitive in Azure.
    let e = load_sources(&with_nsg(&id.replace("rg-a", "RG-A"))).unwrap_err();
    assert!(e.message.contains("dangling reference"), "{e}");
}

#[test]
fn a_utf16_file_written_by_powershell_loads_like_its_utf8_twin() {
    let src = repo("tests/azure/fig3-hub-spoke/input/vnets.json");
    let text = std::fs::read_to_string(&src).unwrap();
    let d = temp_dir("utf16");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.replace('\n', "\r\n").encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(d.join("vnets.json"), bytes).unwrap();
    let a = load_paths(&[src]).unwrap().estate.azure;
    let b = load_paths(&[d.join("vnets.json")]).unwrap_or_else(|e| panic!("{e}")).estate.azure;
    let names = |n: &tusk_model::azure::AzureNetwork| {
        n.subnets.iter().map(|s| (s.id.as_str().to_string(), s.prefixes.clone())).collect::<Vec<_>>()
    };
    assert_eq!(names(&a), names(&b));
    assert_eq!(a.vnets.len(), 3);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn az_resource_list_output_is_reported_as_carrying_no_network_data() {
    let listing = r#"[
      {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub", "name": "hub",
       "type": "Microsoft.Network/virtualNetworks", "location": "westeurope", "properties": null, "kind": null, "sku": null,
       "changedTime": "2026-01-01T00:00:00Z", "resourceGroup": "rg", "tags": {}},
      {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg", "name": "nsg",
       "type": "Microsoft.Network/networkSecurityGroups", "location": "westeurope", "properties": null, "resourceGroup": "rg"}
    ]"#;
    let l = load_sources(&[(Arc::from("resources.json"), listing.into())]).unwrap();
    assert!(l.estate.azure.vnets.is_empty() && l.estate.azure.nsgs.is_empty(), "no empty VNets or NSGs");
    assert!(
        l.warnings.iter().any(|w| w.message.contains("`az resource list` output: its 2 resource(s)")),
        "{:?}",
        l.warnings
    );
}

#[test]
fn a_kustomize_tree_loads_its_manifests_and_skips_the_recipe_and_its_patches() {
    let d = temp_dir("kustomize");
    std::fs::write(
        d.join("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ns.yaml\npatches:\n- path: ./patch.yaml\npatchesStrategicMerge:\n- more/replicas.yaml\n",
    )
    .unwrap();
    std::fs::write(d.join("ns.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n").unwrap();
    std::fs::write(
        d.join("patch.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
    )
    .unwrap();
    std::fs::create_dir_all(d.join("more")).unwrap();
    std::fs::write(d.join("more/replicas.yaml"), "kind: Deployment\nmetadata:\n  name: web\n").unwrap();
    let l = load_paths(std::slice::from_ref(&d)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.estate.k8s.namespaces.len(), 1);
    let w: Vec<String> = l.warnings.iter().map(|w| w.to_string()).collect();
    assert!(w.iter().any(|w| w.contains("kustomization.yaml:1:1") && w.contains("kubectl kustomize")), "{w:#?}");
    assert!(w.iter().any(|w| w.contains("patch.yaml") && w.contains("patch named by a kustomization")), "{w:#?}");
    assert!(w.iter().any(|w| w.contains("replicas.yaml") && w.contains("patch named by a kustomization")), "{w:#?}");
    std::fs::remove_dir_all(&d).unwrap();
}

/// `../shared/realworld/...`, or `None` (skipped, or a failure under CI).
fn realworld(p: &str) -> Option<PathBuf> {
    tusk_testkit::shared(&format!("realworld/{p}"))
}

#[test]
fn real_recordings_with_references_into_other_resource_groups_load() {
    for shape in ["bodies", "az-shape"] {
        let Some(p) =
            realworld(&format!("azure-cli-recordings/{shape}/test_network_vnet_peering_different_resource_groups"))
        else {
            return;
        };
        let l = load_paths(&[p]).unwrap_or_else(|e| panic!("{shape}: {e}"));
        assert_eq!(l.estate.azure.vnets.len(), 2, "{shape}");
        // The load balancer recording references public IPs of three other
        // groups (warnings) and PublicIPlb1 of its own group, which the
        // recording does not hold: that one is still an error.
        let p = realworld(&format!("azure-cli-recordings/{shape}/test_network_lb")).unwrap();
        let e = load_paths(&[p]).unwrap_err();
        assert!(e.message.contains("PublicIPlb1"), "{shape}: {e}");
    }
}

#[test]
fn the_real_kustomize_tree_of_online_boutique_loads() {
    let Some(p) = realworld("online-boutique/kustomize") else { return };
    let l = load_paths(&[p]).unwrap_or_else(|e| panic!("{e}"));
    assert!(!l.estate.k8s.pods.is_empty());
    assert!(l.warnings.iter().any(|w| w.message.contains("kubectl kustomize")));
}

#[test]
fn a_kustomization_document_under_another_file_name_is_skipped_too() {
    let text = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n";
    let l = load_sources(&[(Arc::from("all.yaml"), text.into())]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.estate.k8s.namespaces.len(), 1);
    assert!(
        l.warnings.iter().any(|w| w.loc.pos.line == 1 && w.message.contains("kubectl kustomize")),
        "{:?}",
        l.warnings
    );
}
