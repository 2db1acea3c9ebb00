//! A stable, in-process mutation fuzzer for the loaders (cargo-fuzz needs a
//! nightly toolchain). Inputs are the repository's test inputs and the shared
//! corpora, split by loader (Kubernetes manifests, Azure exports, tusk.yaml),
//! mutated by byte edits, dictionary tokens (YAML syntax, aliases, merge keys,
//! field names, CIDRs, ARM expressions) and splices between files, capped at
//! 64 KB. Each execution decodes the bytes as the file walk does and loads
//! them; it must not panic, must end within [`MAX_TIME`] and allocate at
//! most [`MAX_BYTES`] at its peak (counted by [`CountingAlloc`], which the
//! binary that includes this module installs). With `engines`, an input that
//! loads is also analysed (matrix; prepared view, all pairs, one trace).
//!
//! Used by `tests/fuzz_loaders.rs` (a few hundred executions per loader, in
//! `cargo test`) and `examples/fuzz.rs` (long runs; see FUZZING.md).

#![allow(dead_code)]

use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const MAX_INPUT: usize = 64 * 1024;
pub const MAX_TIME: Duration = Duration::from_secs(1);
pub const MAX_BYTES: usize = 512 * 1024 * 1024;

/// The system allocator, counting live bytes and their peak.
pub struct CountingAlloc;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Allocations past this many live bytes fail (the process aborts with
/// "memory allocation failed"), so that a blow-up is a finding, not a
/// machine out of memory. Twice [`MAX_BYTES`].
pub static HARD_CAP: AtomicUsize = AtomicUsize::new(2 * MAX_BYTES);

unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if LIVE.load(Ordering::Relaxed) + l.size() > HARD_CAP.load(Ordering::Relaxed) {
            return std::ptr::null_mut();
        }
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        if new > l.size() && LIVE.load(Ordering::Relaxed) + new - l.size() > HARD_CAP.load(Ordering::Relaxed) {
            return std::ptr::null_mut();
        }
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new >= l.size() {
                let now = LIVE.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loader {
    Kubernetes,
    /// Azure exports (`az ... -o json`, REST bodies) and anything else.
    Azure,
    TuskYaml,
    /// ARM templates (the evaluator): a `deploymentTemplate` schema.
    Arm,
    /// Terraform plans and states: `terraform show -json` output.
    Terraform,
}

impl Loader {
    pub const ALL: [Loader; 5] = [Loader::Kubernetes, Loader::Azure, Loader::TuskYaml, Loader::Arm, Loader::Terraform];

    pub fn name(self) -> &'static str {
        match self {
            Loader::Kubernetes => "kubernetes",
            Loader::Azure => "azure",
            Loader::TuskYaml => "tusk.yaml",
            Loader::Arm => "arm",
            Loader::Terraform => "terraform",
        }
    }

    fn of(text: &str) -> Loader {
        if text.contains("tusk.dev/") {
            Loader::TuskYaml
        } else if text.to_ascii_lowercase().contains("deploymenttemplate.json") {
            Loader::Arm
        } else if text.contains("\"format_version\"") {
            Loader::Terraform
        } else if text.contains("apiVersion") && text.contains("kind") && !text.contains("Microsoft.") {
            Loader::Kubernetes
        } else {
            Loader::Azure
        }
    }
}

/// Test inputs of one loader, each at most [`MAX_INPUT`] bytes.
pub struct Corpus {
    pub loader: Loader,
    pub files: Vec<Vec<u8>>,
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The corpus of every loader: `tests/` and, when present, `../shared`
/// (conformance, cases, fixtures, realworld).
pub fn corpora() -> Vec<Corpus> {
    let mut files = Vec::new();
    let roots = [repo().join("tests"), repo().join("../shared/conformance"), repo().join("../shared/cases")];
    let more =
        [repo().join("../shared/fixtures"), repo().join("../shared/realworld"), repo().join("crates/tusk-cli/demo")];
    for r in roots.iter().chain(more.iter()) {
        collect(r, &mut files);
    }
    files.sort();
    let mut out: Vec<Corpus> = Loader::ALL.iter().map(|&l| Corpus { loader: l, files: Vec::new() }).collect();
    for f in files {
        let Ok(bytes) = std::fs::read(&f) else { continue };
        if bytes.len() > MAX_INPUT {
            continue;
        }
        let l = Loader::of(&String::from_utf8_lossy(&bytes));
        out.iter_mut().find(|c| c.loader == l).expect("every loader").files.push(bytes);
    }
    // tusk.yaml has few examples on disk: add the shapes its loader reads.
    let nva = out.iter_mut().find(|c| c.loader == Loader::TuskYaml).expect("tusk.yaml");
    nva.files.push(
        b"apiVersion: tusk.dev/v1alpha1\nkind: TuskConfig\nnvas:\n- nic: 10.0.0.4\n  stateful: false\n  snat: true\n  rules:\n  - name: r\n    action: deny\n    source: ['*']\n    destination: [10.2.0.0/16, 10.3.0.5]\n    protocol: udp\n    ports: ['53', '8000-8080']\n"
            .to_vec(),
    );
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            collect(&p, out);
        } else if ft.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")) {
            out.push(p);
        }
    }
}

const TOKENS: &[&str] = &[
    "&a ", "*a", "<<: *a\n", "<<: ", "- ", "---\n", "...\n", "{", "}", "[", "]", ": ", ", ", "\n", "\n  ", "\n    - ",
    "'", "\"", "~", "null", "true", "0", "-1", "65535", "65536", "4294967296", "99999999999999999999", "1e400",
    "0.0.0.0/0", "10.0.0.0/8", "10.0.0.300/8", "::/0", "fe80::1/64", "*", "\t", "\u{feff}", "\\u0000", "!!binary ",
    "? ", "|\n  ", ">-\n  ", "#", "%YAML 1.2\n", "apiVersion: v1\n", "kind: List\nitems:\n", "kind: Deployment\n",
    "replicas: 100\n", "ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}", "podSelector: {}", "namespaceSelector: {}",
    "matchExpressions: [{key: a, operator: In, values: [b]}]", "ports: [{port: http, endPort: 90}]", "protocol: SCTP",
    "priority: 1000", "action: Pass", "hostNetwork: true", "podIP: 10.0.0.7", "\"id\": \"/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/routeTables/x\"",
    "\"id\": \"/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/networkSecurityGroups/x\"",
    "\"networkSecurityGroup\": {\"id\": \"/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/routeTables/t\"}",
    "\"routeTable\": {\"id\": \"x\"}", "\"addressPrefix\": \"0.0.0.0/0\"", "\"nextHopType\": \"VirtualAppliance\"",
    "\"[parameters('x')]\"", "\"[resourceId('Microsoft.Network/virtualNetworks', 'v')]\"", "\"properties\": {}",
    "\"value\": [", "\"sourcePortRange\": \"*\"", "\"priority\": 100", "\"access\": \"Deny\"", "nic: ", "rules:\n  - ",
];

/// A deterministic mutator over one corpus.
pub struct Mutator {
    rng: TestRng,
}

impl Mutator {
    pub fn new(seed: u64) -> Mutator {
        let mut s = [0u8; 32];
        s[..8].copy_from_slice(&seed.to_le_bytes());
        Mutator { rng: TestRng::from_seed(RngAlgorithm::ChaCha, &s) }
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.rng.next_u64() % n as u64) as usize
        }
    }

    /// One to eight stacked mutations of a corpus file.
    pub fn mutate(&mut self, corpus: &[Vec<u8>]) -> Vec<u8> {
        let mut b = corpus[self.below(corpus.len())].clone();
        // Mostly one or two edits, so that many inputs still load and reach
        // the checks behind the syntax; sometimes up to eight.
        let n = 1 + self.below(2) * self.below(8);
        for _ in 0..n {
            self.once(&mut b, corpus);
        }
        b.truncate(MAX_INPUT);
        b
    }

    fn once(&mut self, b: &mut Vec<u8>, corpus: &[Vec<u8>]) {
        let at = self.below(b.len() + 1);
        match self.below(9) {
            0 if !b.is_empty() => {
                let i = self.below(b.len());
                b[i] = self.rng.next_u64() as u8;
            }
            1 | 2 => {
                let t = TOKENS[self.below(TOKENS.len())].as_bytes();
                b.splice(at..at, t.iter().copied());
            }
            3 => {
                let end = (at + self.below(64)).min(b.len());
                b.drain(at..end);
            }
            4 => {
                let end = (at + self.below(256)).min(b.len());
                let piece: Vec<u8> = b[at..end].to_vec();
                let to = self.below(b.len() + 1);
                b.splice(to..to, piece);
            }
            5 => {
                let other = &corpus[self.below(corpus.len())];
                let from = self.below(other.len() + 1);
                let end = (from + self.below(512)).min(other.len());
                let cut = (at + self.below(128)).min(b.len());
                b.splice(at..cut, other[from..end].iter().copied());
            }
            6 => {
                // Replace the next number with an interesting one.
                if let Some(i) = b[at..].iter().position(u8::is_ascii_digit) {
                    let s = at + i;
                    let e = s + b[s..].iter().take_while(|c| c.is_ascii_digit()).count();
                    let n = ["0", "1", "65535", "65536", "2147483648", "18446744073709551616", "100000"][self.below(7)];
                    b.splice(s..e, n.bytes());
                }
            }
            7 => {
                // Swap two lines.
                let lines: Vec<&[u8]> = b.split(|&c| c == b'\n').collect();
                if lines.len() > 2 {
                    let (i, j) = (self.below(lines.len()), self.below(lines.len()));
                    let mut v: Vec<Vec<u8>> = lines.iter().map(|l| l.to_vec()).collect();
                    v.swap(i, j);
                    *b = v.join(&b'\n');
                }
            }
            _ => b.truncate(at),
        }
    }
}

/// What one execution did.
#[derive(Debug)]
pub struct Exec {
    /// Wall clock: includes time the process was descheduled.
    pub elapsed: Duration,
    /// This thread's CPU time: the execution's own work, whatever the
    /// machine's load (the time bound and the CPU-hour counts use it).
    pub cpu: Duration,
    pub peak_bytes: usize,
    pub loaded: bool,
}

/// Loads `bytes` as one file (decoded as the file walk does); with
/// `engines`, analyses what loaded. Panics propagate to the caller.
pub fn execute(bytes: &[u8], engines: bool) -> Exec {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let t = Instant::now();
    let c = cpu_time::ThreadTime::now();
    let name: Arc<str> = Arc::from("fuzz.yaml");
    let loaded = match tusk_load::doc::decode(&name, bytes.to_vec()) {
        Ok(text) => {
            let o = tusk_load::load_sources_all(&[(name, text)], &tusk_load::arm::ArmParams::default());
            let ok = o.errors.is_empty();
            if ok && engines {
                analyse(&o.loaded);
            }
            ok
        }
        Err(_) => false,
    };
    Exec {
        elapsed: t.elapsed(),
        cpu: c.elapsed(),
        peak_bytes: PEAK.load(Ordering::Relaxed).saturating_sub(base),
        loaded,
    }
}

/// The engines on a loaded estate, within sizes that keep one execution short.
fn analyse(l: &tusk_load::Loaded) {
    let k = &l.estate.k8s;
    if !k.pods.is_empty() && k.pods.len() <= 500 {
        let a = tusk_policy::Analysis::new(k, tusk_policy::Semantics::of(tusk_policy::PolicyEngine::Upstream));
        if a.class_pair_bound() <= 100_000 {
            std::hint::black_box(a.matrix(tusk_policy::matrix::Grain::Workload));
        }
    }
    let az = &l.estate.azure;
    if !az.subnets.is_empty() && az.subnets.len() <= 100 {
        let p = tusk_network::Prepared::new(az, &l.estate.config);
        let reps = tusk_network::reach::representatives(&p);
        // As the CLI: `reach` refuses an estate without representatives.
        if let (Some(&a), Some(&b)) = (reps.first(), reps.last()) {
            std::hint::black_box(tusk_network::reach::full(&p, a, b, tusk_core::Protocol::Tcp, Some(443)));
            std::hint::black_box(tusk_network::reach::all_pairs(&p, tusk_core::Protocol::Tcp, Some(443)));
        }
    }
}
