//! Every rule loadguard can report, in one list.

use loadguard_core::Rule;

use crate::rules;

/// All rules, scanner rules first, then each engine's in code order.
pub(crate) fn all_rules() -> Vec<&'static Rule> {
    let mut all: Vec<&'static Rule> = vec![&rules::unsupported_format::RULE];
    all.extend_from_slice(loadguard_scan::rules::ALL);
    all.extend_from_slice(loadguard_pickle::rules::ALL);
    all
}

/// A rule by code (`PKL101`) or name (`pickle-command-execution`), any case.
pub(crate) fn find(query: &str) -> Option<&'static Rule> {
    all_rules()
        .into_iter()
        .find(|r| r.code.eq_ignore_ascii_case(query) || r.name.eq_ignore_ascii_case(query))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_documented() {
        let rules = all_rules();
        let codes: HashSet<_> = rules.iter().map(|r| r.code).collect();
        let names: HashSet<_> = rules.iter().map(|r| r.name).collect();
        assert_eq!(codes.len(), rules.len());
        assert_eq!(names.len(), rules.len());
        for r in rules {
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## References",
            ] {
                assert!(r.docs.contains(heading), "{} lacks {heading}", r.code);
            }
            assert!(
                r.docs.contains(&format!("CWE-{}", r.cwe)),
                "{} docs do not cite its CWE",
                r.code
            );
        }
    }
}
