//! What the office-format readers (Word, OpenDocument) share about XML:
//! names matched by their local part, so that any namespace prefix reads
//! the way the office suite reads it; attribute values normalised; entity
//! and character references decoded; a part that stops being well-formed
//! reported with its offset.

use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

use crate::{Document, Limits, Place};

/// `w:vanish` -> `vanish`.
pub(crate) fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The value of the attribute whose local name is `want`.
pub(crate) fn attr(e: &BytesStart<'_>, want: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (local(a.key.as_ref()) == want).then(|| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.clone().into_owned())
        })
    })
}

/// A character or predefined entity reference as text (`&#x41;`, `&amp;`).
pub(crate) fn reference(r: &BytesRef<'_>) -> Option<char> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Some(c),
        _ => match &**r {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => None,
        },
    }
}

/// Records that `part` stopped being well-formed at `at`.
pub(crate) fn malformed(doc: &mut Document, part: &str, at: u64, e: &quick_xml::Error) {
    doc.incomplete.push((
        Place::at(part, at),
        format!("{part} is not well-formed XML ({e}): the part was read up to here"),
    ));
}

/// A part cut to the document limit (recorded when it is cut).
pub(crate) fn bounded<'d>(
    name: &str,
    xml: &'d [u8],
    limits: &Limits,
    doc: &mut Document,
) -> &'d [u8] {
    if xml.len() as u64 <= limits.max_bytes {
        return xml;
    }
    doc.incomplete.push((
        Place {
            part: Some(name.to_owned()),
            ..Place::default()
        },
        format!(
            "{} bytes, over the {}-byte part limit: only the first were read",
            xml.len(),
            limits.max_bytes
        ),
    ));
    &xml[..usize::try_from(limits.max_bytes).unwrap_or(usize::MAX)]
}

/// A part's reader, fed event by event by [`walk`].
pub(crate) trait Visitor {
    /// An element opens (`empty`: and closes, `<a/>`) at byte `at`.
    fn start(&mut self, e: &BytesStart<'_>, at: u64, empty: bool);
    /// An element closes: its local name.
    fn end(&mut self, name: &str);
    /// Character data, references decoded.
    fn text(&mut self, text: &str);
    /// Why reading stops here, when a limit is reached.
    fn over_limit(&self) -> Option<String>;
    /// Where the reader is, for a limit finding.
    fn place(&self) -> Place;
    fn doc(&mut self) -> &mut Document;
}

/// Reads the part `part` into `v`; a part that stops being well-formed,
/// and a limit reached, are recorded as what stopped it.
pub(crate) fn walk(part: &str, xml: &[u8], v: &mut impl Visitor) {
    let mut reader = Reader::from_reader(xml);
    loop {
        let at = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                malformed(v.doc(), part, reader.error_position(), &e);
                return;
            }
        };
        match event {
            Event::Start(e) => v.start(&e, at, false),
            Event::Empty(e) => v.start(&e, at, true),
            Event::End(e) => v.end(local(e.name().as_ref())),
            Event::Text(t) => v.text(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Some(c) = reference(&r) {
                    v.text(c.encode_utf8(&mut [0; 4]));
                }
            }
            Event::Eof => return,
            _ => {}
        }
        if let Some(why) = v.over_limit() {
            let place = v.place();
            v.doc().incomplete.push((place, why));
            return;
        }
    }
}
