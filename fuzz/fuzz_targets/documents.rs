//! The document readers on their own (the first byte picks the format:
//! HTML, PDF, JSONL, CSV, Word, Parquet, text, OpenDocument, Excel,
//! PowerPoint),
//! with small limits so the limit paths are reached too. Every finding
//! must have a place, and every hidden-text finding must quote text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loadguard_docs::{Kind, Limits};

/// Two parts of an office document: before and after the first 0xFF.
fn two(data: &[u8]) -> (&[u8], &[u8]) {
    let cut = data.iter().position(|&b| b == 0xFF).unwrap_or(data.len());
    let (a, b) = data.split_at(cut);
    (a, b.get(1..).unwrap_or_default())
}

/// A panic inside the parquet crate is caught by the Parquet reader and
/// reported (`loadguard_docs::parquet`), as in the CLI; libFuzzer's panic
/// hook would abort the process before the reader could catch it. Panics
/// anywhere else still abort. (Input that made parquet panic:
/// `fuzz/regressions/documents/`.)
fn let_parquet_panics_unwind() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info
                .location()
                .is_some_and(|l| l.file().contains("/parquet-"))
            {
                return;
            }
            abort(info);
        }));
    });
}

fuzz_target!(|input: &[u8]| {
    let_parquet_panics_unwind();
    let Some((&pick, data)) = input.split_first() else {
        return;
    };
    let limits = Limits {
        max_bytes: 1 << 20,
        max_nodes: 20_000,
        max_rows: 2_000,
        max_pages: 50,
    };
    let findings = match pick % 10 {
        0 => loadguard_docs::scan(Kind::Html, data, &limits),
        1 => loadguard_docs::scan(Kind::Pdf, data, &limits),
        2 => loadguard_docs::scan(Kind::Jsonl, data, &limits),
        3 => loadguard_docs::scan(Kind::Csv, data, &limits),
        4 => {
            // A Word document: the bytes before the first 0xFF are
            // word/document.xml, the rest word/styles.xml.
            let (doc, styles) = two(data);
            let parts = [("word/document.xml", doc), ("word/styles.xml", styles)];
            loadguard_docs::docx::document(&parts, &limits).findings()
        }
        5 => loadguard_docs::scan(Kind::Parquet, data, &limits),
        6 => loadguard_docs::scan(Kind::Text, data, &limits),
        7 => {
            // An OpenDocument file: content.xml before the first 0xFF,
            // styles.xml after it.
            let (content, styles) = two(data);
            let parts = [("content.xml", content), ("styles.xml", styles)];
            loadguard_docs::odf::document(&parts, &limits).findings()
        }
        8 => {
            // An Excel workbook: a sheet, then the styles and shared strings
            // (the same bytes: each reader takes what it knows).
            let (sheet, rest) = two(data);
            let parts = [
                ("xl/worksheets/sheet1.xml", sheet),
                ("xl/styles.xml", rest),
                ("xl/sharedStrings.xml", rest),
                ("xl/comments1.xml", rest),
            ];
            loadguard_docs::xlsx::document(&parts, &limits).findings()
        }
        _ => {
            // A PowerPoint slide, then its notes.
            let (slide, notes) = two(data);
            let parts = [
                ("ppt/slides/slide1.xml", slide),
                ("ppt/notesSlides/notesSlide1.xml", notes),
            ];
            loadguard_docs::pptx::document(&parts, &limits).findings()
        }
    };
    for f in &findings {
        assert!(!f.message.is_empty(), "{f:?}");
        if f.rule.code.starts_with("DOC00") && !matches!(f.rule.code, "DOC007") {
            assert!(
                f.message.contains('"'),
                "a hidden-text finding without its text: {f:?}"
            );
        }
    }
});
