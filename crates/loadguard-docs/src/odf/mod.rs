//! OpenDocument (ODT, ODS, ODP, as LibreOffice, OpenOffice and Google Docs
//! write them) as the office suite shows it and as an extractor reads it.
//! The container layer reads the zip and hands in `content.xml`,
//! `styles.xml` and `meta.xml`; this module reads their XML with quick-xml
//! on local names, like the Word reader (`docx.rs`), because the scanner
//! must see the styles a text extractor ignores.
//!
//! Formatting is resolved as the suite resolves it: the family's default
//! style, then the named style's `style:parent-style-name` chain (common
//! styles in `styles.xml`, automatic ones in either part), then each
//! enclosing span. Text is hidden when its text properties say
//! `text:display="none"` (LibreOffice's hidden characters), when it is set
//! under one point, when its colour is the background's (highlight,
//! paragraph or cell background, page background), inside a hidden section,
//! a hidden paragraph or a hidden text field, in a hidden sheet, row or
//! column, or outside the page: comments (`office:annotation`), speaker
//! notes, frame titles and descriptions (alt text) and document metadata.
//! Tracked deletions are not text.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::html::css::{Rgba, WHITE};
use crate::xml::{Visitor, attr, bounded, local, malformed};
use crate::{Document, Hiding, Limits, Place, Segment, Technique};

/// Whether a zip with these member names is an OpenDocument package.
pub fn is_odf<'a>(names: impl Iterator<Item = &'a str>) -> bool {
    let (mut content, mut manifest) = (false, false);
    for n in names {
        content |= n == "content.xml";
        manifest |= n == "META-INF/manifest.xml";
    }
    content && manifest
}

/// Whether the container layer should hand this part to [`document`].
pub fn is_text_part(name: &str) -> bool {
    matches!(name, "content.xml" | "styles.xml" | "meta.xml")
}

/// Package plumbing the suite reads as settings, never as text: the MIME
/// type, the manifest, settings, RDF metadata, LibreOffice's layout cache,
/// thumbnails and the preview images of embedded objects.
pub fn is_package_part(name: &str) -> bool {
    matches!(
        name,
        "mimetype" | "settings.xml" | "manifest.rdf" | "layout-cache"
    ) || name.starts_with("META-INF/")
        || name.starts_with("Thumbnails/")
        || name.starts_with("ObjectReplacements/")
        || name.starts_with("Configurations2/")
}

/// Properties as far as hiding goes; `None` means "not set here".
#[derive(Debug, Clone, Default)]
struct Props {
    display_none: Option<bool>,
    size_pt: Option<f32>,
    colour: Option<Rgba>,
    highlight: Option<Option<Rgba>>,
    /// A paragraph's or cell's background.
    background: Option<Option<Rgba>>,
    /// `table:display="false"`: a hidden sheet.
    table_hidden: Option<bool>,
}

impl Props {
    fn over(&mut self, top: &Props) {
        self.display_none = top.display_none.or(self.display_none);
        self.size_pt = top.size_pt.or(self.size_pt);
        self.colour = top.colour.or(self.colour);
        self.highlight = top.highlight.or(self.highlight);
        self.background = top.background.or(self.background);
        self.table_hidden = top.table_hidden.or(self.table_hidden);
    }
}

fn colour(v: &str) -> Option<Rgba> {
    if v.eq_ignore_ascii_case("transparent") {
        return None;
    }
    crate::html::css::colour(v)
}

/// An absolute font size in points; relative ones (`50%`) are not resolved.
fn points(v: &str) -> Option<f32> {
    let v = v.trim();
    if v.ends_with('%') || v.ends_with("em") {
        return None;
    }
    crate::html::css::length(v, 16.0).map(|px| px * 0.75)
}

/// Applies the attributes of a `style:*-properties` element.
fn properties(e: &BytesStart<'_>, p: &mut Props) {
    match local(e.name().as_ref()) {
        "text-properties" => {
            if let Some(d) = attr(e, "display") {
                p.display_none = Some(d == "none" || d == "condition");
            }
            if let Some(s) = attr(e, "font-size").and_then(|v| points(&v)) {
                p.size_pt = Some(s);
            }
            if attr(e, "use-window-font-color").as_deref() == Some("true") {
                p.colour = None;
            } else if let Some(c) = attr(e, "color").and_then(|v| colour(&v)) {
                p.colour = Some(c);
            }
            if let Some(v) = attr(e, "background-color") {
                p.highlight = Some(colour(&v));
            }
        }
        "paragraph-properties" | "table-cell-properties" => {
            if let Some(v) = attr(e, "background-color") {
                p.background = Some(colour(&v));
            }
        }
        "table-properties" => {
            if let Some(d) = attr(e, "display") {
                p.table_hidden = Some(d == "false");
            }
        }
        _ => {}
    }
}

/// Styles by family and name, with their parents; defaults by family.
#[derive(Debug, Default)]
struct Styles {
    defaults: HashMap<String, Props>,
    named: HashMap<(String, String), (Props, Option<String>)>,
    /// Table columns and rows hidden by their style are not a style
    /// matter in ODF (`table:visibility` is an attribute), so nothing here.
    page_background: Option<Rgba>,
}

impl Styles {
    /// A style with its parent chain (at most 32 deep, so a cycle ends)
    /// over its family's default.
    fn resolve(&self, family: &str, name: Option<&str>) -> Props {
        let mut chain = Vec::new();
        let mut at = name.map(str::to_owned);
        while let Some(cur) = at.take() {
            if chain.len() >= 32 {
                break;
            }
            if let Some((p, parent)) = self.named.get(&(family.to_owned(), cur)) {
                chain.push(p.clone());
                at = parent.clone();
            }
        }
        let mut out = self.defaults.get(family).cloned().unwrap_or_default();
        for p in chain.iter().rev() {
            out.over(p);
        }
        out
    }
}

/// Reads the style definitions of a part (styles or automatic styles).
fn read_styles(part: &str, xml: &[u8], styles: &mut Styles, doc: &mut Document) {
    let mut reader = Reader::from_reader(xml);
    // The style being defined: family, name, properties, parent.
    let mut current: Option<(String, Option<String>, Props, Option<String>)> = None;
    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                malformed(doc, part, reader.error_position(), &e);
                break;
            }
        };
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => match local(e.name().as_ref()) {
                // A style with no properties of its own (only a parent).
                "style" if empty => {
                    if let Some(n) = attr(&e, "name") {
                        styles.named.insert(
                            (attr(&e, "family").unwrap_or_default(), n),
                            (Props::default(), attr(&e, "parent-style-name")),
                        );
                    }
                }
                "style" => {
                    current = Some((
                        attr(&e, "family").unwrap_or_default(),
                        attr(&e, "name"),
                        Props::default(),
                        attr(&e, "parent-style-name"),
                    ));
                }
                "default-style" => {
                    current = Some((
                        attr(&e, "family").unwrap_or_default(),
                        None,
                        Props::default(),
                        None,
                    ));
                }
                "page-layout-properties" => {
                    if let Some(c) = attr(&e, "background-color").and_then(|v| colour(&v)) {
                        styles.page_background = Some(c);
                    }
                }
                // The body starts: no style is defined past here.
                "body" => break,
                _ => {
                    if let Some(c) = &mut current {
                        properties(&e, &mut c.2);
                    }
                }
            },
            Event::End(e) => {
                if matches!(local(e.name().as_ref()), "style" | "default-style")
                    && let Some((family, name, props, parent)) = current.take()
                {
                    match name {
                        Some(n) => {
                            styles.named.insert((family, n), (props, parent));
                        }
                        None => {
                            styles.defaults.insert(family, props);
                        }
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
}

/// Reads an OpenDocument package from its parts (name, bytes).
pub fn document(parts: &[(&str, &[u8])], limits: &Limits) -> Document {
    let mut doc = Document::default();
    let mut styles = Styles::default();
    let part = |n: &str| parts.iter().find(|(name, _)| *name == n).map(|(_, x)| *x);
    // Common styles first: automatic styles in content.xml may be based
    // on them.
    for name in ["styles.xml", "content.xml"] {
        if let Some(xml) = part(name) {
            let xml = bounded(name, xml, limits, &mut Document::default());
            read_styles(name, xml, &mut styles, &mut doc);
        }
    }
    if let Some(xml) = part("content.xml") {
        let xml = bounded("content.xml", xml, limits, &mut doc);
        Body::new("content.xml", &styles, limits, &mut doc).read(xml);
    }
    if let Some(xml) = part("styles.xml") {
        // Headers and footers of the master pages are page text.
        let xml = bounded("styles.xml", xml, limits, &mut doc);
        Body::new("styles.xml", &styles, limits, &mut doc).read(xml);
    }
    if let Some(xml) = part("meta.xml") {
        let xml = bounded("meta.xml", xml, limits, &mut doc);
        meta(xml, &mut doc);
    }
    doc
}

/// Title, subject, description, keywords and user-defined properties: text
/// no page shows.
fn meta(xml: &[u8], doc: &mut Document) {
    let mut reader = Reader::from_reader(xml);
    let mut field: Option<String> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let qname = e.name();
                let n = local(qname.as_ref());
                field = match n {
                    "title" | "subject" | "description" | "keyword" => Some(n.to_owned()),
                    "user-defined" => Some(format!(
                        "user-defined {:?}",
                        attr(&e, "name").unwrap_or_default()
                    )),
                    _ => None,
                };
            }
            Ok(Event::Text(t)) => {
                if let Some(f) = &field {
                    let text = t.xml10_content().into_owned();
                    if text.trim().is_empty() {
                        continue;
                    }
                    doc.segments.push(Segment {
                        text,
                        place: Place {
                            part: Some("meta.xml".to_owned()),
                            logical: Some(format!("document property {f}")),
                            ..Place::default()
                        },
                        hidden: Some(Hiding::new(
                            Technique::Attribute,
                            format!("the document's {f} property"),
                        )),
                        code: false,
                    });
                }
            }
            Ok(Event::End(_)) => field = None,
            Ok(Event::Eof) => break,
            Err(e) => {
                malformed(doc, "meta.xml", reader.error_position(), &e);
                break;
            }
            _ => {}
        }
    }
}

/// What an open element does to the text inside it.
#[derive(Debug, Clone)]
struct Frame {
    name: String,
    props: Props,
    /// Hidden as a whole (a section, a sheet, a row, a comment...).
    hidden: Option<Hiding>,
    /// Not text at all (tracked deletions, a comment's author and date).
    skip: bool,
}

/// Where the walk is inside a sheet.
#[derive(Debug, Default)]
struct Sheet {
    name: String,
    row: u64,
    column: u64,
    /// Hidden column ranges `[start, end)`, in order.
    hidden_columns: Vec<(u64, u64)>,
    /// The next column a `table:table-column` declares.
    declared: u64,
}

/// The body of a part: paragraphs, spans, sheets, slides, comments.
struct Body<'a> {
    part: &'a str,
    styles: &'a Styles,
    limits: &'a Limits,
    doc: &'a mut Document,
    stack: Vec<Frame>,
    paragraph: usize,
    paragraph_at: u64,
    /// The open paragraph's pieces of text and how each is hidden, kept
    /// until its end: a `text:hidden-paragraph` anywhere in it hides it all.
    paragraph_text: crate::Paragraph,
    hidden_paragraph: Option<Hiding>,
    sheet: Option<Sheet>,
    /// The slide or drawing page being read.
    page: Option<String>,
    /// Inside `svg:title` or `svg:desc`.
    alt: Option<&'static str>,
    elements: usize,
    /// Past the start of the body (or the master pages).
    in_text: bool,
}

impl<'a> Body<'a> {
    fn new(part: &'a str, styles: &'a Styles, limits: &'a Limits, doc: &'a mut Document) -> Self {
        Self {
            part,
            styles,
            limits,
            doc,
            stack: vec![Frame {
                name: String::new(),
                props: Props::default(),
                hidden: None,
                skip: false,
            }],
            paragraph: 0,
            paragraph_at: 0,
            paragraph_text: crate::Paragraph::default(),
            hidden_paragraph: None,
            sheet: None,
            page: None,
            alt: None,
            elements: 0,
            in_text: false,
        }
    }

    fn top(&self) -> &Frame {
        // The root frame is never popped.
        &self.stack[self.stack.len() - 1]
    }

    fn read(mut self, xml: &[u8]) {
        let part = self.part;
        crate::xml::walk(part, xml, &mut self);
        self.end_paragraph();
    }

    fn here(&self) -> Place {
        let logical = match (&self.sheet, &self.page) {
            (Some(s), _) => format!(
                "sheet {:?}, row {}, column {}",
                s.name,
                s.row,
                s.column.max(1)
            ),
            (None, Some(p)) => format!("page {p:?}, paragraph {}", self.paragraph),
            (None, None) => format!("paragraph {}", self.paragraph),
        };
        Place {
            part: Some(self.part.to_owned()),
            logical: Some(logical),
            offset: Some(self.paragraph_at),
            line: None,
        }
    }

    fn open(&mut self, e: &BytesStart<'_>, name: &str, at: u64, empty: bool) {
        self.elements += 1;
        let parent = self.top().clone();
        let mut frame = Frame {
            name: name.to_owned(),
            props: parent.props.clone(),
            hidden: parent.hidden.clone(),
            skip: parent.skip,
        };
        let style = attr(e, "style-name");
        match name {
            "p" | "h" => {
                // A paragraph inside another (a comment's, a text box's, a
                // footnote's) continues the one it sits in.
                if self
                    .stack
                    .iter()
                    .any(|f| matches!(f.name.as_str(), "p" | "h"))
                {
                    self.push_text("\n");
                } else {
                    self.end_paragraph();
                    self.paragraph += 1;
                    self.paragraph_at = at;
                }
                // A paragraph's text properties come from its own style
                // chain, over what a cell or frame gives it.
                frame
                    .props
                    .over(&self.styles.resolve("paragraph", style.as_deref()));
            }
            "span" | "a" if style.is_some() => {
                frame
                    .props
                    .over(&self.styles.resolve("text", style.as_deref()));
            }
            "section" => {
                let display = attr(e, "display");
                if matches!(display.as_deref(), Some("none" | "condition")) {
                    frame.hidden.get_or_insert_with(|| {
                        Hiding::new(
                            Technique::Style,
                            format!(
                                "a hidden section {:?} (text:display)",
                                attr(e, "name").unwrap_or_default()
                            ),
                        )
                    });
                }
            }
            "hidden-paragraph" if attr(e, "is-hidden").as_deref() != Some("false") => {
                self.hidden_paragraph = Some(Hiding::new(
                    Technique::Style,
                    format!(
                        "a hidden paragraph (text:hidden-paragraph) {}",
                        self.paragraph
                    ),
                ));
            }
            "hidden-text" => {
                if attr(e, "is-hidden").as_deref() != Some("false")
                    && let Some(v) = attr(e, "string-value")
                {
                    let how = Hiding::new(
                        Technique::Style,
                        format!(
                            "a hidden text field (text:hidden-text) in paragraph {}",
                            self.paragraph
                        ),
                    );
                    self.paragraph_text.push(Some(how), &v);
                    frame.skip = true;
                }
            }
            "annotation" => {
                frame.hidden = Some(Hiding::new(
                    Technique::Comment,
                    format!(
                        "a comment (office:annotation) in paragraph {}",
                        self.paragraph
                    ),
                ));
            }
            // A comment's author and date, the deleted text of tracked
            // changes: not text a reader or extractor takes as content.
            "creator" | "date" | "date-string" if parent.name == "annotation" => frame.skip = true,
            "tracked-changes" => frame.skip = true,
            "notes" => {
                frame.hidden = Some(Hiding::new(
                    Technique::Comment,
                    "speaker notes (presentation:notes)".to_owned(),
                ));
            }
            "page" => self.page = attr(e, "name"),
            // A drawing's title and description; `text:title` is a field
            // that shows the document's title on the page.
            "title" | "desc"
                if !empty && !matches!(parent.name.as_str(), "p" | "h" | "span" | "a") =>
            {
                self.alt = Some(if name == "title" {
                    "title"
                } else {
                    "description"
                });
            }
            "table" => {
                let props = self.styles.resolve("table", style.as_deref());
                let sheet = attr(e, "name").unwrap_or_default();
                if props.table_hidden == Some(true)
                    || attr(e, "display").as_deref() == Some("false")
                {
                    frame.hidden.get_or_insert_with(|| {
                        Hiding::new(Technique::Style, format!("a hidden sheet {sheet:?}"))
                    });
                }
                self.sheet = Some(Sheet {
                    name: sheet,
                    ..Sheet::default()
                });
            }
            "table-column" => self.column_declared(e),
            "table-row" => {
                if let Some(s) = &mut self.sheet {
                    s.row += 1;
                    s.column = 0;
                }
                let visibility = attr(e, "visibility");
                if matches!(visibility.as_deref(), Some("collapse" | "filter")) {
                    let row = self.sheet.as_ref().map_or(0, |s| s.row);
                    frame.hidden.get_or_insert_with(|| {
                        Hiding::new(
                            Technique::Style,
                            format!("a hidden row {row} (table:visibility)"),
                        )
                    });
                }
            }
            "table-cell" | "covered-table-cell" => self.cell(e, &mut frame, style.as_deref()),
            "s" => {
                let n = attr(e, "c")
                    .and_then(|c| c.parse::<usize>().ok())
                    .unwrap_or(1);
                self.push_text(&" ".repeat(n.min(64)));
            }
            "tab" => self.push_text("\t"),
            "line-break" => self.push_text("\n"),
            _ => {}
        }
        if !empty {
            self.stack.push(frame);
        }
    }

    /// A `table:table-column` declaration: hidden columns are remembered
    /// for the cells of every row.
    fn column_declared(&mut self, e: &BytesStart<'_>) {
        let Some(s) = &mut self.sheet else { return };
        let n = attr(e, "number-columns-repeated")
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(1)
            .max(1);
        let start = s.declared;
        s.declared = s.declared.saturating_add(n);
        if !matches!(
            attr(e, "visibility").as_deref(),
            Some("collapse" | "filter")
        ) {
            return;
        }
        if s.hidden_columns.len() < crate::MAX_HIDDEN_RANGES {
            s.hidden_columns.push((start, s.declared));
        } else if s.hidden_columns.len() == crate::MAX_HIDDEN_RANGES {
            // One marker range past the limit, so this is said once.
            s.hidden_columns.push((0, 0));
            let why = format!(
                "more than {} hidden column ranges in sheet {:?}: cells in later ones are judged visible",
                crate::MAX_HIDDEN_RANGES,
                s.name
            );
            let place = self.here();
            self.doc.incomplete.push((place, why));
        }
    }

    /// A cell: its column (hidden or not) and its style's text and
    /// background.
    fn cell(&mut self, e: &BytesStart<'_>, frame: &mut Frame, style: Option<&str>) {
        let repeat = attr(e, "number-columns-repeated")
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(1)
            .max(1);
        if let Some(s) = &mut self.sheet {
            s.column = s.column.saturating_add(1);
            let col = s.column - 1;
            if s.hidden_columns.iter().any(|&(a, b)| (a..b).contains(&col)) {
                let column = s.column;
                frame.hidden.get_or_insert_with(|| {
                    Hiding::new(
                        Technique::Style,
                        format!("a hidden column {column} (table:visibility)"),
                    )
                });
            }
            s.column = s.column.saturating_add(repeat - 1);
        }
        if style.is_some() {
            frame.props.over(&self.styles.resolve("table-cell", style));
        }
    }

    fn close(&mut self, name: &str) {
        if self.stack.len() > 1 && self.top().name == name {
            self.stack.pop();
        }
        match name {
            "p" | "h"
                if !self
                    .stack
                    .iter()
                    .any(|f| matches!(f.name.as_str(), "p" | "h")) =>
            {
                self.end_paragraph();
            }
            "title" | "desc" => self.alt = None,
            "table" => self.sheet = None,
            "page" => self.page = None,
            _ => {}
        }
    }

    /// How text in the current frame is hidden, if it is.
    fn hiding(&self) -> Option<Hiding> {
        let frame = self.top();
        if let Some(h) = &frame.hidden {
            return Some(h.clone());
        }
        if let Some(a) = self.alt {
            return Some(Hiding::new(
                Technique::Attribute,
                format!("a frame's {a} (alt text)"),
            ));
        }
        let p = &frame.props;
        let para = self.paragraph;
        if p.display_none == Some(true) {
            return Some(Hiding::new(
                Technique::Style,
                format!("hidden characters (text:display=\"none\") in paragraph {para}"),
            ));
        }
        if let Some(pt) = p.size_pt
            && pt < 1.0
        {
            return Some(Hiding::new(
                Technique::Tiny,
                format!("{pt:.1}-point text in paragraph {para}"),
            ));
        }
        if let Some(c) = p.colour {
            let bg = p
                .highlight
                .flatten()
                .or(p.background.flatten())
                .or(self.styles.page_background)
                .unwrap_or(WHITE);
            if c.near(bg) {
                return Some(Hiding::new(
                    Technique::SameColour,
                    format!(
                        "text coloured {} on a {} background in paragraph {para}",
                        c.hex(),
                        bg.hex()
                    ),
                ));
            }
        }
        None
    }

    fn push_text(&mut self, t: &str) {
        if self.top().skip {
            return;
        }
        let hiding = self.hiding();
        self.paragraph_text.push(hiding, t);
    }

    /// Emits the open paragraph's text, merged into runs that are hidden
    /// the same way.
    fn end_paragraph(&mut self) {
        let whole = self.hidden_paragraph.take();
        for (hidden, text) in self.paragraph_text.take(whole.as_ref()) {
            self.doc.segments.push(Segment {
                text,
                place: self.here(),
                hidden,
                code: false,
            });
        }
    }
}

impl Visitor for Body<'_> {
    fn start(&mut self, e: &BytesStart<'_>, at: u64, empty: bool) {
        // Style definitions come before the body; in styles.xml only the
        // master pages hold text.
        let qname = e.name();
        let name = local(qname.as_ref());
        if matches!(name, "body" | "master-styles") {
            self.in_text = true;
        }
        if self.in_text {
            self.open(e, name, at, empty);
        }
    }

    fn end(&mut self, name: &str) {
        if self.in_text {
            self.close(name);
        }
    }

    fn text(&mut self, text: &str) {
        if self.in_text {
            self.push_text(text);
        }
    }

    fn over_limit(&self) -> Option<String> {
        (self.elements > self.limits.max_nodes).then(|| {
            format!(
                "more than {} elements: the rest of {} was not read",
                self.limits.max_nodes, self.part
            )
        })
    }

    fn place(&self) -> Place {
        self.here()
    }

    fn doc(&mut self) -> &mut Document {
        self.doc
    }
}

#[cfg(test)]
mod tests;
