//! What a page paints under and over its text. Text is hidden from a
//! reader when an opaque image or filled shape is drawn over it later, and
//! when its fill colour is the colour of the shape under it (white text is
//! visible on a dark box, and dark text on a dark box is not). The page
//! itself is white. Shapes are tracked as rectangles (`re` then a fill);
//! images as their unit square through the transformation matrix. What is
//! painted with transparency (`/ca` under 0.95 in the graphics state, a
//! blend mode other than Normal) hides nothing: highlights stay visible.

use crate::{Hiding, Technique};

/// A rectangle painted opaque: a colour, or `None` for an image.
#[derive(Debug, Clone, Copy)]
pub(super) struct Paint {
    pub rect: [f32; 4],
    pub colour: Option<[f32; 3]>,
    pub order: usize,
}

/// Text shown, before what is painted around it is known.
#[derive(Debug)]
pub(super) struct Show {
    pub text: String,
    pub hiding: Option<Hiding>,
    pub at: (f32, f32),
    /// The fill colour, when text is filled (render modes 0, 2, 4, 6).
    pub fill: Option<[f32; 3]>,
    pub order: usize,
}

/// Shapes and images tracked per page; past it, no more are recorded.
pub(super) const MAX_PAINTS: usize = 5_000;

/// Point-in-rectangle tests per page: past it, what is painted is not
/// compared (reported by the caller).
const MAX_CHECKS: usize = 20_000_000;

fn contains(r: &[f32; 4], (x, y): (f32, f32)) -> bool {
    x >= r[0] && x <= r[2] && y >= r[1] && y <= r[3]
}

fn near(a: [f32; 3], b: [f32; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 0.03)
}

fn hex(c: [f32; 3]) -> String {
    let b = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    format!("#{:02x}{:02x}{:02x}", b(c[0]), b(c[1]), b(c[2]))
}

/// Sets the hiding of every show that nothing else hid, from what is
/// painted over and under it. Returns false when there was too much to
/// compare (nothing is changed then).
pub(super) fn resolve(shows: &mut [Show], paints: &[Paint], page: u32) -> bool {
    if shows.len().saturating_mul(paints.len()) > MAX_CHECKS {
        return false;
    }
    for show in shows.iter_mut().filter(|s| s.hiding.is_none()) {
        // Just inside the glyphs' box, above the baseline.
        let p = (show.at.0 + 1.0, show.at.1 + 1.0);
        if let Some(over) = paints
            .iter()
            .find(|q| q.order > show.order && contains(&q.rect, p))
        {
            let what = match over.colour {
                None => "an image".to_owned(),
                Some(c) => format!("a {} shape", hex(c)),
            };
            show.hiding = Some(Hiding::new(
                Technique::Offscreen,
                format!("{what} drawn over the text on page {page}"),
            ));
            continue;
        }
        let under = paints
            .iter()
            .rev()
            .find(|q| q.order < show.order && contains(&q.rect, p));
        let Some(fill) = show.fill else {
            continue;
        };
        match under {
            None if fill.iter().all(|v| *v >= 0.97) => {
                show.hiding = Some(Hiding::new(
                    Technique::SameColour,
                    format!("white fill on the white page, page {page}"),
                ));
            }
            Some(Paint {
                colour: Some(bg), ..
            }) if near(fill, *bg) => {
                show.hiding = Some(Hiding::new(
                    Technique::SameColour,
                    format!(
                        "fill {} on a {} shape drawn under it, page {page}",
                        hex(fill),
                        hex(*bg)
                    ),
                ));
            }
            _ => {}
        }
    }
    true
}
