//! DrawingML shapes (PowerPoint slides and notes, Excel drawings) as the
//! application shows them and as an extractor reads them: every `a:t` of
//! every shape, with the shape hidden (`cNvPr hidden="1"`), placed off the
//! slide, the run set under one point (`sz` in hundredths of a point),
//! coloured like the shape's fill or the slide's background, or fully
//! transparent; and the shapes' titles and descriptions (alt text), which
//! no slide shows. Theme colours (`a:schemeClr`) are not resolved, so a run
//! coloured through the theme is never compared.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::html::css::{Rgba, WHITE};
use crate::xml::{attr, local, malformed, reference};
use crate::{Document, Hiding, Limits, Place, Segment, Technique};

/// How a part's shapes are read.
pub(crate) struct Sheet<'a> {
    pub(crate) part: &'a str,
    /// `slide 3`, `notes of slide 3`, `drawing of sheet "Data"`.
    pub(crate) name: String,
    /// The slide's size in EMU, when shapes can be off it.
    pub(crate) size: Option<(i64, i64)>,
    /// Everything in the part is hidden this way (a hidden slide, speaker
    /// notes).
    pub(crate) whole: Option<Hiding>,
}

#[derive(Debug, Clone, Default)]
struct Shape {
    name: String,
    hidden: Option<Hiding>,
    fill: Option<Rgba>,
    /// Inside a group: coordinates are the group's, not the slide's.
    grouped: bool,
}

/// Where the walk is in the properties that carry a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fill {
    None,
    /// `p:spPr` (not its outline).
    Shape,
    /// A run's `a:rPr`.
    Run,
    /// The slide's background.
    Background,
}

/// Reads the shapes of one part into `doc`.
pub(crate) fn read(sheet: &Sheet<'_>, xml: &[u8], limits: &Limits, doc: &mut Document) {
    let mut w = Walk {
        sheet,
        limits,
        doc,
        shapes: Vec::new(),
        background: WHITE,
        fill: Fill::None,
        outline: 0,
        run_size: None,
        run_colour: None,
        in_text: false,
        paragraph_at: 0,
        paragraph: crate::Paragraph::default(),
        xfrm: None,
        elements: 0,
    };
    crate::xml::walk(sheet.part, xml, &mut w);
    w.end_paragraph();
}

struct Walk<'a, 'd> {
    sheet: &'a Sheet<'a>,
    limits: &'a Limits,
    doc: &'d mut Document,
    shapes: Vec<Shape>,
    background: Rgba,
    fill: Fill,
    /// Inside an outline (`a:ln`): its fill is not the shape's.
    outline: usize,
    run_size: Option<u32>,
    run_colour: Option<Rgba>,
    in_text: bool,
    paragraph_at: u64,
    paragraph: crate::Paragraph,
    /// The offset and extent of the shape being placed.
    xfrm: Option<[i64; 4]>,
    elements: usize,
}

impl Walk<'_, '_> {
    fn here(&self) -> Place {
        let logical = match self.shapes.last() {
            Some(s) if !s.name.is_empty() => format!("{}, shape {:?}", self.sheet.name, s.name),
            _ => self.sheet.name.clone(),
        };
        Place {
            logical: Some(logical),
            ..Place::at(self.sheet.part, self.paragraph_at)
        }
    }

    fn colour(&mut self, c: Option<Rgba>) {
        match self.fill {
            Fill::Shape if self.outline == 0 => {
                if let Some(s) = self.shapes.last_mut() {
                    s.fill = c;
                }
            }
            Fill::Run if self.outline == 0 => self.run_colour = c,
            Fill::Background => {
                if let Some(c) = c {
                    self.background = c;
                }
            }
            _ => {}
        }
    }

    fn open(&mut self, e: &BytesStart<'_>, at: u64, empty: bool) {
        self.elements += 1;
        match local(e.name().as_ref()) {
            "sp" | "pic" | "graphicFrame" | "cxnSp" | "grpSp" if !empty => {
                let parent = self.shapes.last().cloned().unwrap_or_default();
                self.shapes.push(Shape {
                    name: String::new(),
                    hidden: parent.hidden,
                    fill: parent.fill,
                    grouped: !self.shapes.is_empty(),
                });
            }
            "cNvPr" => self.properties(e),
            "spPr" if !empty => self.fill = Fill::Shape,
            "bgPr" if !empty => self.fill = Fill::Background,
            "rPr" | "defRPr" => {
                self.run_size = attr(e, "sz").and_then(|v| v.parse().ok());
                if !empty {
                    self.fill = Fill::Run;
                }
            }
            "ln" if !empty => self.outline += 1,
            "noFill" => self.colour(None),
            "srgbClr" => {
                let c = attr(e, "val").and_then(|v| crate::html::css::colour(&format!("#{v}")));
                self.colour(c);
            }
            // `val` in thousandths of a percent: under 5% is invisible.
            "alpha"
                if self.fill == Fill::Run
                    && attr(e, "val")
                        .and_then(|v| v.parse::<u32>().ok())
                        .is_some_and(|v| v < 5_000) =>
            {
                self.run_colour = Some(Rgba(0, 0, 0, 0));
            }
            "xfrm" if !empty => self.xfrm = Some([0; 4]),
            "off" | "ext" => {
                if let Some(x) = &mut self.xfrm {
                    let (a, b, i) = if local(e.name().as_ref()) == "off" {
                        ("x", "y", 0)
                    } else {
                        ("cx", "cy", 2)
                    };
                    x[i] = attr(e, a).and_then(|v| v.parse().ok()).unwrap_or(0);
                    x[i + 1] = attr(e, b).and_then(|v| v.parse().ok()).unwrap_or(0);
                }
            }
            "p" if !empty => {
                self.end_paragraph();
                self.paragraph_at = at;
            }
            "r" | "fld" if !empty => {
                self.run_size = None;
                self.run_colour = None;
            }
            "t" if !empty => self.in_text = true,
            "br" => self.push_text("\n"),
            _ => {}
        }
    }

    /// A shape's non-visual properties: hidden, and its alt text.
    fn properties(&mut self, e: &BytesStart<'_>) {
        let name = attr(e, "name").unwrap_or_default();
        let hidden = matches!(attr(e, "hidden").as_deref(), Some("1" | "true"));
        for a in ["descr", "title"] {
            if let Some(v) = attr(e, a).filter(|v| !v.trim().is_empty()) {
                let what = if a == "descr" { "description" } else { "title" };
                self.doc.segments.push(Segment {
                    text: v,
                    place: Place {
                        logical: Some(format!("{}, shape {name:?}", self.sheet.name)),
                        ..self.here()
                    },
                    hidden: Some(Hiding::new(
                        Technique::Attribute,
                        format!("a shape's {what} (alt text) on {}", self.sheet.name),
                    )),
                    code: false,
                });
            }
        }
        if let Some(s) = self.shapes.last_mut() {
            if hidden {
                s.hidden.get_or_insert_with(|| {
                    Hiding::new(
                        Technique::Style,
                        format!("a hidden shape {name:?} on {}", self.sheet.name),
                    )
                });
            }
            s.name = name;
        }
    }

    fn close(&mut self, name: &str) {
        match name {
            "sp" | "pic" | "graphicFrame" | "cxnSp" | "grpSp" => {
                self.end_paragraph();
                self.shapes.pop();
            }
            "spPr" | "bgPr" | "rPr" | "defRPr" => self.fill = Fill::None,
            "ln" => self.outline = self.outline.saturating_sub(1),
            "xfrm" => self.placed(),
            "t" => self.in_text = false,
            "p" => self.end_paragraph(),
            _ => {}
        }
    }

    /// A shape's position is known: off the slide hides it.
    fn placed(&mut self) {
        let Some([x, y, cx, cy]) = self.xfrm.take() else {
            return;
        };
        let (Some((w, h)), Some(shape)) = (self.sheet.size, self.shapes.last_mut()) else {
            return;
        };
        if shape.grouped {
            return;
        }
        let off = x >= w || y >= h || x.saturating_add(cx) <= 0 || y.saturating_add(cy) <= 0;
        if off {
            shape.hidden.get_or_insert_with(|| {
                Hiding::new(
                    Technique::Offscreen,
                    format!(
                        "a shape {:?} placed off {} (at {x}, {y} EMU on a {w} x {h} slide)",
                        shape.name, self.sheet.name
                    ),
                )
            });
        }
    }

    fn hiding(&self) -> Option<Hiding> {
        if let Some(h) = &self.sheet.whole {
            return Some(h.clone());
        }
        let shape = self.shapes.last();
        if let Some(h) = shape.and_then(|s| s.hidden.clone()) {
            return Some(h);
        }
        let on = &self.sheet.name;
        if let Some(sz) = self.run_size
            && sz < 100
        {
            return Some(Hiding::new(
                Technique::Tiny,
                format!("a {:.2}-point run (sz {sz}) on {on}", f64::from(sz) / 100.0),
            ));
        }
        if let Some(c) = self.run_colour {
            if c.3 == 0 {
                return Some(Hiding::new(
                    Technique::SameColour,
                    format!("a transparent run on {on}"),
                ));
            }
            let bg = shape.and_then(|s| s.fill).unwrap_or(self.background);
            if c.near(bg) {
                return Some(Hiding::new(
                    Technique::SameColour,
                    format!("a run coloured {} on a {} fill on {on}", c.hex(), bg.hex()),
                ));
            }
        }
        None
    }

    fn push_text(&mut self, t: &str) {
        let hiding = self.hiding();
        self.paragraph.push(hiding, t);
    }

    fn end_paragraph(&mut self) {
        for (hidden, text) in self.paragraph.take(None) {
            self.doc.segments.push(Segment {
                text,
                place: self.here(),
                hidden,
                code: false,
            });
        }
    }
}

impl crate::xml::Visitor for Walk<'_, '_> {
    fn start(&mut self, e: &BytesStart<'_>, at: u64, empty: bool) {
        self.open(e, at, empty);
    }

    fn end(&mut self, name: &str) {
        self.close(name);
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
                self.limits.max_nodes, self.sheet.part
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

/// Whether `name` is a chart or a SmartArt diagram's data inside the
/// package folder `root` (`word/`, `xl/`, `ppt/`): text shown on the page
/// that lives outside the body part.
pub(crate) fn is_graphic_text_part(name: &str, root: &str) -> bool {
    name.strip_prefix(root).is_some_and(|rest| {
        (rest.starts_with("charts/chart") || rest.starts_with("diagrams/data"))
            && rest.ends_with(".xml")
    })
}

/// Every text element's text in a part (`a:t`, and a chart's `c:v`
/// values), a segment per comment or data point, each hidden as `how`:
/// comments of PowerPoint and Excel, where the whole part is an aside, or
/// (`None`) charts and SmartArt, shown on the page.
pub(crate) fn all_text(
    part: &str,
    xml: &[u8],
    how: Option<&Hiding>,
    limits: &Limits,
    doc: &mut Document,
) {
    let mut reader = Reader::from_reader(xml);
    let mut in_text = false;
    let mut at_start = 0;
    let mut text = String::new();
    let mut elements = 0usize;
    // The cell a spreadsheet comment is on.
    let mut cell: Option<String> = None;
    let flush = |text: &mut String, at: u64, cell: &Option<String>, doc: &mut Document| {
        if !text.trim().is_empty() {
            doc.segments.push(Segment {
                text: std::mem::take(text),
                place: Place {
                    logical: cell.as_ref().map(|c| format!("comment on cell {c}")),
                    ..Place::at(part, at)
                },
                hidden: how.cloned(),
                code: false,
            });
        }
        text.clear();
    };
    loop {
        let at = reader.buffer_position();
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                elements += 1;
                match local(e.name().as_ref()) {
                    "t" | "text" | "v" => {
                        if text.is_empty() {
                            at_start = at;
                        }
                        in_text = true;
                    }
                    // One comment (or data point), one segment.
                    "cm" | "comment" | "threadedComment" | "pt" => {
                        flush(&mut text, at_start, &cell, doc);
                        cell = attr(&e, "ref");
                    }
                    _ => {}
                }
            }
            Ok(Event::End(e)) => match local(e.name().as_ref()) {
                "t" | "text" | "v" => in_text = false,
                "cm" | "comment" | "threadedComment" | "pt" | "p" => {
                    if local(e.name().as_ref()) == "p" {
                        text.push('\n');
                    } else {
                        flush(&mut text, at_start, &cell, doc);
                    }
                }
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => text.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if in_text => {
                if let Some(c) = reference(&r) {
                    text.push(c);
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => {
                malformed(doc, part, reader.error_position(), &e);
                break;
            }
            _ => {}
        }
        if elements > limits.max_nodes {
            doc.incomplete.push((
                Place::at(part, at),
                format!(
                    "more than {} elements: the rest of {part} was not read",
                    limits.max_nodes
                ),
            ));
            break;
        }
    }
    flush(&mut text, at_start, &cell, doc);
}
