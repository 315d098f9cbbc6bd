//! Document-level reading: the optional-content layers the default
//! configuration turns off, the document information, PDF text strings,
//! and each page's visible box.

use std::collections::BTreeSet;

use lopdf::{Document as Pdf, Object, ObjectId};

use super::num;
use crate::{Document, Hiding, Place, Segment, Technique};

/// Optional-content groups the default configuration turns off.
pub(super) fn hidden_layers(pdf: &Pdf) -> BTreeSet<ObjectId> {
    let mut off = BTreeSet::new();
    let Ok(catalog) = pdf.catalog() else {
        return off;
    };
    let ocp = catalog
        .get_deref(b"OCProperties", pdf)
        .and_then(Object::as_dict)
        .ok();
    let d = ocp
        .ok_or(lopdf::Error::DictKey("OCProperties".into()))
        .and_then(|o| o.get_deref(b"D", pdf))
        .and_then(Object::as_dict);
    if let Ok(d) = d {
        if let Ok(list) = d.get_deref(b"OFF", pdf).and_then(Object::as_array) {
            off.extend(list.iter().filter_map(|o| o.as_reference().ok()));
        }
        // BaseState /OFF turns every group off except those listed /ON.
        if d.get(b"BaseState").and_then(Object::as_name).ok() == Some(b"OFF".as_slice()) {
            let on: BTreeSet<ObjectId> = d
                .get_deref(b"ON", pdf)
                .and_then(Object::as_array)
                .map(|l| l.iter().filter_map(|o| o.as_reference().ok()).collect())
                .unwrap_or_default();
            if let Some(Ok(all)) = ocp.map(|o| o.get_deref(b"OCGs", pdf).and_then(Object::as_array))
            {
                off.extend(
                    all.iter()
                        .filter_map(|o| o.as_reference().ok())
                        .filter(|id| !on.contains(id)),
                );
            }
        }
    }
    off
}

/// The document information dictionary: text no page shows.
pub(super) fn info(pdf: &Pdf, doc: &mut Document) {
    let Ok(info) = pdf
        .trailer
        .get_deref(b"Info", pdf)
        .and_then(Object::as_dict)
    else {
        return;
    };
    for key in ["Title", "Subject", "Keywords", "Author", "Creator"] {
        if let Ok(v) = info.get_deref(key.as_bytes(), pdf)
            && let Some(text) = text_string(v)
        {
            doc.segments.push(Segment {
                text,
                place: Place {
                    logical: Some(format!("document information {key}")),
                    ..Place::default()
                },
                hidden: Some(Hiding::new(
                    Technique::Attribute,
                    format!("the document's {key} entry"),
                )),
                code: false,
            });
        }
    }
}

/// A PDF text string: UTF-16BE with a byte order mark, UTF-8 with one, or
/// PDFDocEncoding (Latin-1 for the printable range).
pub(super) fn text_string(o: &Object) -> Option<String> {
    let bytes = o.as_str().ok()?;
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return Some(String::from_utf16_lossy(&units));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return Some(String::from_utf8_lossy(rest).into_owned());
    }
    Some(bytes.iter().map(|&b| char::from(b)).collect())
}

/// The crop box, else the media box, inherited through the page tree.
pub(super) fn page_box(pdf: &Pdf, page: ObjectId) -> Option<[f32; 4]> {
    let mut at = Some(page);
    let mut seen = 0;
    while let Some(id) = at {
        seen += 1;
        if seen > 64 {
            break;
        }
        let d = pdf.get_dictionary(id).ok()?;
        for key in [b"CropBox".as_slice(), b"MediaBox".as_slice()] {
            if let Ok(arr) = d.get_deref(key, pdf).and_then(Object::as_array) {
                let v: Vec<f32> = arr.iter().filter_map(num).collect();
                if v.len() == 4 {
                    return Some([
                        v[0].min(v[2]),
                        v[1].min(v[3]),
                        v[0].max(v[2]),
                        v[1].max(v[3]),
                    ]);
                }
            }
        }
        at = d.get(b"Parent").and_then(Object::as_reference).ok();
    }
    None
}
