//! What one HTML parse may cost, enforced between the tokenizer and the
//! tree builder.
//!
//! html5ever runs the WHATWG tree construction, and parts of it walk the
//! stack of open elements or the list of active formatting elements for
//! each token ("has an element in scope", reconstructing the active
//! formatting elements, the Noah's Ark clause): a small hostile page costs
//! the square of its size. 80,000 nested `<div>`s (480 KB) took 27 s, and
//! 16,000 `<b class=N><p>x` (300 KB) made 128 million clones of formatting
//! elements (23 GB) before this budget. Browsers pay the same; a scanner
//! must not.
//!
//! The arena counts the tree builder's work as it calls back (each element
//! name read in a walk, each node comparison, each element made, and for a
//! formatting element the length of the list it is checked against); the
//! [`Budget`] token sink in front of the tree builder adds the list scan of
//! a formatting end tag, which makes no call back. Once the work passes a
//! budget proportional to the input (or the nodes pass the node limit),
//! every later token is dropped: the page is read up to there and the cut
//! is reported, never silent.

use html5ever::TokenizerResult;
use html5ever::interface::TreeSink;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{TreeBuilder, TreeBuilderOpts};
use std::cell::Cell;

use super::sink::{Arena, Dom, Id};

/// Work allowed per byte of input, on top of [`BASE_WORK`]. Real pages
/// spend a few units a byte (their nesting is shallow and their formatting
/// elements closed).
const WORK_PER_BYTE: u64 = 256;
const BASE_WORK: u64 = 16 << 20;

/// Where a parse was cut short.
pub(crate) struct Cut {
    /// The source line of the first token dropped.
    pub line: u64,
    pub why: &'static str,
}

/// Passes tokens to the tree builder until the work is spent.
struct Budget {
    inner: TreeBuilder<Id, Arena>,
    max_work: u64,
    max_nodes: usize,
    cut: Cell<Option<(u64, &'static str)>>,
}

impl TokenSink for Budget {
    type Handle = Id;

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<Id> {
        if self.cut.get().is_some() {
            // EOF still goes through: the tree builder closes what is open.
            if !matches!(token, Token::EOFToken) {
                return TokenSinkResult::Continue;
            }
        }
        if let Token::TagToken(Tag {
            kind: TagKind::EndTag,
            name,
            ..
        }) = &token
            && super::sink::is_formatting(name)
        {
            // The adoption agency looks the element up in the list of
            // active formatting elements without calling back.
            self.inner.sink.charge(self.inner.sink.formatting_scan());
        }
        let result = self.inner.process_token(token, line);
        if self.cut.get().is_none() {
            if self.inner.sink.work() > self.max_work {
                self.cut.set(Some((
                    line,
                    "building its tree would cost more than the parse budget (deep nesting or \
                     misnested formatting elements)",
                )));
            } else if self.inner.sink.len() > self.max_nodes {
                self.cut
                    .set(Some((line, "it makes more elements than the node limit")));
            }
        }
        result
    }

    fn end(&self) {
        TokenSink::end(&self.inner);
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.inner
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// Parses `text` as a document, within the budget.
pub(crate) fn parse(text: &str, opts: TreeBuilderOpts, max_nodes: usize) -> (Dom, Option<Cut>) {
    let budget = Budget {
        inner: TreeBuilder::new(Arena::new(), opts),
        max_work: BASE_WORK.saturating_add(WORK_PER_BYTE.saturating_mul(text.len() as u64)),
        max_nodes,
        cut: Cell::new(None),
    };
    let tokenizer = Tokenizer::new(budget, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(text));
    // A script end and an encoding declaration (`<meta charset>`) return to
    // the caller, with input left: there is no script to run, and the page
    // was already decoded, so the feed goes on until the input is done.
    while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    tokenizer.end();
    let budget = tokenizer.sink;
    let cut = budget.cut.get().map(|(line, why)| Cut { line, why });
    (budget.inner.sink.finish(), cut)
}
