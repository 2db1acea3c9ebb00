//! Property: Calico's selector parser reads back what a printer writes of a
//! random expression (every operator, both quote styles, random spacing,
//! parentheses only where precedence needs them), with the same meaning:
//! on every label map over a small domain (each key absent or holding one
//! of a few values, checked exhaustively), the parsed selector and the
//! expression evaluate alike. The evaluator of the expression tree is the
//! brute-force reference; the parser is what is tested.

use proptest::prelude::*;
use tusk_load::k8s::calico_selector::parse;
use tusk_model::calico::Sel;
use tusk_model::k8s::Labels;

const KEYS: [&str; 3] = ["app", "x.io/tier", "projectcalico.org/namespace"];
const VALUES: [&str; 3] = ["", "web", "we b"];

fn leaf() -> impl Strategy<Value = Sel> {
    let key = prop::sample::select(KEYS.to_vec()).prop_map(str::to_string);
    let val = prop::sample::select(VALUES.to_vec()).prop_map(str::to_string);
    let vals = prop::collection::vec(val.clone(), 0..3);
    prop_oneof![
        Just(Sel::All),
        key.clone().prop_map(Sel::Has),
        (key.clone(), val.clone()).prop_map(|(k, v)| Sel::Eq(k, v)),
        (key.clone(), val.clone()).prop_map(|(k, v)| Sel::Ne(k, v)),
        (key.clone(), vals.clone()).prop_map(|(k, v)| Sel::In(k, v)),
        (key.clone(), vals).prop_map(|(k, v)| Sel::NotIn(k, v)),
        (key.clone(), val.clone()).prop_map(|(k, v)| Sel::Contains(k, v)),
        (key.clone(), val.clone()).prop_map(|(k, v)| Sel::StartsWith(k, v)),
        (key, val).prop_map(|(k, v)| Sel::EndsWith(k, v)),
    ]
}

fn expr() -> impl Strategy<Value = Sel> {
    leaf().prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| Sel::Not(Box::new(e))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Sel::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| Sel::Or(Box::new(a), Box::new(b))),
        ]
    })
}

fn sp(ws: &mut impl Iterator<Item = u8>) -> &'static str {
    if ws.next().unwrap_or(0).is_multiple_of(3) {
        " \t "
    } else {
        " "
    }
}

/// Writes `e`; `ws` picks spacing and quotes, `prec` is the binding of the
/// context (0: top or `||` operand, 1: `&&` operand, 2: `!` operand).
fn print(e: &Sel, ws: &mut impl Iterator<Item = u8>, prec: u8) -> String {
    let n = ws.next().unwrap_or(0);
    let q = |v: &str| if n.is_multiple_of(2) { format!("'{v}'") } else { format!("\"{v}\"") };
    let set = |vs: &[String]| vs.iter().map(|v| q(v)).collect::<Vec<_>>().join(", ");
    let (text, own) = match e {
        Sel::All => ("all()".to_string(), 3),
        Sel::Global => ("global()".to_string(), 3),
        Sel::Has(k) => (format!("has({k})"), 3),
        Sel::Eq(k, v) => (format!("{k}{}=={}{}", sp(ws), sp(ws), q(v)), 3),
        Sel::Ne(k, v) => (format!("{k}{}!= {}", sp(ws), q(v)), 3),
        Sel::In(k, vs) => (format!("{k} in{}{{{}}}", sp(ws), set(vs)), 3),
        Sel::NotIn(k, vs) => (format!("{k} not{}in {{{}}}", sp(ws), set(vs)), 3),
        Sel::Contains(k, v) => (format!("{k} contains {}", q(v)), 3),
        Sel::StartsWith(k, v) => (format!("{k} starts{}with {}", sp(ws), q(v)), 3),
        Sel::EndsWith(k, v) => (format!("{k} ends with{}{}", sp(ws), q(v)), 3),
        Sel::Not(a) => (format!("!{}", print(a, ws, 2)), 2),
        Sel::And(a, b) => {
            let l = print(a, ws, 1);
            let (s1, s2) = (sp(ws), sp(ws));
            (format!("{l}{s1}&&{s2}{}", print(b, ws, 2)), 1)
        }
        Sel::Or(a, b) => {
            let l = print(a, ws, 0);
            let s1 = sp(ws);
            (format!("{l} ||{s1}{}", print(b, ws, 1)), 0)
        }
    };
    if own < prec {
        format!("({text})")
    } else {
        text
    }
}

/// Every label map over KEYS × (absent | VALUES).
fn all_label_maps() -> Vec<Labels> {
    let mut out = vec![Labels::new()];
    for k in KEYS {
        let mut next = Vec::new();
        for m in &out {
            next.push(m.clone());
            for v in VALUES {
                let mut m = m.clone();
                m.insert(k.to_string(), v.to_string());
                next.push(m);
            }
        }
        out = next;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn printed_selectors_parse_back_to_the_same_meaning(e in expr(), ws in prop::collection::vec(any::<u8>(), 64)) {
        let text = print(&e, &mut ws.into_iter().cycle(), 0);
        let parsed = parse(&text).map_err(|err| TestCaseError::fail(format!("{text}: {err:?}")))?;
        for labels in all_label_maps() {
            prop_assert_eq!(parsed.matches(&labels), e.matches(&labels), "{} on {:?}", text, labels);
        }
    }

    #[test]
    fn garbage_never_panics_and_errors_point_inside(s in "[a-z(){}!=&|'\" ,.]{0,24}") {
        if let Err(err) = parse(&s) {
            prop_assert!(err.offset <= s.len(), "offset {} past {:?}", err.offset, s);
        }
    }
}
