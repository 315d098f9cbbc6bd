//! Documents before ingestion: the files a retrieval pipeline embeds and
//! later pastes into a prompt. Each format is parsed for two readings at
//! once, what a human reader sees and what a model is given, and the
//! difference is the finding: text hidden by styling, size, colour,
//! position, comments or attributes, with how it is hidden and where. The
//! visible text goes through the agent-text engine for instructions
//! planted among ordinary prose. Bytes in, findings out; no I/O (a DOCX's
//! parts are handed in by the container layer that read the zip).
#![forbid(unsafe_code)]

pub mod campaign;
pub mod docx;
mod drawingml;
pub mod epub;
mod html;
mod judge;
pub mod odf;
pub mod parquet;
mod pdf;
pub mod pptx;
pub mod rules;
mod table;
pub mod xlsx;
mod xml;

use loadguard_core::{Finding, Location, Rule, Severity};

/// The document formats this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Html,
    Docx,
    /// OpenDocument: ODT, ODS, ODP.
    Odf,
    Xlsx,
    Pptx,
    Epub,
    Text,
    Markdown,
    Jsonl,
    Csv,
    Pdf,
    Parquet,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::Docx => "docx",
            Self::Odf => "opendocument",
            Self::Xlsx => "xlsx",
            Self::Pptx => "pptx",
            Self::Epub => "epub",
            Self::Text => "text",
            Self::Markdown => "markdown",
            Self::Jsonl => "jsonl",
            Self::Csv => "csv",
            Self::Pdf => "pdf",
            Self::Parquet => "parquet",
        }
    }

    /// The kind a file name says, for formats without magic bytes.
    pub fn from_name(name: &str) -> Option<Self> {
        let lower = name.rsplit(['/', '\\']).next()?.to_ascii_lowercase();
        let ext = lower.rsplit_once('.')?.1;
        Some(match ext {
            "html" | "htm" | "xhtml" => Self::Html,
            "txt" | "text" | "eml" => Self::Text,
            "md" | "markdown" | "rst" => Self::Markdown,
            "jsonl" | "ndjson" => Self::Jsonl,
            "csv" | "tsv" => Self::Csv,
            "docx" | "docm" | "dotx" => Self::Docx,
            "odt" | "ods" | "odp" | "odg" | "ott" => Self::Odf,
            "xlsx" | "xlsm" => Self::Xlsx,
            "pptx" | "pptm" => Self::Pptx,
            "epub" => Self::Epub,
            "pdf" => Self::Pdf,
            "parquet" => Self::Parquet,
            _ => return None,
        })
    }
}

/// Explicit limits; each one reached is a finding (rule DOC007).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of one document (or one part of a DOCX) that are parsed.
    pub max_bytes: u64,
    /// HTML nodes or DOCX runs walked.
    pub max_nodes: usize,
    /// Rows of a JSONL or CSV file.
    pub max_rows: usize,
    /// Pages of a PDF.
    pub max_pages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 64 << 20,
            max_nodes: 2_000_000,
            max_rows: 1_000_000,
            max_pages: 10_000,
        }
    }
}

/// How text is kept from a human reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Technique {
    /// `display:none`, `visibility:hidden`, `opacity:0`, the `hidden`
    /// attribute, `<template>`, a Word hidden run.
    Style,
    /// A font size under one point.
    Tiny,
    /// The text's colour is the background's, or transparent.
    SameColour,
    /// Positioned off the screen or page, clipped away, a zero-size box.
    Offscreen,
    /// A comment (HTML, Word): never on the page.
    Comment,
    /// An attribute or property (alt text, title, metadata): never on the page.
    Attribute,
}

impl Technique {
    fn rule(self) -> &'static Rule {
        match self {
            Self::Style => &rules::hidden_style::RULE,
            Self::Tiny => &rules::tiny_text::RULE,
            Self::SameColour => &rules::same_colour_text::RULE,
            Self::Offscreen => &rules::offscreen_text::RULE,
            Self::Comment => &rules::comment_instruction::RULE,
            Self::Attribute => &rules::attribute_instruction::RULE,
        }
    }

    /// Whether text hidden this way is reported when it instructs nobody.
    /// Comments and attributes are everywhere and were never meant to be
    /// read on the page: only an instruction in them is news.
    fn reported_when_plain(self) -> bool {
        !matches!(self, Self::Comment | Self::Attribute)
    }
}

/// How a segment is hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hiding {
    pub technique: Technique,
    /// In words, with the element and line that hide it.
    pub how: String,
}

impl Hiding {
    pub(crate) fn new(technique: Technique, how: String) -> Self {
        Self { technique, how }
    }
}

/// Where a segment is inside its document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub line: Option<u32>,
    /// A part of the document (a DOCX part such as `word/comments.xml`).
    pub part: Option<String>,
    /// A place in words: `paragraph 12`, `row 40, column text`.
    pub logical: Option<String>,
    /// A byte offset inside the part.
    pub offset: Option<u64>,
}

impl Place {
    pub(crate) fn line(line: u32) -> Self {
        Self {
            line: Some(line),
            ..Self::default()
        }
    }

    /// A byte offset in a part of the document.
    pub(crate) fn at(part: &str, offset: u64) -> Self {
        Self {
            part: Some(part.to_owned()),
            offset: Some(offset),
            ..Self::default()
        }
    }

    fn location(&self) -> Location {
        Location {
            members: self.part.iter().cloned().collect(),
            offset: self.offset,
            logical: self.logical.clone(),
            line: self.line,
            ..Location::default()
        }
    }
}

/// A run of text as the document holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub place: Place,
    /// `None` when a human reader sees it.
    pub hidden: Option<Hiding>,
    /// Code (`<pre>`, `<code>`): instructions in it are examples.
    pub code: bool,
}

/// A document's text, and what stopped it from being read whole.
#[derive(Debug, Default)]
pub struct Document {
    pub segments: Vec<Segment>,
    /// Limits reached and parts that could not be parsed: each a finding.
    pub incomplete: Vec<(Place, String)>,
}

/// Text hidden and plain under this many letters is not worth a finding
/// ("Menu", "×").
const MIN_HIDDEN_LETTERS: usize = 12;

impl Document {
    /// Findings for every hidden segment, every instruction in visible
    /// text, and every limit reached.
    pub fn findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        for seg in &self.segments {
            judge_segment(seg, &mut out);
        }
        for (place, why) in &self.incomplete {
            let mut f = Finding::builder(&rules::not_fully_read::RULE, why.clone())
                .at(place.location())
                .build();
            f.occurrences = 1;
            out.push(f);
        }
        out
    }
}

/// The findings of one segment: hidden text judged as hidden, visible
/// text through the agent-text engine.
pub(crate) fn judge_segment(seg: &Segment, out: &mut Vec<Finding>) {
    match &seg.hidden {
        Some(h) => hidden(seg, h, out),
        None => visible(seg, out),
    }
}

fn hidden(seg: &Segment, h: &Hiding, out: &mut Vec<Finding>) {
    let letters = seg.text.chars().filter(|c| c.is_alphabetic()).count();
    let bar = match h.technique {
        Technique::Comment | Technique::Attribute => judge::Bar::Aside,
        _ => judge::Bar::Hidden,
    };
    let reason = judge::instructs(&seg.text, bar);
    let severity = match &reason {
        Some(_) => Severity::High,
        None if h.technique.reported_when_plain() && letters >= MIN_HIDDEN_LETTERS => Severity::Low,
        None => return,
    };
    let message = match &reason {
        Some(r) => format!(
            "text hidden by {} instructs the model that reads it ({r}): {}",
            h.how,
            excerpt(&seg.text)
        ),
        None => format!("text hidden by {}: {}", h.how, excerpt(&seg.text)),
    };
    out.push(
        Finding::builder(h.technique.rule(), message)
            .severity(severity)
            .at(seg.place.location())
            .build(),
    );
}

fn visible(seg: &Segment, out: &mut Vec<Finding>) {
    let (text, kind, shift) = if seg.code {
        (
            format!("```\n{}\n```", seg.text),
            loadguard_text::Kind::Markdown,
            1,
        )
    } else {
        (seg.text.clone(), loadguard_text::Kind::Document, 0)
    };
    for mut f in loadguard_text::scan_text(&text, kind, seg.place.logical.as_deref()) {
        let inner = f.location.line.unwrap_or(1).saturating_sub(shift).max(1);
        let mut at = seg.place.location();
        at.line = seg.place.line.map(|l| l + inner - 1);
        f.location = at;
        out.push(f);
    }
}

/// A hidden text as a finding shows it: decoded, whitespace folded, at
/// most 200 characters.
fn excerpt(s: &str) -> String {
    loadguard_text::quote(s, 200)
}

/// Text gathered while the way it is hidden stays the same (a Word
/// paragraph's runs, a PDF page's text shows).
#[derive(Debug, Default)]
pub(crate) struct Run {
    open: Option<(Option<Hiding>, String)>,
}

impl Run {
    /// Appends text hidden as `hiding` says; returns the run this closes
    /// when the hiding changes.
    pub(crate) fn push(
        &mut self,
        hiding: Option<Hiding>,
        text: &str,
    ) -> Option<(Option<Hiding>, String)> {
        let closed = if self.open.as_ref().is_some_and(|(h, _)| *h != hiding) {
            self.take()
        } else {
            None
        };
        self.open
            .get_or_insert_with(|| (hiding, String::new()))
            .1
            .push_str(text);
        closed
    }

    /// Closes the run: its hiding and text, unless it is only whitespace.
    pub(crate) fn take(&mut self) -> Option<(Option<Hiding>, String)> {
        self.open.take().filter(|(_, t)| !t.trim().is_empty())
    }
}

/// Hidden column ranges remembered per sheet (Excel, OpenDocument); past
/// this, later ranges' cells are judged visible and the sheet is DOC007.
pub(crate) const MAX_HIDDEN_RANGES: usize = 10_000;

/// A paragraph's text as it is gathered, piece by piece, each hidden its
/// own way (OpenDocument spans, PowerPoint runs): kept until the paragraph
/// ends, because something at its end can hide all of it.
#[derive(Debug, Default)]
pub(crate) struct Paragraph {
    pieces: Vec<(Option<Hiding>, String)>,
}

impl Paragraph {
    pub(crate) fn push(&mut self, hiding: Option<Hiding>, text: &str) {
        match self.pieces.last_mut() {
            Some((h, s)) if *h == hiding => s.push_str(text),
            _ => self.pieces.push((hiding, text.to_owned())),
        }
    }

    /// The paragraph's runs, pieces hidden the same way merged and runs of
    /// whitespace left out; `whole` hides every piece not hidden already.
    pub(crate) fn take(&mut self, whole: Option<&Hiding>) -> Vec<(Option<Hiding>, String)> {
        let mut run = Run::default();
        let mut out = Vec::new();
        for (hiding, text) in std::mem::take(&mut self.pieces) {
            let hiding = hiding.or_else(|| whole.cloned());
            out.extend(run.push(hiding, &text));
        }
        out.extend(run.take());
        out
    }
}

/// Parses a document of `kind` into its segments. An office document is a
/// zip: use [`docx::document`], [`xlsx::document`], [`pptx::document`],
/// [`odf::document`] or [`epub::document`] with its parts.
pub fn document(kind: Kind, data: &[u8], limits: &Limits) -> Document {
    match kind {
        Kind::Html => html::document(data, limits),
        Kind::Jsonl => table::jsonl(data, limits),
        Kind::Csv => table::csv(data, limits),
        Kind::Pdf => pdf::document(data, limits),
        Kind::Parquet => parquet::document(data, limits),
        Kind::Text
        | Kind::Markdown
        | Kind::Docx
        | Kind::Odf
        | Kind::Xlsx
        | Kind::Pptx
        | Kind::Epub => table::plain(data, kind, limits),
    }
}

/// Whether bytes are a PDF: `%PDF-` in the first 1,024 bytes, where
/// viewers look for it.
pub fn is_pdf(head: &[u8]) -> bool {
    head.len() >= 5
        && head[..head.len().min(1024)]
            .windows(5)
            .any(|w| w == b"%PDF-")
}

/// Scans one document: its findings.
pub fn scan(kind: Kind, data: &[u8], limits: &Limits) -> Vec<Finding> {
    if kind == Kind::Markdown {
        // Markdown's own hiding (comments, hidden HTML) and code blocks are
        // the agent-text engine's markdown reading.
        let mut doc = Document::default();
        let data = table::bounded(data, limits, &mut doc);
        let mut out = loadguard_text::scan_text(
            &String::from_utf8_lossy(data),
            loadguard_text::Kind::Markdown,
            None,
        );
        out.extend(doc.findings());
        return out;
    }
    document(kind, data, limits).findings()
}
