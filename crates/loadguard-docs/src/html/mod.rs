//! HTML as a browser shows it and as an extractor reads it. html5ever
//! builds the tree a browser builds; the walk below computes, for every
//! text node, whether a human sees it (the CSS of [`css`] applied: inline
//! styles and `<style>` sheets, inherited the way CSS inherits), and hands
//! each run of text to the judge as visible or hidden, with how it is
//! hidden and its source line. Comments, `<template>` contents, `<noscript>`
//! and text in attributes (`alt`, `title`, `aria-label`, `<meta>`
//! descriptions, hidden inputs) are text an extractor or a model reading
//! the raw page gets and a reader does not see.
//!
//! `aria-hidden="true"` hides nothing from the eye (it hides from screen
//! readers), so its text is judged as visible text.

mod budget;
pub(crate) mod css;
mod sink;

use html5ever::tree_builder::TreeBuilderOpts;

use crate::{Document, Hiding, Limits, Place, Segment, Technique};
use css::{ElementInfo, Rgba, Sheet, WHITE};
use sink::{Data, Dom, Id};

/// Elements that end a line of visible text.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
    "title",
    "caption",
    "summary",
    "details",
    "body",
    "html",
    "head",
    "option",
    "label",
    "button",
];

/// Attributes whose text an extractor or a model reading the page may get.
const TEXT_ATTRIBUTES: &[&str] = &[
    "alt",
    "title",
    "aria-label",
    "aria-description",
    "placeholder",
];

/// What the walk knows about an element and its ancestors.
#[derive(Clone)]
struct State {
    /// Hidden with its whole subtree (display, opacity, off-screen, clip,
    /// `<template>`, `<noscript>`): children cannot undo it.
    gone: Option<Hiding>,
    /// `visibility: hidden`: a child with `visibility: visible` shows.
    invisible: Option<Hiding>,
    font_px: f32,
    /// Where the font size was made tiny, when it was.
    font_how: Option<String>,
    colour: Option<(Rgba, String)>,
    /// The nearest background colour; `None` when it is an image or a
    /// gradient (nothing can be said about contrast).
    background: Option<Rgba>,
    /// Inside `<pre>`/`<code>`.
    code: bool,
    /// Inside `<script>`, `<style>` or another element whose text is not text.
    raw: bool,
}

impl State {
    fn root() -> Self {
        Self {
            gone: None,
            invisible: None,
            font_px: 16.0,
            font_how: None,
            colour: None,
            background: Some(WHITE),
            code: false,
            raw: false,
        }
    }

    /// How text in this state is hidden from a reader, if it is.
    fn hiding(&self) -> Option<Hiding> {
        if let Some(h) = self.gone.as_ref().or(self.invisible.as_ref()) {
            return Some(h.clone());
        }
        if self.font_px < 1.0 {
            return Some(Hiding {
                technique: Technique::Tiny,
                how: self
                    .font_how
                    .clone()
                    .unwrap_or_else(|| format!("font-size {:.2}px", self.font_px)),
            });
        }
        if let Some((c, how)) = &self.colour {
            if c.3 < 13 {
                return Some(Hiding {
                    technique: Technique::SameColour,
                    how: format!("{how} (transparent)"),
                });
            }
            if let Some(bg) = self.background
                && c.near(bg)
            {
                return Some(Hiding {
                    technique: Technique::SameColour,
                    how: format!("{how} on a {} background", bg.hex()),
                });
            }
        }
        None
    }
}

/// Parses `data` (decoded as UTF-8, invalid bytes replaced) and returns its
/// text as segments.
pub(crate) fn document(data: &[u8], limits: &Limits) -> Document {
    document_with(data, limits, None)
}

/// Finds the text of a linked stylesheet by its `href` (a file of the same
/// package); `None` when there is none.
pub(crate) type Linked<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Linked stylesheets one document applies at most.
const MAX_LINKED: usize = 64;

/// Like [`document`], with `<link rel="stylesheet">` sheets applied where
/// `linked` finds them.
pub(crate) fn document_with(data: &[u8], limits: &Limits, linked: Option<Linked<'_>>) -> Document {
    let mut doc = Document::default();
    let data = if data.len() as u64 > limits.max_bytes {
        doc.incomplete.push((
            Place::default(),
            format!(
                "{} bytes, over the {}-byte document limit: only the first {} were read",
                data.len(),
                limits.max_bytes,
                limits.max_bytes
            ),
        ));
        &data[..usize::try_from(limits.max_bytes).unwrap_or(usize::MAX)]
    } else {
        data
    };
    let text = String::from_utf8_lossy(data);
    let opts = TreeBuilderOpts {
        // Text inside <noscript> is parsed as markup, the way a reader
        // without JavaScript and most extractors see it.
        scripting_enabled: false,
        ..TreeBuilderOpts::default()
    };
    let (dom, cut) = budget::parse(&text, opts, limits.max_nodes);
    if let Some(cut) = cut {
        doc.incomplete.push((
            Place::line(u32::try_from(cut.line).unwrap_or(u32::MAX)),
            format!(
                "the HTML was read only up to line {}: {}; the rest was not read",
                cut.line, cut.why
            ),
        ));
    }
    Walk::new(&dom, limits, &mut doc, linked).run();
    doc
}

fn attr<'a>(dom: &'a Dom, id: Id, name: &str) -> Option<&'a str> {
    match &dom.nodes[id].data {
        Data::Element { attrs, .. } => attrs
            .iter()
            .find(|a| str::eq_ignore_ascii_case(&a.name.local, name))
            .map(|a| &*a.value),
        _ => None,
    }
}

enum Step {
    Enter(Id),
    Exit(bool),
}

struct Walk<'a> {
    dom: &'a Dom,
    limits: &'a Limits,
    doc: &'a mut Document,
    sheet: Sheet,
    /// The open text run: its hiding, its element of origin, text, line.
    run: Option<(Option<Hiding>, bool, String, u32)>,
    /// A block boundary was crossed since the run's last text.
    boundary: bool,
}

impl<'a> Walk<'a> {
    fn new(
        dom: &'a Dom,
        limits: &'a Limits,
        doc: &'a mut Document,
        linked: Option<Linked<'_>>,
    ) -> Self {
        let mut sheet = Sheet::default();
        let screen = |id: Id| {
            attr(dom, id, "media").is_none_or(|m| !m.to_ascii_lowercase().contains("print"))
        };
        let mut links = 0usize;
        for (id, n) in dom.nodes.iter().enumerate() {
            if let Data::Element { name, .. } = &n.data
                && &*name.local == "link"
                && let Some(find) = linked
            {
                let rel = attr(dom, id, "rel")
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let mut tokens = rel.split_ascii_whitespace();
                let stylesheet = tokens.clone().any(|t| t == "stylesheet");
                if !stylesheet || tokens.any(|t| t == "alternate") || !screen(id) {
                    continue;
                }
                let Some(href) = attr(dom, id, "href") else {
                    continue;
                };
                links += 1;
                if links > MAX_LINKED {
                    if links > MAX_LINKED + 1 {
                        continue;
                    }
                    doc.incomplete.push((
                        Place::line(dom.nodes[id].line),
                        format!(
                            "more than {MAX_LINKED} linked stylesheets: the rest were not applied, and text they hide is judged visible"
                        ),
                    ));
                    continue;
                }
                if let Some(css) = find(href) {
                    sheet.add(&css);
                }
                continue;
            }
            if let Data::Element { name, .. } = &n.data
                && &*name.local == "style"
            {
                let css: String = n
                    .children
                    .iter()
                    .filter_map(|&c| match &dom.nodes[c].data {
                        Data::Text(t) => Some(t.as_str()),
                        _ => None,
                    })
                    .collect();
                if screen(id) {
                    sheet.add(&css);
                }
            }
        }
        if sheet.dropped > 0 {
            doc.incomplete.push((
                Place::default(),
                format!(
                    "{} style rules past the limit of {} were not applied: text they hide is judged visible",
                    sheet.dropped,
                    Sheet::MAX_RULES
                ),
            ));
        }
        Self {
            dom,
            limits,
            doc,
            sheet,
            run: None,
            boundary: false,
        }
    }

    fn run(mut self) {
        let dom = self.dom;
        let mut states = vec![State::root()];
        let mut path: Vec<ElementInfo<'a>> = Vec::new();
        let mut stack = vec![Step::Enter(0)];
        let mut visited = 0usize;
        while let Some(step) = stack.pop() {
            let id = match step {
                Step::Exit(block) => {
                    states.pop();
                    path.pop();
                    if block {
                        self.boundary = true;
                    }
                    continue;
                }
                Step::Enter(id) => id,
            };
            visited += 1;
            if visited > self.limits.max_nodes {
                self.doc.incomplete.push((
                    Place::line(dom.nodes[id].line),
                    format!(
                        "more than {} nodes: the rest of the page was not read",
                        self.limits.max_nodes
                    ),
                ));
                break;
            }
            let node = &dom.nodes[id];
            let state = states.last().cloned().unwrap_or_else(State::root);
            match &node.data {
                Data::Text(t) => {
                    if !state.raw {
                        self.text(t, &state, node.line);
                    }
                }
                Data::Comment(c) => self.extra(
                    c,
                    Technique::Comment,
                    "an HTML comment".to_owned(),
                    node.line,
                ),
                Data::Document | Data::Other => {
                    stack.extend(node.children.iter().rev().map(|&c| Step::Enter(c)));
                }
                Data::Element { name, template, .. } => {
                    let tag: &str = &name.local;
                    let info = ElementInfo {
                        tag,
                        id: attr(dom, id, "id"),
                        classes: attr(dom, id, "class")
                            .map(|c| c.split_whitespace().collect())
                            .unwrap_or_default(),
                        attrs: match &node.data {
                            Data::Element { attrs, .. } => {
                                attrs.iter().map(|a| (&*a.name.local, &*a.value)).collect()
                            }
                            _ => Vec::new(),
                        },
                    };
                    path.push(info);
                    let next = self.element(id, tag, &state, &path);
                    self.attributes(id, tag);
                    let block = BLOCKS.contains(&tag);
                    if block {
                        self.boundary = true;
                    }
                    states.push(next);
                    stack.push(Step::Exit(block));
                    if let Some(t) = template {
                        stack.extend(dom.nodes[*t].children.iter().rev().map(|&c| Step::Enter(c)));
                    }
                    stack.extend(node.children.iter().rev().map(|&c| Step::Enter(c)));
                }
            }
        }
        self.flush();
    }

    /// The state inside element `id`, from its parent's and its styles.
    fn element(&mut self, id: Id, tag: &str, parent: &State, path: &[ElementInfo<'_>]) -> State {
        let dom = self.dom;
        let line = dom.nodes[id].line;
        let mut s = parent.clone();
        let here = |what: String| format!("{what} on <{tag}> (line {line})");
        if matches!(
            tag,
            "script" | "style" | "svg" | "math" | "iframe" | "object" | "canvas"
        ) {
            s.raw = true;
        }
        if matches!(tag, "pre" | "code" | "kbd" | "samp") {
            s.code = true;
        }
        if s.gone.is_none() {
            if tag == "template" {
                s.gone = Some(Hiding::new(
                    Technique::Style,
                    here("inert <template> content".into()),
                ));
            } else if tag == "noscript" {
                s.gone = Some(Hiding::new(
                    Technique::Style,
                    here("<noscript> (shown only without JavaScript)".into()),
                ));
            }
        }
        let inline = attr(dom, id, "style")
            .map(css::declarations)
            .unwrap_or_default();
        let decls = self.sheet.cascade(path, &inline);
        let mut display_none = attr(dom, id, "hidden")
            .is_some()
            .then(|| "the hidden attribute".to_owned());
        let mut positioned = false;
        let (mut width, mut height, mut overflow_hidden) = (None, None, false);
        let mut offset: Option<(String, f32)> = None;
        let mut clipped: Option<String> = None;
        for d in &decls {
            let v = d.value.to_ascii_lowercase();
            let v = v.trim();
            let shown = || format!("{}: {}", d.property, d.value);
            match d.property.as_str() {
                "display" => display_none = (v == "none").then(shown),
                "visibility" => {
                    s.invisible = match v {
                        "hidden" | "collapse" => Some(Hiding::new(Technique::Style, here(shown()))),
                        "visible" => None,
                        _ => s.invisible.take(),
                    }
                }
                "content-visibility" if v == "hidden" => {
                    display_none = Some(shown());
                }
                "opacity" => {
                    let o = v
                        .strip_suffix('%')
                        .and_then(|p| p.parse::<f32>().ok().map(|p| p / 100.0))
                        .or_else(|| v.parse::<f32>().ok());
                    if o.is_some_and(|o| o <= 0.05) && s.gone.is_none() {
                        s.gone = Some(Hiding::new(Technique::Style, here(shown())));
                    }
                }
                "filter"
                    if (v.contains("opacity(0)") || v.contains("opacity(0%)"))
                        && s.gone.is_none() =>
                {
                    s.gone = Some(Hiding::new(Technique::Style, here(shown())));
                }
                "font-size" => {
                    if let Some(px) = css::length(v, parent.font_px) {
                        s.font_px = px;
                        s.font_how = (px < 1.0).then(|| here(shown()));
                    }
                }
                "font" => {
                    let size = v.split_whitespace().find_map(|t| {
                        css::length(t.split('/').next().unwrap_or(t), parent.font_px)
                    });
                    if let Some(px) = size {
                        s.font_px = px;
                        s.font_how = (px < 1.0).then(|| here(shown()));
                    }
                }
                "color" | "-webkit-text-fill-color" => {
                    if let Some(c) = css::colour(v) {
                        s.colour = Some((c, here(shown())));
                    }
                }
                "background-color" => {
                    if let Some(c) = css::colour(v) {
                        if c.3 >= 250 {
                            s.background = Some(c);
                        }
                    } else {
                        s.background = None;
                    }
                }
                "background" => {
                    if v.contains("url(") || v.contains("gradient") {
                        s.background = None;
                    } else if let Some(c) = v.split_whitespace().find_map(css::colour)
                        && c.3 >= 250
                    {
                        s.background = Some(c);
                    }
                }
                "background-image" if v != "none" => s.background = None,
                "position" => positioned = matches!(v, "absolute" | "fixed" | "relative"),
                "left" | "top" | "right" | "bottom" | "margin-left" | "margin-top"
                | "text-indent" => {
                    if let Some(px) = css::length(v, s.font_px)
                        && px <= -999.0
                        && (positioned
                            || d.property.starts_with("margin")
                            || d.property == "text-indent")
                    {
                        offset = Some((shown(), px));
                    }
                }
                "clip" => {
                    let nums: Vec<f32> = v
                        .trim_start_matches("rect(")
                        .trim_end_matches(')')
                        .split([',', ' '])
                        .filter_map(|p| css::length(p, s.font_px))
                        .collect();
                    if v.starts_with("rect(") && nums.len() == 4 && nums.iter().all(|n| *n <= 1.0) {
                        clipped = Some(shown());
                    }
                }
                "clip-path"
                    if v.starts_with("inset(50%")
                        || v.starts_with("inset(100%")
                        || v.starts_with("circle(0") =>
                {
                    clipped = Some(shown());
                }
                "width" | "max-width" => width = css::length(v, s.font_px),
                "height" | "max-height" => height = css::length(v, s.font_px),
                "overflow" => overflow_hidden = matches!(v, "hidden" | "clip"),
                "transform" if v.contains("scale(0)") || v.contains("scale(0,") => {
                    clipped = Some(shown());
                }
                _ => {}
            }
        }
        if s.gone.is_none() {
            if let Some(how) = display_none {
                s.gone = Some(Hiding::new(Technique::Style, here(how)));
            } else if let Some((how, _)) = offset {
                s.gone = Some(Hiding::new(Technique::Offscreen, here(how)));
            } else if let Some(how) = clipped {
                s.gone = Some(Hiding::new(Technique::Offscreen, here(how)));
            } else if overflow_hidden
                && (width.is_some_and(|w| w <= 1.0) || height.is_some_and(|h| h <= 1.0))
            {
                s.gone = Some(Hiding::new(
                    Technique::Offscreen,
                    here("a box of at most 1px with overflow: hidden".into()),
                ));
            }
        }
        s
    }

    /// Text in attributes, judged where it stands.
    fn attributes(&mut self, id: Id, tag: &str) {
        let dom = self.dom;
        let line = dom.nodes[id].line;
        for a in TEXT_ATTRIBUTES {
            if let Some(v) = attr(dom, id, a) {
                self.extra(
                    v,
                    Technique::Attribute,
                    format!("the {a} attribute of <{tag}>"),
                    line,
                );
            }
        }
        let meta_text = tag == "meta"
            && attr(dom, id, "name")
                .or_else(|| attr(dom, id, "property"))
                .is_some_and(|n| {
                    let n = n.to_ascii_lowercase();
                    n.contains("description") || n.contains("keywords") || n.ends_with("title")
                });
        let hidden_input = tag == "input"
            && attr(dom, id, "type").is_some_and(|t| t.eq_ignore_ascii_case("hidden"));
        if (meta_text || hidden_input)
            && let Some(v) = attr(dom, id, if meta_text { "content" } else { "value" })
        {
            self.extra(
                v,
                Technique::Attribute,
                format!("a <{tag}> element's content"),
                line,
            );
        }
    }

    /// Text that is never on the page (comments, attributes): a segment of
    /// its own.
    fn extra(&mut self, text: &str, technique: Technique, how: String, line: u32) {
        if text.trim().is_empty() {
            return;
        }
        self.doc.segments.push(Segment {
            text: text.to_owned(),
            place: Place::line(line),
            hidden: Some(Hiding::new(technique, how)),
            code: false,
        });
    }

    fn text(&mut self, t: &str, state: &State, line: u32) {
        if t.trim().is_empty() {
            if self.run.is_some() {
                self.boundary |= t.contains('\n') && state.code;
            }
            return;
        }
        let hiding = state.hiding();
        let same = self.run.as_ref().is_some_and(|(h, code, _, _)| {
            *h == hiding && *code == state.code && (hiding.is_some() || !self.boundary)
        });
        if !same {
            self.flush();
            self.run = Some((hiding, state.code, String::new(), line));
        }
        self.boundary = false;
        if let Some((_, _, text, _)) = &mut self.run {
            if !text.is_empty()
                && !text.ends_with(char::is_whitespace)
                && !t.starts_with(char::is_whitespace)
            {
                text.push(' ');
            }
            text.push_str(t);
        }
    }

    fn flush(&mut self) {
        if let Some((hidden, code, text, line)) = self.run.take() {
            self.doc.segments.push(Segment {
                text,
                place: Place::line(line),
                hidden,
                code,
            });
        }
    }
}

#[cfg(test)]
mod tests;
