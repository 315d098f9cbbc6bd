//! The DOM html5ever builds into: an arena of nodes addressed by index.
//! html5ever is the parser (the WHATWG tree construction a browser runs:
//! implied end tags, foster parenting, adoption agency); this is only where
//! it puts the nodes, kept small so a hostile page costs one `Vec` entry
//! per node and no recursion anywhere (dropping a 100,000-deep tree is a
//! `Vec` drop).

use std::borrow::Cow;
use std::cell::{Cell, Ref, RefCell};

use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::StrTendril;
use html5ever::{Attribute, QualName};

pub(crate) type Id = usize;

#[derive(Debug)]
pub(crate) enum Data {
    Document,
    Element {
        name: QualName,
        attrs: Vec<Attribute>,
        /// A `<template>`'s contents (a separate fragment).
        template: Option<Id>,
    },
    Text(String),
    Comment(String),
    Other,
}

#[derive(Debug)]
pub(crate) struct Node {
    pub parent: Option<Id>,
    pub children: Vec<Id>,
    pub data: Data,
    /// The source line the parser was on when it made the node.
    pub line: u32,
    /// Formatting elements among the node and its ancestors when it was
    /// inserted.
    formatting_depth: u32,
}

#[derive(Default)]
pub(crate) struct Arena {
    nodes: RefCell<Vec<Node>>,
    line: Cell<u32>,
    /// The tree builder's work so far (see `budget.rs`).
    work: Cell<u64>,
    /// How many formatting elements enclose the node last inserted: about
    /// the list of active formatting elements the tree builder scans.
    last_formatting_depth: Cell<u32>,
}

/// The formatting elements: the tree builder keeps them in its list of
/// active formatting elements.
pub(crate) fn is_formatting(name: &html5ever::LocalName) -> bool {
    matches!(
        &**name,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

fn is_html_formatting(name: &QualName) -> bool {
    name.ns == html5ever::ns!(html) && is_formatting(&name.local)
}

pub(crate) struct Dom {
    pub nodes: Vec<Node>,
}

impl Arena {
    pub(crate) fn new() -> Self {
        let arena = Self::default();
        arena.push(Data::Document);
        arena
    }

    pub(crate) fn charge(&self, units: u64) {
        self.work.set(self.work.get().saturating_add(units));
    }

    pub(crate) fn work(&self) -> u64 {
        self.work.get()
    }

    /// What scanning the list of active formatting elements costs now.
    pub(crate) fn formatting_scan(&self) -> u64 {
        u64::from(self.last_formatting_depth.get())
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.borrow().len()
    }

    fn push(&self, data: Data) -> Id {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node {
            parent: None,
            children: Vec::new(),
            data,
            line: self.line.get().max(1),
            formatting_depth: 0,
        });
        nodes.len() - 1
    }

    fn detach(nodes: &mut [Node], child: Id) {
        if let Some(p) = nodes[child].parent.take() {
            nodes[p].children.retain(|&c| c != child);
        }
    }

    /// Appends text to a text node that ends `children`, or a new one.
    fn insert(&self, parent: Id, index: Option<usize>, child: NodeOrText<Id>) {
        let child = match child {
            NodeOrText::AppendNode(n) => n,
            NodeOrText::AppendText(text) => {
                {
                    let mut nodes = self.nodes.borrow_mut();
                    let before = match index {
                        Some(i) => i.checked_sub(1).map(|j| nodes[parent].children[j]),
                        None => nodes[parent].children.last().copied(),
                    };
                    if let Some(prev) = before
                        && let Data::Text(t) = &mut nodes[prev].data
                    {
                        t.push_str(&text);
                        return;
                    }
                }
                self.push(Data::Text(text.to_string()))
            }
        };
        let mut nodes = self.nodes.borrow_mut();
        Self::detach(&mut nodes, child);
        nodes[child].parent = Some(parent);
        let mut depth = nodes[parent].formatting_depth;
        if let Data::Element { name, attrs, .. } = &nodes[child].data
            && is_html_formatting(name)
        {
            // The Noah's Ark clause compared the new element with each entry
            // of the list (the formatting elements that enclose it), copying
            // and sorting both tags' attributes.
            let per_entry = 16 + 64 * attrs.len() as u64;
            self.charge(u64::from(depth).saturating_mul(per_entry));
            depth = depth.saturating_add(1);
        }
        nodes[child].formatting_depth = depth;
        self.last_formatting_depth.set(depth);
        match index {
            Some(i) => nodes[parent].children.insert(i, child),
            None => nodes[parent].children.push(child),
        }
    }
}

impl TreeSink for Arena {
    type Handle = Id;
    type Output = Dom;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Dom {
        Dom {
            nodes: self.nodes.into_inner(),
        }
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> Id {
        0
    }

    fn elem_name<'a>(&'a self, target: &'a Id) -> Ref<'a, QualName> {
        self.charge(1);
        Ref::map(self.nodes.borrow(), |n| match &n[*target].data {
            Data::Element { name, .. } => name,
            // html5ever asks only for elements' names.
            _ => unreachable!("elem_name of a node that is not an element"),
        })
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> Id {
        self.charge(1);
        let template = flags.template.then(|| self.push(Data::Document));
        self.push(Data::Element {
            name,
            attrs,
            template,
        })
    }

    fn create_comment(&self, text: StrTendril) -> Id {
        self.push(Data::Comment(text.to_string()))
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> Id {
        self.push(Data::Other)
    }

    fn append(&self, parent: &Id, child: NodeOrText<Id>) {
        self.insert(*parent, None, child);
    }

    fn append_based_on_parent_node(&self, element: &Id, prev: &Id, child: NodeOrText<Id>) {
        if self.nodes.borrow()[*element].parent.is_some() {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &Id) -> Id {
        match &self.nodes.borrow()[*target].data {
            Data::Element {
                template: Some(t), ..
            } => *t,
            _ => *target,
        }
    }

    fn same_node(&self, x: &Id, y: &Id) -> bool {
        self.charge(1);
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &Id, child: NodeOrText<Id>) {
        let (parent, index) = {
            let nodes = self.nodes.borrow();
            let Some(parent) = nodes[*sibling].parent else {
                return;
            };
            let index = nodes[parent].children.iter().position(|c| c == sibling);
            (parent, index)
        };
        self.insert(parent, index, child);
    }

    fn add_attrs_if_missing(&self, target: &Id, new: Vec<Attribute>) {
        if let Data::Element { attrs, .. } = &mut self.nodes.borrow_mut()[*target].data {
            for a in new {
                if !attrs.iter().any(|b| b.name == a.name) {
                    attrs.push(a);
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &Id) {
        Self::detach(&mut self.nodes.borrow_mut(), *target);
    }

    fn reparent_children(&self, node: &Id, new_parent: &Id) {
        let mut nodes = self.nodes.borrow_mut();
        let children = std::mem::take(&mut nodes[*node].children);
        for &c in &children {
            nodes[c].parent = Some(*new_parent);
        }
        nodes[*new_parent].children.extend(children);
    }

    fn set_current_line(&self, line: u64) {
        self.line.set(u32::try_from(line).unwrap_or(u32::MAX));
    }
}
