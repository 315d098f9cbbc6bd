//! Helpers both front ends use on tree-sitter trees: lines, named children
//! (comments dropped), the on-demand stack for recursive steps, and the
//! cache of call summaries.

use std::cell::RefCell;
use std::collections::HashMap;

use tree_sitter::Node;

use super::ir::Val;

/// Runs a recursive step with enough stack: more is mapped on demand when
/// little is left, so deep syntax needs no thread of its own.
pub(crate) fn grow<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(128 * 1024, 4 << 20, f)
}

/// The 1-based line a node starts on.
pub(crate) fn line(n: Node<'_>) -> u32 {
    u32::try_from(n.start_position().row + 1).unwrap_or(u32::MAX)
}

/// The named children of a node, comments left out.
pub(crate) fn children(n: Node<'_>) -> Vec<Node<'_>> {
    let mut c = n.walk();
    n.named_children(&mut c)
        .filter(|c| c.kind() != "comment")
        .collect()
}

/// Summaries of call expressions by node: a call nested in arguments is
/// summarised once, not again at every enclosing level.
#[derive(Debug, Default)]
pub(crate) struct CallCache(RefCell<HashMap<usize, Val>>);

impl CallCache {
    /// The cached summary of `n`, or `make()`'s, cached.
    pub(crate) fn get_or(&self, n: Node<'_>, make: impl FnOnce() -> Val) -> Val {
        if let Some(v) = self.0.borrow().get(&n.id()) {
            return v.clone();
        }
        let v = make();
        self.0.borrow_mut().insert(n.id(), v.clone());
        v
    }

    /// Forgets everything (the constants the summaries used have changed).
    pub(crate) fn clear(&self) {
        self.0.borrow_mut().clear();
    }
}
