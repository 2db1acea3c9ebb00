//! Differential tests of the YAML fast path: on every input, the documents,
//! the errors and the result must be the YAML reader's, positions included.

use super::*;
use crate::doc::parse_yaml;

/// What one reading of a file gave: its documents, the defects reported
/// (collecting mode) and the result.
type Outcome = (Vec<Node>, Vec<LoadError>, Result<(), LoadError>);

fn read(text: &str, fast: bool, collect: bool) -> Outcome {
    let file: Arc<str> = Arc::from("t.yaml");
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    let mut f = |d: Doc| {
        docs.push(d.root);
        Ok(())
    };
    let mut on_error = |e: LoadError| {
        errors.push(e);
        collect
    };
    let r = if fast {
        parse(&file, text, &mut f, &mut on_error)
    } else {
        parse_yaml(&file, text, 0, &mut f, &mut on_error)
    };
    (docs, errors, r)
}

/// How many of the text's documents the fast path takes, and how many it
/// leaves to the YAML reader.
fn taken(text: &str) -> (usize, usize) {
    let (mut fast, mut slow) = (0, 0);
    let (mut start, mut line) = (0, 1);
    while start < text.len() {
        let end = next_marker(text, start);
        match read_document(text, start, end, line) {
            Some((_, next)) => {
                fast += 1;
                assert!(end == text.len() || next == line + text[start..end].matches('\n').count() as u32);
            }
            None => slow += 1,
        }
        line += text[start..end].matches('\n').count() as u32;
        start = end;
    }
    (fast, slow)
}

/// The first place two outcomes differ, for a readable failure.
fn first_difference(got: &Outcome, want: &Outcome) -> String {
    fn node(path: &str, a: &Node, b: &Node) -> Option<String> {
        if a.pos != b.pos {
            return Some(format!("{path}: fast at {:?}, yaml at {:?}", a.pos, b.pos));
        }
        match (&a.value, &b.value) {
            (Value::Map(x), Value::Map(y)) if x.len() == y.len() => {
                x.iter().zip(y).enumerate().find_map(|(i, (p, q))| {
                    node(&format!("{path}.key{i}"), &p.0, &q.0).or_else(|| node(&format!("{path}.{i}"), &p.1, &q.1))
                })
            }
            (Value::Seq(x), Value::Seq(y)) if x.len() == y.len() => {
                x.iter().zip(y).enumerate().find_map(|(i, (p, q))| node(&format!("{path}[{i}]"), p, q))
            }
            (x, y) if x == y => None,
            (x, y) => Some(format!("{path} at {:?}: fast {x:?}\nyaml {y:?}", a.pos)),
        }
    }
    if got.0.len() != want.0.len() {
        return format!(
            "{} documents fast, {} yaml; errors {:?} / {:?}; result {:?} / {:?}",
            got.0.len(),
            want.0.len(),
            got.1,
            want.1,
            got.2,
            want.2
        );
    }
    for (i, (a, b)) in got.0.iter().zip(&want.0).enumerate() {
        if let Some(d) = node(&format!("doc{i}"), a, b) {
            return d;
        }
    }
    format!("errors {:?} / {:?}; result {:?} / {:?}", got.1, want.1, got.2, want.2)
}

#[track_caller]
fn same(text: &str) {
    for collect in [false, true] {
        let want = read(text, false, collect);
        let got = read(text, true, collect);
        assert!(got == want, "{text:?} (collecting: {collect})\n{}", first_difference(&got, &want));
    }
}

/// The fast path takes the text, and agrees.
#[track_caller]
fn fast(text: &str) {
    let (_, slow) = taken(text);
    assert_eq!(slow, 0, "the fast path refused {text:?}");
    same(text);
}

#[test]
fn kubectl_shapes_read_the_same() {
    fast("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-0\n  labels:\n    app: web\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n    ports:\n    - containerPort: 80\n      protocol: TCP\n");
    fast("# leading comment\n---\na: 1 # trailing\nb: 'it''s'\nc: \"q \\\" \\n \\u00e9\"\nd: {}\ne: []\nf:\n  - x\n  -   y\n---\n---\n- a\n- b: 1\n  c: 2\n-\n  d: 3\n");
    fast("data:\n  script: |\n    #!/bin/sh\n    echo hi\n\n    exit 0\n\n  other: |-\n      indented\n        more\n");
    same("a: |\n\n  after an empty line\nb: x\n");
    fast("a:\nb:\n  c:\nd:\n- e\n");
    same("a:\n- e\n- \n- # c\n-\n");
    same("a:\n- \n- e\n");
    fast("a:\n");
    fast("a:\n# end\n");
    fast("a:");
    fast("a: x\n---\nb:\n---\nc: y");
    fast("ключ: значение\nk: ü # é\n\"é\": 'ß'\n");
    fast("  indented: root\n  b: 2\n");
    fast("url: http://x:80/a#frag\nneg: -1\nq: ?x\nc: :x\nsp: a  b   \n");
    fast("a: [x, \"y\", 'z']\nb: {k: v, \"q\": 'w'}\nc:\n- [ 1 , 2 ]\n- {a: b}\nd: [{name: x, port: 80}, {}]\n");
    fast("a: 1\r\nb:\r\n- x\r\n- |\r\n  text\r\n  more\r\n");
    let big: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
    fast(&big);
}

#[test]
fn everything_else_is_the_yaml_reader_s() {
    for t in [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: [1, [2]]\n",
        "a: {b: [1]}\n",
        "a: [1, 2,]\n",
        "a: [1,\n 2]\n",
        "a: {b: }\n",
        "a: {b:c}\n",
        "a: [b: c]\n",
        "a: [x y, a#b, -1, ?x]\n",
        "a: {x: 1, x: 2}\n",
        "a: {x: 1, \"x\": 2}\n",
        "a: 1\n'a': 2\n",
        "a: [1] x\n",
        "a: 1\rb: 2\n",
        "a: >\n  folded\n  text\n",
        "a: |+\n  keep\n\n",
        "a: |2\n   x\n",
        "a: plain\n  continued\n",
        "a: 'multi\n  line'\n",
        "a: \"multi\n  line\"\n",
        "a:\tx\n",
        "a: 1\na: 2\n",
        "<<: {a: 1}\n",
        "? complex\n: key\n",
        "a: b: c\n",
        "- - nested\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\n...\nb: 2\n",
        "a: 1\n---\na: 2\na: 3\n---\nb: 4\n",
        "a: 1\n---\nb: [\n---\nc: 2\n",
        "just a scalar\n",
        "a: \"\\x41\"\n",
        "a: 1\n  b: 2\n",
        "a:\n  - x\n  b: 1\n",
        "- a\nb: 1\n",
        "a: |\n  x\n    y\n z\n",
        "a: |\n    \n  x\n",
        "a: |\n  x",
        "a: \"x\"y\n",
        "a: x #c\n  # more\nb: 2\n",
        "a:\n  # c\n  b: 1\n",
        "--- a: 1\n",
        "---a: 1\n",
    ] {
        same(t);
    }
}

/// Every YAML file of the project's tests and examples and of `../shared`
/// reads the same both ways, and most documents take the fast path.
#[test]
fn every_yaml_file_reads_the_same_both_ways() {
    let root = tusk_testkit::repo_root();
    let mut dirs = vec![root.join("tests"), root.join("examples")];
    let shared = tusk_testkit::shared(".");
    if let Some(shared) = &shared {
        dirs.push(shared.clone());
    }
    let (mut files, mut fast_docs, mut slow_docs) = (0, 0, 0);
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
                continue;
            }
            if !p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&p) else { continue };
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            for collect in [false, true] {
                let want = read(text, false, collect);
                let got = read(text, true, collect);
                assert!(
                    got == want,
                    "{}: the fast path differs (collecting: {collect})\n{}",
                    p.display(),
                    first_difference(&got, &want)
                );
            }
            let (f, s) = taken(text);
            if s > 0 && std::env::var_os("TUSK_YAML_REFUSED").is_some() {
                eprintln!("refused: {} ({s} of {})", p.display(), f + s);
            }
            fast_docs += f;
            slow_docs += s;
            files += 1;
        }
    }
    eprintln!("{files} YAML files: {fast_docs} documents on the fast path, {slow_docs} left to the YAML reader");
    assert!(files > 100, "only {files} YAML files compared");
    // The coverage promise is about what kubectl, helm and az write: the
    // shared corpus. The project's own fixtures are mostly malformed or
    // hand-written on purpose (anchors, flow styles), so alone they only
    // check that both ways agree.
    if shared.is_some() {
        assert!(
            fast_docs > 4 * slow_docs,
            "the fast path takes too few documents: {fast_docs} of {}",
            fast_docs + slow_docs
        );
    } else {
        eprintln!("skipped: the fast path's coverage is measured on ../shared, not found");
    }
}

/// Small edits of real files (a character inserted or deleted, from the
/// ones YAML's grammar turns on) read the same both ways: the fast path
/// never accepts what the YAML reader reads otherwise or refuses.
#[test]
fn mutated_files_read_the_same_both_ways() {
    let root = tusk_testkit::repo_root();
    let mut texts = Vec::new();
    let mut dirs = vec![root.join("tests"), root.join("examples")];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                if let Ok(t) = std::fs::read_to_string(&p) {
                    if t.len() < 20_000 {
                        texts.push(t);
                    }
                }
            }
        }
    }
    assert!(!texts.is_empty(), "no YAML files under tests/ and examples/");
    texts.sort();
    let pieces = [
        " ", "  ", "\n", "- ", ": ", ":", "#", " #", "'", "\"", "|", "|-", ">", "&a ", "*a", "{", "}", "[", "]", "\t",
        "---\n", "...\n", "? ", "\\", "<<: ", "é", ",", "!",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let runs: usize = std::env::var("TUSK_YAML_MUTATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    for _ in 0..runs {
        let t = &texts[next() as usize % texts.len()];
        let mut at = next() as usize % (t.len() + 1);
        while !t.is_char_boundary(at) {
            at -= 1;
        }
        let mut m = t[..at].to_string();
        if next() % 3 == 0 {
            let mut to = at + 1;
            while to < t.len() && !t.is_char_boundary(to) {
                to += 1;
            }
            m.push_str(t.get(to..).unwrap_or(""));
        } else {
            m.push_str(pieces[next() as usize % pieces.len()]);
            m.push_str(&t[at..]);
        }
        same(&m);
    }
}
