//! Just enough CSS to know what a browser hides: declarations (inline
//! `style` and `<style>` sheets), selectors made of type, class, id and
//! attribute parts joined by descendant or child combinators, and the
//! values of the properties that hide text. Written here rather than taken
//! from a CSS engine because the scanner needs only these properties, and
//! the engines (servo's `selectors`/`cssparser`) are MPL-2.0, outside the
//! licences this product allows (deny.toml). What is not understood
//! (pseudo-classes, `@media print`, `calc()`) hides nothing: text is judged
//! visible unless a rule this module reads hides it.

use std::collections::HashMap;

/// An sRGB colour with alpha, 0-255.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgba(pub u8, pub u8, pub u8, pub u8);

pub(crate) const WHITE: Rgba = Rgba(255, 255, 255, 255);

impl Rgba {
    /// Whether two opaque colours are too close for an eye to tell apart
    /// (each channel within 8 of the other: `#fefefe` on white).
    pub(crate) fn near(self, other: Rgba) -> bool {
        self.0.abs_diff(other.0) <= 8
            && self.1.abs_diff(other.1) <= 8
            && self.2.abs_diff(other.2) <= 8
    }

    pub(crate) fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// Parses a colour: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb()`,
/// `rgba()`, `transparent` and the named colours pages use for hiding.
pub(crate) fn colour(value: &str) -> Option<Rgba> {
    let v = value.trim().to_ascii_lowercase();
    if let Some(hex) = v.strip_prefix('#') {
        let digit = |i: usize| u8::from_str_radix(hex.get(i..=i)?, 16).ok();
        let pair = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        return match hex.len() {
            3 | 4 => Some(Rgba(
                digit(0)? * 17,
                digit(1)? * 17,
                digit(2)? * 17,
                if hex.len() == 4 { digit(3)? * 17 } else { 255 },
            )),
            6 | 8 => Some(Rgba(
                pair(0)?,
                pair(2)?,
                pair(4)?,
                if hex.len() == 8 { pair(6)? } else { 255 },
            )),
            _ => None,
        };
    }
    if let Some(args) = v
        .strip_prefix("rgba(")
        .or_else(|| v.strip_prefix("rgb("))
        .and_then(|a| a.strip_suffix(')'))
    {
        let parts: Vec<&str> = args
            .split([',', ' ', '/'])
            .filter(|p| !p.is_empty())
            .collect();
        let channel = |p: &str| -> Option<u8> {
            if let Some(pc) = p.strip_suffix('%') {
                let f: f32 = pc.parse().ok()?;
                Some((f.clamp(0.0, 100.0) * 2.55).round() as u8)
            } else {
                let f: f32 = p.parse().ok()?;
                Some(f.clamp(0.0, 255.0).round() as u8)
            }
        };
        let alpha = match parts.get(3) {
            None => 255,
            Some(a) => {
                if let Some(pc) = a.strip_suffix('%') {
                    (pc.parse::<f32>().ok()?.clamp(0.0, 100.0) * 2.55).round() as u8
                } else {
                    (a.parse::<f32>().ok()?.clamp(0.0, 1.0) * 255.0).round() as u8
                }
            }
        };
        return Some(Rgba(
            channel(parts.first()?)?,
            channel(parts.get(1)?)?,
            channel(parts.get(2)?)?,
            alpha,
        ));
    }
    Some(match v.as_str() {
        "transparent" => Rgba(0, 0, 0, 0),
        "white" => WHITE,
        "black" => Rgba(0, 0, 0, 255),
        "snow" => Rgba(255, 250, 250, 255),
        "ivory" => Rgba(255, 255, 240, 255),
        "whitesmoke" => Rgba(245, 245, 245, 255),
        "ghostwhite" => Rgba(248, 248, 255, 255),
        "azure" => Rgba(240, 255, 255, 255),
        "mintcream" => Rgba(245, 255, 250, 255),
        "floralwhite" => Rgba(255, 250, 240, 255),
        "seashell" => Rgba(255, 245, 238, 255),
        "red" => Rgba(255, 0, 0, 255),
        "green" => Rgba(0, 128, 0, 255),
        "blue" => Rgba(0, 0, 255, 255),
        "gray" | "grey" => Rgba(128, 128, 128, 255),
        "silver" => Rgba(192, 192, 192, 255),
        "yellow" => Rgba(255, 255, 0, 255),
        "navy" => Rgba(0, 0, 128, 255),
        _ => return None,
    })
}

/// A length in CSS pixels; `em` and `%` relative to `font_px`. `None` for
/// what cannot be known statically (`calc()`, viewport units).
pub(crate) fn length(value: &str, font_px: f32) -> Option<f32> {
    let v = value.trim().to_ascii_lowercase();
    let num = |s: &str| s.trim().parse::<f32>().ok().filter(|f| f.is_finite());
    if v == "0" {
        return Some(0.0);
    }
    for (unit, factor) in [
        ("px", 1.0),
        ("pt", 96.0 / 72.0),
        ("pc", 16.0),
        ("in", 96.0),
        ("cm", 96.0 / 2.54),
        ("mm", 96.0 / 25.4),
        ("rem", 16.0),
        ("em", font_px),
        ("ex", font_px / 2.0),
        ("%", font_px / 100.0),
    ] {
        if let Some(n) = v.strip_suffix(unit) {
            return num(n).map(|n| n * factor);
        }
    }
    match v.as_str() {
        "xx-small" => Some(9.0),
        "x-small" => Some(10.0),
        "small" => Some(13.0),
        "medium" => Some(16.0),
        _ => None,
    }
}

/// One declaration: property (lower case) and value, `!important` stripped.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decl {
    pub property: String,
    pub value: String,
    pub important: bool,
}

/// Properties that can hide text; other declarations are dropped.
const HIDING: &[&str] = &[
    "display",
    "visibility",
    "opacity",
    "font-size",
    "font",
    "color",
    "background",
    "background-color",
    "background-image",
    "position",
    "left",
    "top",
    "right",
    "bottom",
    "text-indent",
    "clip",
    "clip-path",
    "width",
    "height",
    "max-height",
    "max-width",
    "overflow",
    "transform",
    "margin-left",
    "margin-top",
    "content-visibility",
    "-webkit-text-fill-color",
    "filter",
];

/// Parses `a: b; c: d !important` (an inline style or a rule's block).
pub(crate) fn declarations(block: &str) -> Vec<Decl> {
    let mut out = Vec::new();
    for part in strip_comments(block).split(';') {
        let Some((p, v)) = part.split_once(':') else {
            continue;
        };
        let property = p.trim().to_ascii_lowercase();
        if !HIDING.contains(&property.as_str()) {
            continue;
        }
        let mut value = v.trim().to_owned();
        let important = value.to_ascii_lowercase().ends_with("!important");
        if important {
            value.truncate(value.len() - "!important".len());
            value = value.trim().to_owned();
        }
        out.push(Decl {
            property,
            value,
            important,
        });
    }
    out
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        rest = rest[i + 2..]
            .find("*/")
            .map_or("", |j| &rest[i + 2 + j + 2..]);
    }
    out.push_str(rest);
    out
}

/// One part of a compound selector.
#[derive(Debug, Clone, PartialEq)]
enum Simple {
    Tag(String),
    Class(String),
    Id(String),
    /// `[name]` or `[name=value]`.
    Attr(String, Option<String>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Combinator {
    Descendant,
    Child,
}

/// A selector: compounds from left to right with the combinator before
/// each (the first one's is unused).
#[derive(Debug, Clone)]
struct Selector {
    parts: Vec<(Combinator, Vec<Simple>)>,
    specificity: (u32, u32, u32),
}

/// What a selector is matched against: one element on the path from the
/// root.
pub(crate) struct ElementInfo<'a> {
    pub tag: &'a str,
    pub id: Option<&'a str>,
    pub classes: Vec<&'a str>,
    pub attrs: Vec<(&'a str, &'a str)>,
}

fn compound_matches(c: &[Simple], e: &ElementInfo<'_>) -> bool {
    c.iter().all(|s| match s {
        Simple::Tag(t) => t == "*" || t.eq_ignore_ascii_case(e.tag),
        Simple::Class(k) => e.classes.iter().any(|x| x == k),
        Simple::Id(i) => e.id == Some(i.as_str()),
        Simple::Attr(n, v) => e
            .attrs
            .iter()
            .any(|(an, av)| an.eq_ignore_ascii_case(n) && v.as_ref().is_none_or(|v| v == av)),
    })
}

impl Selector {
    /// Right to left: the last compound against the element, then each
    /// earlier one against an ancestor (any for a descendant combinator,
    /// the parent for a child combinator).
    fn matches(&self, path: &[ElementInfo<'_>]) -> bool {
        let Some((last, ancestors)) = path.split_last() else {
            return false;
        };
        let Some(((_, right), rest)) = self.parts.split_last() else {
            return false;
        };
        if !compound_matches(right, last) {
            return false;
        }
        let mut comb = self.parts.last().map_or(Combinator::Descendant, |p| p.0);
        let mut at = ancestors.len();
        for (c, compound) in rest.iter().rev() {
            match comb {
                Combinator::Child => {
                    if at == 0 || !compound_matches(compound, &ancestors[at - 1]) {
                        return false;
                    }
                    at -= 1;
                }
                Combinator::Descendant => {
                    let Some(i) = (0..at)
                        .rev()
                        .find(|&i| compound_matches(compound, &ancestors[i]))
                    else {
                        return false;
                    };
                    at = i;
                }
            }
            comb = *c;
        }
        true
    }
}

/// Parses one selector; `None` for what this module does not read
/// (pseudo-classes and elements, sibling combinators, attribute operators
/// other than `=`), so a rule is never applied where a browser would not.
fn selector(s: &str) -> Option<Selector> {
    let s = s.trim();
    if s.is_empty() || s.contains([':', '+', '~']) {
        return None;
    }
    let mut parts: Vec<(Combinator, Vec<Simple>)> = Vec::new();
    let mut next = Combinator::Descendant;
    for token in s.replace('>', " > ").split_whitespace() {
        if token == ">" {
            next = Combinator::Child;
            continue;
        }
        parts.push((next, compound(token)?));
        next = Combinator::Descendant;
    }
    if parts.is_empty() || parts.len() > 16 {
        return None;
    }
    let mut specificity = (0, 0, 0);
    for (_, c) in &parts {
        for s in c {
            match s {
                Simple::Id(_) => specificity.0 += 1,
                Simple::Class(_) | Simple::Attr(..) => specificity.1 += 1,
                Simple::Tag(t) if t != "*" => specificity.2 += 1,
                Simple::Tag(_) => {}
            }
        }
    }
    Some(Selector { parts, specificity })
}

fn compound(token: &str) -> Option<Vec<Simple>> {
    let mut out = Vec::new();
    let mut rest = token;
    let ident_end = |s: &str| s.find(['.', '#', '[']).unwrap_or(s.len());
    let tag_end = ident_end(rest);
    if tag_end > 0 {
        out.push(Simple::Tag(rest[..tag_end].to_ascii_lowercase()));
        rest = &rest[tag_end..];
    }
    while !rest.is_empty() {
        let (kind, body) = rest.split_at(1);
        match kind {
            "." | "#" => {
                let end = ident_end(body);
                let name = body[..end].to_owned();
                if name.is_empty() {
                    return None;
                }
                out.push(if kind == "." {
                    Simple::Class(name)
                } else {
                    Simple::Id(name)
                });
                rest = &body[end..];
            }
            "[" => {
                let end = body.find(']')?;
                let inner = &body[..end];
                let simple = match inner.split_once('=') {
                    None => Simple::Attr(inner.trim().to_owned(), None),
                    Some((n, v)) if !n.ends_with(['~', '|', '^', '$', '*']) => Simple::Attr(
                        n.trim().to_owned(),
                        Some(v.trim().trim_matches(['"', '\'']).to_owned()),
                    ),
                    Some(_) => return None,
                };
                out.push(simple);
                rest = &body[end + 1..];
            }
            _ => return None,
        }
    }
    Some(out)
}

/// A rule's declarations with where they rank in the cascade.
#[derive(Debug)]
struct Rule {
    selector: Selector,
    decls: Vec<Decl>,
    order: usize,
}

/// Every rule of the page's `<style>` sheets that sets a hiding property,
/// indexed by the rightmost compound's id, class or tag.
#[derive(Debug, Default)]
pub(crate) struct Sheet {
    rules: Vec<Rule>,
    by_id: HashMap<String, Vec<usize>>,
    by_class: HashMap<String, Vec<usize>>,
    by_tag: HashMap<String, Vec<usize>>,
    universal: Vec<usize>,
    /// Rules left out past [`Sheet::MAX_RULES`].
    pub dropped: usize,
}

impl Sheet {
    pub(crate) const MAX_RULES: usize = 20_000;

    /// Adds a `<style>` element's text. `@media print` and other
    /// conditional blocks are skipped except `@media screen`/`all`.
    pub(crate) fn add(&mut self, css: &str) {
        let css = strip_comments(css);
        let mut rest = css.as_str();
        while let Some(open) = rest.find('{') {
            let prelude = rest[..open].trim();
            let body_start = open + 1;
            if prelude.starts_with('@') {
                let Some(end) = block_end(&rest[body_start..]) else {
                    return;
                };
                let lower = prelude.to_ascii_lowercase();
                let body = &rest[body_start..body_start + end];
                if lower.starts_with("@media")
                    && !lower.contains("print")
                    && (lower.contains("screen") || lower.contains("all"))
                    || lower.starts_with("@layer")
                    || lower.starts_with("@supports")
                {
                    self.add(body);
                }
                rest = &rest[body_start + end + 1..];
                continue;
            }
            let Some(close) = rest[body_start..].find('}') else {
                return;
            };
            let decls = declarations(&rest[body_start..body_start + close]);
            if !decls.is_empty() {
                for s in prelude.split(',') {
                    if let Some(selector) = selector(s) {
                        self.push(selector, decls.clone());
                    }
                }
            }
            rest = &rest[body_start + close + 1..];
        }
    }

    fn push(&mut self, selector: Selector, decls: Vec<Decl>) {
        if self.rules.len() >= Self::MAX_RULES {
            self.dropped += 1;
            return;
        }
        let i = self.rules.len();
        let key = selector
            .parts
            .last()
            .map(|(_, c)| c.clone())
            .unwrap_or_default();
        if let Some(Simple::Id(id)) = key.iter().find(|s| matches!(s, Simple::Id(_))) {
            self.by_id.entry(id.clone()).or_default().push(i);
        } else if let Some(Simple::Class(c)) = key.iter().find(|s| matches!(s, Simple::Class(_))) {
            self.by_class.entry(c.clone()).or_default().push(i);
        } else if let Some(Simple::Tag(t)) =
            key.iter().find(|s| matches!(s, Simple::Tag(t) if t != "*"))
        {
            self.by_tag.entry(t.clone()).or_default().push(i);
        } else {
            self.universal.push(i);
        }
        self.rules.push(Rule {
            selector,
            decls,
            order: i,
        });
    }

    /// The declarations that apply to the last element of `path`, in
    /// cascade order (lowest first): sheet rules by specificity and order,
    /// then `inline`, then the `!important` ones in the same order.
    pub(crate) fn cascade(&self, path: &[ElementInfo<'_>], inline: &[Decl]) -> Vec<Decl> {
        let Some(e) = path.last() else {
            return inline.to_vec();
        };
        let mut candidates: Vec<usize> = Vec::new();
        if let Some(id) = e.id
            && let Some(v) = self.by_id.get(id)
        {
            candidates.extend(v);
        }
        for c in &e.classes {
            if let Some(v) = self.by_class.get(*c) {
                candidates.extend(v);
            }
        }
        if let Some(v) = self.by_tag.get(&e.tag.to_ascii_lowercase()) {
            candidates.extend(v);
        }
        candidates.extend(&self.universal);
        candidates.sort_unstable();
        candidates.dedup();
        let mut matched: Vec<&Rule> = candidates
            .into_iter()
            .map(|i| &self.rules[i])
            .filter(|r| r.selector.matches(path))
            .collect();
        matched.sort_by_key(|r| (r.selector.specificity, r.order));
        let mut normal: Vec<Decl> = matched
            .iter()
            .flat_map(|r| r.decls.iter().filter(|d| !d.important).cloned())
            .collect();
        normal.extend(inline.iter().filter(|d| !d.important).cloned());
        normal.extend(
            matched
                .iter()
                .flat_map(|r| r.decls.iter().filter(|d| d.important).cloned()),
        );
        normal.extend(inline.iter().filter(|d| d.important).cloned());
        normal
    }
}

/// The index of the `}` closing a block whose `{` was just read, counting
/// nested blocks.
fn block_end(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el<'a>(tag: &'a str, id: Option<&'a str>, classes: &[&'a str]) -> ElementInfo<'a> {
        ElementInfo {
            tag,
            id,
            classes: classes.to_vec(),
            attrs: Vec::new(),
        }
    }

    #[test]
    fn colours_parse_the_ways_pages_write_them() {
        assert_eq!(colour("#FFF"), Some(WHITE));
        assert_eq!(colour("#ffffff"), Some(WHITE));
        assert_eq!(colour("rgb(255, 255, 255)"), Some(WHITE));
        assert_eq!(colour("rgb(100% 100% 100%)"), Some(WHITE));
        assert_eq!(colour("rgba(0,0,0,0)"), Some(Rgba(0, 0, 0, 0)));
        assert_eq!(colour("White"), Some(WHITE));
        assert!(colour("#fefefe").is_some_and(|c| c.near(WHITE)));
        assert!(!colour("#333").is_some_and(|c| c.near(WHITE)));
        assert_eq!(colour("var(--x)"), None);
    }

    #[test]
    fn lengths_are_pixels() {
        assert_eq!(length("0", 16.0), Some(0.0));
        assert_eq!(length("0.5pt", 16.0), Some(0.5 * 96.0 / 72.0));
        assert_eq!(length("0.01em", 16.0), Some(0.16));
        assert_eq!(length("-9999px", 16.0), Some(-9999.0));
        assert_eq!(length("calc(1px + 2px)", 16.0), None);
    }

    #[test]
    fn the_cascade_follows_specificity_order_and_importance() {
        let mut sheet = Sheet::default();
        sheet.add(
            "/* c */ .note { display: none } div.note { display: block } \
             #x { color: white !important } @media print { .p { display: none } } \
             article > .c { visibility: hidden } a:hover { display: none }",
        );
        let div = el("div", Some("x"), &["note"]);
        let decls = sheet.cascade(std::slice::from_ref(&div), &declarations("color: black"));
        let props: Vec<(&str, &str)> = decls
            .iter()
            .map(|d| (d.property.as_str(), d.value.as_str()))
            .collect();
        assert_eq!(
            props,
            [
                ("display", "none"),
                ("display", "block"),
                ("color", "black"),
                ("color", "white")
            ]
        );
        // @media print is skipped; pseudo-classes are never applied.
        assert!(sheet.cascade(&[el("p", None, &["p"])], &[]).is_empty());
        assert!(sheet.cascade(&[el("a", None, &[])], &[]).is_empty());
        // The child combinator needs the parent, not any ancestor.
        let child = [el("article", None, &[]), el("span", None, &["c"])];
        assert_eq!(sheet.cascade(&child, &[]).len(), 1);
        let grandchild = [
            el("article", None, &[]),
            el("div", None, &[]),
            el("span", None, &["c"]),
        ];
        assert!(sheet.cascade(&grandchild, &[]).is_empty());
    }
}
