//! TensorFlow SavedModel (`saved_model.pb`) and frozen GraphDef files: every
//! NodeDef op in the graph and in its function library is listed, and ops
//! that read or write files or run Python are reported.

use loadguard_core::{Finding, Location, Severity};

use crate::proto::{self, Field};
use crate::rules;

/// Ops that run Python or touch the file system, with their severity.
const DANGEROUS_OPS: &[(&str, Severity, &str)] = &[
    ("PyFunc", Severity::Critical, "runs a Python function"),
    (
        "PyFuncStateless",
        Severity::Critical,
        "runs a Python function",
    ),
    ("EagerPyFunc", Severity::Critical, "runs a Python function"),
    ("ReadFile", Severity::High, "reads a file"),
    ("WriteFile", Severity::High, "writes a file"),
    ("MatchingFiles", Severity::High, "lists files by pattern"),
    ("ImmutableConst", Severity::High, "maps a file into memory"),
    (
        "DebugIdentityV2",
        Severity::Medium,
        "writes debug dumps to a path",
    ),
];

#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub ops: usize,
}

fn nodes<'a>(graph: &'a [u8], out: &mut Vec<(&'a [u8], String)>, depth: u32) {
    if depth > 8 {
        return;
    }
    let Ok(fields) = proto::fields(graph) else {
        return;
    };
    for f in fields {
        match (f.number, f.bytes()) {
            (1, Some(node)) => out.push((node, String::new())),
            (2, Some(library)) => {
                let Ok(lib) = proto::fields(library) else {
                    continue;
                };
                for func in lib
                    .iter()
                    .filter(|x| x.number == 1)
                    .filter_map(Field::bytes)
                {
                    let Ok(ff) = proto::fields(func) else {
                        continue;
                    };
                    let name = ff
                        .iter()
                        .find(|x| x.number == 1)
                        .and_then(Field::bytes)
                        .and_then(|sig| proto::fields(sig).ok())
                        .and_then(|s| s.iter().find(|x| x.number == 1).and_then(Field::text))
                        .unwrap_or_default();
                    for n in ff.iter().filter(|x| x.number == 3).filter_map(Field::bytes) {
                        out.push((n, name.clone()));
                    }
                }
            }
            _ => {}
        }
    }
}

/// The GraphDefs in a SavedModel (`meta_graphs[].graph_def`), or the file
/// itself when it is a frozen GraphDef.
fn graphs(data: &[u8]) -> Option<Vec<&[u8]>> {
    let top = proto::fields(data).ok()?;
    let saved_model = top
        .first()
        .is_some_and(|f| f.number == 1 && f.varint().is_some())
        && top.iter().any(|f| f.number == 2 && f.bytes().is_some());
    if saved_model {
        let mut out = Vec::new();
        for meta in top
            .iter()
            .filter(|f| f.number == 2)
            .filter_map(Field::bytes)
        {
            let Ok(m) = proto::fields(meta) else { continue };
            out.extend(m.iter().filter(|x| x.number == 2).filter_map(Field::bytes));
        }
        return (!out.is_empty()).then_some(out);
    }
    Some(vec![data])
}

fn op_of(node: &[u8]) -> Option<(String, String)> {
    let f = proto::fields(node).ok()?;
    let name = f.iter().find(|x| x.number == 1).and_then(Field::text)?;
    let op = f.iter().find(|x| x.number == 2).and_then(Field::text)?;
    Some((name, op))
}

fn is_op_name(op: &str) -> bool {
    !op.is_empty() && op.len() < 128 && op.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A SavedModel, or a GraphDef whose every top-level field is a NodeDef
/// with a plausible op name.
pub fn sniff(data: &[u8]) -> bool {
    if data.len() < 8 || !matches!(data[0], 0x08 | 0x0a) {
        return false;
    }
    let Some(graphs) = graphs(data) else {
        return false;
    };
    let mut all = Vec::new();
    for g in graphs {
        nodes(g, &mut all, 0);
    }
    !all.is_empty()
        && all
            .iter()
            .all(|(n, _)| op_of(n).is_some_and(|(_, op)| is_op_name(&op)))
}

pub fn validate(data: &[u8]) -> Report {
    let mut report = Report::default();
    let base = data.as_ptr() as usize;
    for g in graphs(data).unwrap_or_default() {
        let mut all = Vec::new();
        nodes(g, &mut all, 0);
        for (node, function) in all {
            let Some((name, op)) = op_of(node) else {
                continue;
            };
            report.ops += 1;
            if let Some((_, severity, what)) = DANGEROUS_OPS.iter().find(|(o, _, _)| *o == op) {
                let place = if function.is_empty() {
                    name.clone()
                } else {
                    format!("{function}/{name}")
                };
                report.findings.push(
                    Finding::builder(
                        &rules::tf_dangerous_op::RULE,
                        format!("op {op} ({place}) {what} when the graph runs"),
                    )
                    .severity(*severity)
                    .at(Location::at_offset((node.as_ptr() as usize - base) as u64)
                        .with_logical(place))
                    .build(),
                );
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onnx::tests::{field, int};

    fn node(name: &str, op: &str) -> Vec<u8> {
        [field(1, name.as_bytes()), field(2, op.as_bytes())].concat()
    }

    #[test]
    fn saved_model_ops_and_functions() {
        let func = [
            field(1, &field(1, b"f")),
            field(3, &node("py", "EagerPyFunc")),
        ]
        .concat();
        let graph = [
            field(1, &node("x", "Placeholder")),
            field(1, &node("rf", "ReadFile")),
            field(2, &field(1, &func)),
        ]
        .concat();
        let saved = [int(1, 1), field(2, &field(2, &graph))].concat();
        assert!(sniff(&saved));
        let r = validate(&saved);
        assert_eq!(r.ops, 3);
        let mut got: Vec<_> = r
            .findings
            .iter()
            .map(|f| (f.severity, f.location.logical.clone().unwrap_or_default()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                (Severity::High, "rf".to_owned()),
                (Severity::Critical, "f/py".to_owned())
            ]
        );
        let frozen = [
            field(1, &node("a", "Const")),
            field(1, &node("b", "Identity")),
        ]
        .concat();
        assert!(sniff(&frozen));
        assert!(validate(&frozen).findings.is_empty());
        assert!(!sniff(b"\x08\x01plain text that is not a graph"));
    }
}
