//! PDF as a viewer paints it and as an extractor reads it. lopdf parses the
//! file (cross-reference, object streams, filters, fonts' encodings and
//! `ToUnicode` maps, each decompression bounded); this module walks every
//! page's content stream, and the form XObjects it draws, with the graphics
//! state a viewer keeps: the transformation matrix, the text matrix, the
//! font size, the fill colour, the text render mode, the clipping
//! rectangle, and the optional-content layers open around the text. Text a
//! viewer does not show is hidden: render mode 3 (invisible) or 7 (clip
//! only), filled in the colour of what is under it, covered by what is
//! drawn over it, set under one point after the matrices, drawn outside the page's crop box or clipped to nothing,
//! or in a layer the document turns off. Annotations, `ActualText`
//! replacements and the document information are text no page shows.
//!
//! What images and filled rectangles paint over or under the text is
//! compared after the page is walked ([`paint`]): text covered by an
//! opaque image or shape drawn later is hidden, and so is text filled in
//! the colour of the shape under it (the page itself is white).
//!
//! Not modelled: shapes other than rectangles, soft masks and images'
//! own transparency (an image is taken as opaque), Type 3 fonts' glyph
//! procedures, JavaScript.

use std::collections::{BTreeSet, HashMap};

use lopdf::content::Content;
use lopdf::{Dictionary, Document as Pdf, Encoding, Object, ObjectId};

mod catalog;
mod paint;

use crate::{Document, Hiding, Limits, Place, Segment, Technique};
use catalog::{hidden_layers, info, page_box, text_string};
use paint::{Paint, Show};

/// Form XObjects drawn inside form XObjects.
const MAX_FORM_DEPTH: usize = 8;

type Matrix = [f32; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn num(o: &Object) -> Option<f32> {
    o.as_float().ok().filter(|f| f.is_finite())
}

fn matrix(ops: &[Object]) -> Option<Matrix> {
    let v: Vec<f32> = ops.iter().filter_map(num).collect();
    (v.len() == 6).then(|| [v[0], v[1], v[2], v[3], v[4], v[5]])
}

#[derive(Clone)]
struct Graphics {
    ctm: Matrix,
    /// Fill colour as RGB 0-1; `None` when a pattern or unknown space.
    fill: Option<[f32; 3]>,
    render: i64,
    font: Vec<u8>,
    size: f32,
    leading: f32,
    /// The clip rectangle in page space, when one was set.
    clip: Option<[f32; 4]>,
    /// Whether fills are opaque (`/ca` 0.95 or more, blend mode Normal).
    opaque: bool,
}

/// What one page (or form) is drawn with.
struct Resources<'a> {
    encodings: HashMap<Vec<u8>, Encoding<'a>>,
    forms: HashMap<Vec<u8>, ObjectId>,
    /// Graphics-state parameter dictionaries (`gs`): whether each leaves
    /// fills opaque.
    opacity: HashMap<Vec<u8>, bool>,
    /// Optional-content groups by their resource name in `/Properties`.
    properties: HashMap<Vec<u8>, &'a Object>,
}

pub(crate) fn document(data: &[u8], limits: &Limits) -> Document {
    let mut doc = Document::default();
    let max = usize::try_from(limits.max_bytes).unwrap_or(usize::MAX);
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(max),
        ..lopdf::LoadOptions::default()
    };
    let loaded = std::panic::catch_unwind(|| Pdf::load_mem_with_options(data, options));
    let pdf = match loaded {
        Ok(Ok(p)) => p,
        Err(_) => {
            doc.incomplete.push((
                Place::default(),
                "the PDF parser failed on this file (a bug in lopdf): its text was not read".into(),
            ));
            return doc;
        }
        Ok(Err(e)) => {
            doc.incomplete.push((
                Place::default(),
                format!("the PDF could not be parsed ({e}): its text was not read"),
            ));
            return doc;
        }
    };
    let off = hidden_layers(&pdf);
    let pages = pdf.get_pages();
    for (&number, &page_id) in &pages {
        if number as usize > limits.max_pages {
            doc.incomplete.push((
                page_place(number),
                format!(
                    "more than {} pages: the rest were not read",
                    limits.max_pages
                ),
            ));
            break;
        }
        let mut page_doc = Document::default();
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Page::new(&pdf, number, page_id, &off, limits, &mut page_doc).read();
        }));
        doc.segments.append(&mut page_doc.segments);
        doc.incomplete.append(&mut page_doc.incomplete);
        if read.is_err() {
            doc.incomplete.push((
                page_place(number),
                "the PDF parser failed on this page (a bug in lopdf): the page was not fully read"
                    .into(),
            ));
        }
    }
    info(&pdf, &mut doc);
    doc
}

fn page_place(number: u32) -> Place {
    Place {
        logical: Some(format!("page {number}")),
        ..Place::default()
    }
}

struct Page<'a> {
    pdf: &'a Pdf,
    number: u32,
    id: ObjectId,
    off: &'a BTreeSet<ObjectId>,
    limits: &'a Limits,
    doc: &'a mut Document,
    /// The crop box (or media box) in default user space.
    box_: [f32; 4],
    /// Text shown on the page, in drawing order.
    shows: Vec<Show>,
    /// Shapes and images painted on the page, in drawing order.
    paints: Vec<Paint>,
    /// Drawing order of shows and paints.
    order: usize,
    operations: usize,
    /// Bytes of form XObjects decoded for this page: a form drawn a
    /// million times is decoded a million times, so this is bounded too.
    form_bytes: usize,
}

impl<'a> Page<'a> {
    fn new(
        pdf: &'a Pdf,
        number: u32,
        id: ObjectId,
        off: &'a BTreeSet<ObjectId>,
        limits: &'a Limits,
        doc: &'a mut Document,
    ) -> Self {
        let box_ = page_box(pdf, id).unwrap_or([0.0, 0.0, 612.0, 792.0]);
        Self {
            pdf,
            number,
            id,
            off,
            limits,
            doc,
            box_,
            shows: Vec::new(),
            paints: Vec::new(),
            order: 0,
            operations: 0,
            form_bytes: 0,
        }
    }

    fn read(mut self) {
        let pdf = self.pdf;
        let max = usize::try_from(self.limits.max_bytes).unwrap_or(usize::MAX);
        let content = match pdf.get_page_content_with_limit(self.id, max) {
            Ok(c) => c,
            Err(e) => {
                self.incomplete(format!("the page's content could not be read ({e})"));
                return;
            }
        };
        let resources = self.resources(pdf.get_page_resources(self.id).ok().map(|(d, ids)| {
            let mut all: Vec<&Dictionary> = d.into_iter().collect();
            all.extend(ids.iter().filter_map(|id| pdf.get_dictionary(*id).ok()));
            all
        }));
        let graphics = Graphics {
            ctm: IDENTITY,
            fill: Some([0.0; 3]),
            render: 0,
            font: Vec::new(),
            size: 0.0,
            leading: 0.0,
            clip: None,
            opaque: true,
        };
        self.stream(&content, &resources, graphics, 0, None);
        self.flush();
        if let Ok(annots) = pdf.get_page_annotations(self.id) {
            for a in annots {
                for key in ["Contents", "TU", "Alt"] {
                    if let Ok(v) = a.get_deref(key.as_bytes(), pdf)
                        && let Some(text) = text_string(v)
                    {
                        let kind = a
                            .get(b"Subtype")
                            .and_then(Object::as_name)
                            .map(|n| String::from_utf8_lossy(n).into_owned())
                            .unwrap_or_default();
                        self.segment(
                            text,
                            Some(Hiding::new(
                                Technique::Attribute,
                                format!("the {key} of a {kind} annotation on page {}", self.number),
                            )),
                        );
                    }
                }
            }
        }
    }

    fn incomplete(&mut self, why: String) {
        self.doc.incomplete.push((page_place(self.number), why));
    }

    fn resources(&self, dicts: Option<Vec<&'a Dictionary>>) -> Resources<'a> {
        let pdf = self.pdf;
        let max = usize::try_from(self.limits.max_bytes).unwrap_or(usize::MAX);
        let mut r = Resources {
            encodings: HashMap::new(),
            forms: HashMap::new(),
            opacity: HashMap::new(),
            properties: HashMap::new(),
        };
        for d in dicts.into_iter().flatten() {
            if let Ok(fonts) = d.get_deref(b"Font", pdf).and_then(Object::as_dict) {
                for (name, font) in fonts.iter() {
                    if let Ok((_, Object::Dictionary(f))) = pdf.dereference(font)
                        && let Ok(enc) = f.get_font_encoding_with_limit(pdf, max)
                    {
                        r.encodings.insert(name.clone(), enc);
                    }
                }
            }
            if let Ok(xobjects) = d.get_deref(b"XObject", pdf).and_then(Object::as_dict) {
                for (name, x) in xobjects.iter() {
                    if let Ok(id) = x.as_reference() {
                        r.forms.insert(name.clone(), id);
                    }
                }
            }
            if let Ok(states) = d.get_deref(b"ExtGState", pdf).and_then(Object::as_dict) {
                for (name, st) in states.iter() {
                    if let Ok((_, Object::Dictionary(st))) = pdf.dereference(st) {
                        let alpha = st.get(b"ca").ok().and_then(num).unwrap_or(1.0);
                        let normal = st
                            .get(b"BM")
                            .and_then(Object::as_name)
                            .map_or(true, |b| b == b"Normal" || b == b"Compatible");
                        r.opacity.insert(name.clone(), alpha >= 0.95 && normal);
                    }
                }
            }
            if let Ok(props) = d.get_deref(b"Properties", pdf).and_then(Object::as_dict) {
                for (name, p) in props.iter() {
                    r.properties.insert(name.clone(), p);
                }
            }
        }
        r
    }

    /// Whether marked content with these operands is an optional-content
    /// layer turned off, and its name.
    fn layer_off(&self, operands: &[Object], resources: &Resources<'_>) -> Option<String> {
        if operands.first().and_then(|o| o.as_name().ok()) != Some(b"OC".as_slice()) {
            return None;
        }
        let prop = operands.get(1)?;
        let target = match prop {
            Object::Name(n) => *resources.properties.get(n)?,
            other => other,
        };
        let id = target.as_reference().ok()?;
        if !self.off.contains(&id) {
            return None;
        }
        let name = self
            .pdf
            .get_dictionary(id)
            .ok()
            .and_then(|d| d.get(b"Name").ok())
            .and_then(text_string)
            .unwrap_or_default();
        Some(name)
    }

    /// `ActualText` of marked content: what extractors return instead of
    /// the glyphs.
    fn actual_text(&mut self, operands: &[Object]) {
        let pdf = self.pdf;
        let dict = match operands.get(1) {
            Some(Object::Dictionary(d)) => Some(d),
            Some(o) => pdf.dereference(o).ok().and_then(|(_, o)| o.as_dict().ok()),
            None => None,
        };
        if let Some(d) = dict {
            for key in ["ActualText", "Alt", "E"] {
                if let Ok(v) = d.get(key.as_bytes())
                    && let Some(text) = text_string(v)
                {
                    let how = format!("an {key} replacement on page {}", self.number);
                    self.segment(text, Some(Hiding::new(Technique::Attribute, how)));
                }
            }
        }
    }

    fn stream(
        &mut self,
        data: &[u8],
        resources: &Resources<'_>,
        start: Graphics,
        depth: usize,
        layer: Option<String>,
    ) {
        let mut g = start;
        let mut saved: Vec<Graphics> = Vec::new();
        let (mut tm, mut tlm) = (IDENTITY, IDENTITY);
        // Marked-content nesting: the name of a layer that is off, or None.
        let mut marked: Vec<Option<String>> = vec![layer];
        let mut path_rect: Option<[f32; 4]> = None;
        let mut clip_pending = false;
        // One operation at a time: a content stream of millions of small
        // operations, collected whole, held hundreds of bytes for each of
        // its bytes (an 88 KB file of deflated `0 0 m` took 5.7 GB).
        for op in Content::decode_iter(data) {
            let op = match op {
                Ok(op) => op,
                Err(e) => {
                    self.incomplete(format!("a content stream could not be parsed ({e})"));
                    return;
                }
            };
            self.operations += 1;
            if self.operations > self.limits.max_nodes {
                self.incomplete(format!(
                    "more than {} content operations: the rest of the page was not read",
                    self.limits.max_nodes
                ));
                return;
            }
            let o = &op.operands;
            match op.operator.as_str() {
                "q" => saved.push(g.clone()),
                "Q" => {
                    if let Some(s) = saved.pop() {
                        g = s;
                    }
                }
                "cm" => {
                    if let Some(m) = matrix(o) {
                        g.ctm = mul(&m, &g.ctm);
                    }
                }
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                "Tf" => {
                    if let Some(n) = o.first().and_then(|n| n.as_name().ok()) {
                        g.font = n.to_vec();
                    }
                    if let Some(s) = o.get(1).and_then(num) {
                        g.size = s;
                    }
                }
                "Tr" => g.render = o.first().and_then(|r| r.as_i64().ok()).unwrap_or(0),
                "TL" => g.leading = o.first().and_then(num).unwrap_or(0.0),
                "Tm" => {
                    let line = matrix(o).is_none_or(|m| m[5] != tm[5]);
                    if let Some(m) = matrix(o) {
                        tm = m;
                        tlm = m;
                    }
                    self.space(line);
                }
                "Td" | "TD" => {
                    let (x, y) = (
                        o.first().and_then(num).unwrap_or(0.0),
                        o.get(1).and_then(num).unwrap_or(0.0),
                    );
                    if op.operator == "TD" {
                        g.leading = -y;
                    }
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, x, y], &tlm);
                    tm = tlm;
                    self.space(y != 0.0);
                }
                "T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -g.leading], &tlm);
                    tm = tlm;
                    self.space(true);
                }
                "Tj" | "'" | "\"" | "TJ" => {
                    if op.operator != "Tj" && op.operator != "TJ" {
                        tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -g.leading], &tlm);
                        tm = tlm;
                        self.space(true);
                    }
                    let text = self.show(op.operator.as_str(), o, &g, resources);
                    let hiding = self.hiding(&g, &tm, &marked);
                    let m = mul(&tm, &g.ctm);
                    // Stroked-only text (mode 1, 5) has no fill to compare.
                    let fill = g.fill.filter(|_| !matches!(g.render, 1 | 5));
                    self.push(hiding, &text, (m[4], m[5]), fill);
                }
                "g" => g.fill = o.first().and_then(num).map(|v| [v, v, v]),
                "rg" => {
                    let v: Vec<f32> = o.iter().filter_map(num).collect();
                    g.fill = (v.len() == 3).then(|| [v[0], v[1], v[2]]);
                }
                "k" => {
                    let v: Vec<f32> = o.iter().filter_map(num).collect();
                    g.fill = (v.len() == 4).then(|| {
                        [
                            (1.0 - v[0]) * (1.0 - v[3]),
                            (1.0 - v[1]) * (1.0 - v[3]),
                            (1.0 - v[2]) * (1.0 - v[3]),
                        ]
                    });
                }
                "sc" | "scn" => {
                    let v: Vec<f32> = o.iter().filter_map(num).collect();
                    g.fill = match v.len() {
                        1 => Some([v[0]; 3]),
                        3 => Some([v[0], v[1], v[2]]),
                        4 => Some([
                            (1.0 - v[0]) * (1.0 - v[3]),
                            (1.0 - v[1]) * (1.0 - v[3]),
                            (1.0 - v[2]) * (1.0 - v[3]),
                        ]),
                        _ => None,
                    };
                }
                "cs" => g.fill = Some([0.0; 3]),
                "re" => {
                    let v: Vec<f32> = o.iter().filter_map(num).collect();
                    if v.len() == 4 {
                        let (a, b) = apply(&g.ctm, v[0], v[1]);
                        let (c, d) = apply(&g.ctm, v[0] + v[2], v[1] + v[3]);
                        path_rect = Some([a.min(c), b.min(d), a.max(c), b.max(d)]);
                    }
                }
                "W" | "W*" => clip_pending = true,
                "gs" => {
                    if let Some(o) = o
                        .first()
                        .and_then(|n| n.as_name().ok())
                        .and_then(|n| resources.opacity.get(n))
                    {
                        g.opaque = *o;
                    }
                }
                "n" | "f" | "F" | "f*" | "S" | "s" | "B" | "B*" | "b" | "b*" => {
                    if clip_pending && let Some(r) = path_rect {
                        g.clip = Some(match g.clip {
                            Some(c) => [
                                c[0].max(r[0]),
                                c[1].max(r[1]),
                                c[2].min(r[2]),
                                c[3].min(r[3]),
                            ],
                            None => r,
                        });
                    }
                    if matches!(
                        op.operator.as_str(),
                        "f" | "F" | "f*" | "B" | "B*" | "b" | "b*"
                    ) && let (Some(r), Some(c), true) = (path_rect, g.fill, g.opaque)
                    {
                        self.paint(r, Some(c));
                    }
                    clip_pending = false;
                    path_rect = None;
                }
                "BDC" => {
                    let layer = self.layer_off(o, resources);
                    self.actual_text(o);
                    marked.push(layer);
                }
                "BMC" => marked.push(None),
                "EMC" => {
                    marked.pop();
                }
                "Do" => {
                    if depth >= MAX_FORM_DEPTH {
                        self.incomplete(
                            "form XObjects nested more than 8 deep: the innermost were not read"
                                .into(),
                        );
                        continue;
                    }
                    let Some(id) = o
                        .first()
                        .and_then(|n| n.as_name().ok())
                        .and_then(|n| resources.forms.get(n))
                    else {
                        continue;
                    };
                    if self.is_image(*id) {
                        if g.opaque {
                            let corners = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)]
                                .map(|(x, y)| apply(&g.ctm, x, y));
                            let xs = corners.map(|c| c.0);
                            let ys = corners.map(|c| c.1);
                            let rect = [
                                xs.iter().copied().fold(f32::INFINITY, f32::min),
                                ys.iter().copied().fold(f32::INFINITY, f32::min),
                                xs.iter().copied().fold(f32::NEG_INFINITY, f32::max),
                                ys.iter().copied().fold(f32::NEG_INFINITY, f32::max),
                            ];
                            self.paint(rect, None);
                        }
                        continue;
                    }
                    self.form(*id, &g, &marked, depth);
                }
                _ => {}
            }
        }
    }

    fn form(&mut self, id: ObjectId, g: &Graphics, marked: &[Option<String>], depth: usize) {
        let pdf = self.pdf;
        let Ok(Object::Stream(s)) = pdf.get_object(id) else {
            return;
        };
        if s.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form".as_slice()) {
            return;
        }
        let max = usize::try_from(self.limits.max_bytes).unwrap_or(usize::MAX);
        let Ok(data) = s
            .decompressed_content_with_limit(max)
            .or_else(|_| Ok::<_, lopdf::Error>(s.content.clone()))
        else {
            return;
        };
        self.form_bytes = self.form_bytes.saturating_add(data.len());
        if self.form_bytes > max {
            self.incomplete(format!(
                "form XObjects drawn on this page decode to more than {max} bytes: the rest were not read"
            ));
            return;
        }
        let mut inner = g.clone();
        if let Ok(m) = s.dict.get(b"Matrix").and_then(Object::as_array)
            && let Some(m) = matrix(m)
        {
            inner.ctm = mul(&m, &inner.ctm);
        }
        let own = s
            .dict
            .get_deref(b"Resources", pdf)
            .and_then(Object::as_dict)
            .ok();
        let resources = self.resources(Some(own.into_iter().collect()));
        // A form drawn inside a layer that is off is off too.
        let layer = marked.iter().flatten().next().cloned();
        self.stream(&data, &resources, inner, depth + 1, layer);
    }

    fn show(
        &self,
        operator: &str,
        operands: &[Object],
        g: &Graphics,
        resources: &Resources<'_>,
    ) -> String {
        let decode = |bytes: &[u8]| -> String {
            match resources.encodings.get(&g.font) {
                Some(enc) => Pdf::decode_text(enc, bytes).unwrap_or_default(),
                None => bytes.iter().map(|&b| char::from(b)).collect(),
            }
        };
        let mut out = String::new();
        let args: &[Object] = if operator == "\"" {
            operands.get(2..).unwrap_or_default()
        } else {
            operands
        };
        for a in args {
            match a {
                Object::String(b, _) => out.push_str(&decode(b)),
                Object::Array(items) => {
                    for item in items {
                        match item {
                            Object::String(b, _) => out.push_str(&decode(b)),
                            other => {
                                if num(other).is_some_and(|n| n < -200.0) {
                                    out.push(' ');
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// How text shown now is hidden, if it is.
    fn hiding(&self, g: &Graphics, tm: &Matrix, marked: &[Option<String>]) -> Option<Hiding> {
        let page = self.number;
        if let Some(Some(layer)) = marked.iter().find(|m| m.is_some()) {
            return Some(Hiding::new(
                Technique::Style,
                format!("an optional-content layer {layer:?} that is off, on page {page}"),
            ));
        }
        if g.render == 3 || g.render == 7 {
            return Some(Hiding::new(
                Technique::Style,
                format!("text render mode {} (invisible) on page {page}", g.render),
            ));
        }
        let m = mul(tm, &g.ctm);
        let scale = (m[0] * m[3] - m[1] * m[2]).abs().sqrt();
        let size = g.size.abs() * scale;
        if size < 1.0 {
            return Some(Hiding::new(
                Technique::Tiny,
                format!("a {size:.2}-point font on page {page}"),
            ));
        }
        let (x, y) = (m[4], m[5]);
        let slack = size.max(10.0);
        let outside = |b: [f32; 4]| {
            x < b[0] - slack || x > b[2] + slack || y < b[1] - slack || y > b[3] + slack
        };
        if outside(self.box_) {
            return Some(Hiding::new(
                Technique::Offscreen,
                format!("text drawn at ({x:.0}, {y:.0}), outside the page box on page {page}"),
            ));
        }
        if let Some(c) = g.clip
            && ((c[2] - c[0]) < 1.0 || (c[3] - c[1]) < 1.0 || outside(c))
        {
            return Some(Hiding::new(
                Technique::Offscreen,
                format!("text clipped away on page {page}"),
            ));
        }
        None
    }

    /// A move of the text position: a space, or a new line when it moves
    /// down or up.
    fn space(&mut self, line: bool) {
        if let Some(show) = self.shows.last_mut()
            && !show.text.ends_with(char::is_whitespace)
        {
            show.text.push(if line { '\n' } else { ' ' });
        }
    }

    fn push(&mut self, hiding: Option<Hiding>, text: &str, at: (f32, f32), fill: Option<[f32; 3]>) {
        if text.is_empty() {
            return;
        }
        self.order += 1;
        self.shows.push(Show {
            text: text.to_owned(),
            hiding,
            at,
            fill,
            order: self.order,
        });
    }

    fn paint(&mut self, rect: [f32; 4], colour: Option<[f32; 3]>) {
        // Hairlines and specks hide nothing.
        if rect[2] - rect[0] < 2.0
            || rect[3] - rect[1] < 2.0
            || self.paints.len() >= paint::MAX_PAINTS
        {
            return;
        }
        self.order += 1;
        self.paints.push(Paint {
            rect,
            colour,
            order: self.order,
        });
    }

    fn is_image(&self, id: ObjectId) -> bool {
        matches!(self.pdf.get_object(id), Ok(Object::Stream(s))
            if s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image".as_slice()))
    }

    /// The page's text as segments, once what is painted around it is known.
    fn flush(&mut self) {
        let mut shows = std::mem::take(&mut self.shows);
        if !paint::resolve(&mut shows, &self.paints, self.number) {
            self.incomplete(format!(
                "{} text shows and {} painted shapes: what is painted over and under the text was not compared",
                shows.len(),
                self.paints.len()
            ));
        }
        let mut run = crate::Run::default();
        for show in shows {
            if let Some((hidden, text)) = run.push(show.hiding, &show.text) {
                self.segment(text, hidden);
            }
        }
        if let Some((hidden, text)) = run.take() {
            self.segment(text, hidden);
        }
    }

    fn segment(&mut self, text: String, hidden: Option<Hiding>) {
        self.doc.segments.push(Segment {
            text,
            place: page_place(self.number),
            hidden,
            code: false,
        });
    }
}

fn apply(m: &Matrix, x: f32, y: f32) -> (f32, f32) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

#[cfg(test)]
mod tests;
