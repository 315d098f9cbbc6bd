//! Parquet datasets: every text value of every row, with its row and
//! column. The `parquet` crate reads the file (footer, row groups, pages,
//! every compression pyarrow and Spark write); rows are walked one row
//! group at a time and each string (nested in groups, lists and maps too)
//! is judged as it comes, so memory follows a row group, not the file. A
//! local file is read from disk ([`scan_file`]); bytes already in memory
//! (archive members, remote files) are read from there.

use bytes::Bytes;
use loadguard_core::Finding;
use parquet::file::reader::{ChunkReader, FileReader, SerializedFileReader};
use parquet::record::Field;

use crate::{Document, Limits, Place, Segment};

/// Findings kept per file; past it, one DOC007 says how many more.
const MAX_FINDINGS: usize = 10_000;

/// Values shorter than this cannot carry an instruction.
const MIN_FIELD: usize = 8;

/// `PAR1` at both ends.
pub fn is_parquet(data: &[u8]) -> bool {
    data.len() >= 12 && data.starts_with(b"PAR1") && data.ends_with(b"PAR1")
}

/// Walks every string of every row, handing each to `sink`. Returns why
/// the walk stopped early, if it did. The reader is a third-party decoder
/// on hostile bytes: a panic in it is a finding, not the end of the scan.
fn walk<R: ChunkReader + 'static>(
    reader: R,
    mut sink: impl FnMut(Segment) -> bool,
) -> Option<(Place, String)> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| walk_rows(reader, &mut sink)))
        .unwrap_or_else(|_| {
            Some((
                Place::default(),
                "the Parquet reader failed on this file (a bug in the parquet crate): the rest was not read".into(),
            ))
        })
}

fn walk_rows<R: ChunkReader + 'static>(
    reader: R,
    sink: &mut impl FnMut(Segment) -> bool,
) -> Option<(Place, String)> {
    let file = match SerializedFileReader::new(reader) {
        Ok(f) => f,
        Err(e) => {
            return Some((
                Place::default(),
                format!("the Parquet file could not be read ({e})"),
            ));
        }
    };
    let mut row_number = 0u64;
    for g in 0..file.num_row_groups() {
        let group = match file.get_row_group(g) {
            Ok(r) => r,
            Err(e) => {
                return Some((
                    Place::default(),
                    format!("row group {g} could not be read ({e})"),
                ));
            }
        };
        let rows = match group.get_row_iter(None) {
            Ok(r) => r,
            Err(e) => {
                return Some((
                    Place::default(),
                    format!("row group {g} could not be read ({e})"),
                ));
            }
        };
        for row in rows {
            row_number += 1;
            let row = match row {
                Ok(r) => r,
                Err(e) => {
                    return Some((
                        row_place(row_number, None),
                        format!(
                            "row {row_number} could not be decoded ({e}): the rest was not read"
                        ),
                    ));
                }
            };
            let mut stack: Vec<(String, &Field)> = row
                .get_column_iter()
                .map(|(name, field)| (name.clone(), field))
                .collect();
            stack.reverse();
            while let Some((column, field)) = stack.pop() {
                match field {
                    Field::Str(s) if s.len() >= MIN_FIELD => {
                        let seg = Segment {
                            text: s.clone(),
                            place: row_place(row_number, Some(&column)),
                            hidden: None,
                            code: false,
                        };
                        if !sink(seg) {
                            return None;
                        }
                    }
                    Field::Group(r) => {
                        for (name, f) in r.get_column_iter() {
                            stack.push((format!("{column}.{name}"), f));
                        }
                    }
                    Field::ListInternal(list) => {
                        for (i, f) in list.elements().iter().enumerate() {
                            stack.push((format!("{column}[{i}]"), f));
                        }
                    }
                    Field::MapInternal(map) => {
                        for (k, v) in map.entries() {
                            stack.push((format!("{column}.key"), k));
                            stack.push((format!("{column}.value"), v));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    None
}

fn row_place(row: u64, column: Option<&str>) -> Place {
    Place {
        logical: Some(match column {
            Some(c) => format!("row {row}, column {c}"),
            None => format!("row {row}"),
        }),
        ..Place::default()
    }
}

/// A Parquet file already in memory.
pub(crate) fn document(data: &[u8], _limits: &Limits) -> Document {
    let mut doc = Document::default();
    if let Some(stop) = walk(Bytes::copy_from_slice(data), |seg| {
        doc.segments.push(seg);
        true
    }) {
        doc.incomplete.push(stop);
    }
    doc
}

/// A local Parquet file read from disk, row group by row group: each value
/// is judged as it is read and only findings are kept (at most 10,000).
pub fn scan_file(file: std::fs::File, _limits: &Limits) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut skipped = 0usize;
    let stop = walk(file, |seg| {
        let before = out.len();
        let mut found = Vec::new();
        crate::judge_segment(&seg, &mut found);
        if before + found.len() > MAX_FINDINGS {
            skipped += found.len();
        } else {
            out.extend(found);
        }
        true
    });
    let mut doc = Document::default();
    if let Some(stop) = stop {
        doc.incomplete.push(stop);
    }
    if skipped > 0 {
        doc.incomplete.push((
            Place::default(),
            format!("{skipped} more findings past the first {MAX_FINDINGS} were not listed"),
        ));
    }
    out.extend(doc.findings());
    out
}

#[cfg(test)]
mod tests {
    use super::{is_parquet, scan_file};
    use crate::Limits;

    fn fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/documents")
            .join(name)
    }

    #[test]
    fn a_file_on_disk_is_read_by_row_group_with_row_and_column() {
        let file =
            std::fs::File::open(fixture("hidden/AT005__nested_messages.parquet")).expect("fixture");
        let found = scan_file(file, &Limits::default());
        let f = found
            .iter()
            .find(|f| f.rule.code == "AT005")
            .expect("AT005");
        assert_eq!(
            f.location.logical.as_deref(),
            Some("row 3, column messages[1].content")
        );
        let clean =
            std::fs::File::open(fixture("twins/AT005__nested_messages.parquet")).expect("fixture");
        assert!(scan_file(clean, &Limits::default()).is_empty());
    }

    #[test]
    fn a_cut_file_is_reported_not_skipped() {
        let data = std::fs::read(fixture("hidden/AT005__poisoned_row.parquet")).expect("fixture");
        assert!(is_parquet(&data));
        // The footer kept, a page in the middle destroyed.
        let mut broken = data.clone();
        for b in &mut broken[8..data.len() / 2] {
            *b = 0xAB;
        }
        let found = crate::scan(crate::Kind::Parquet, &broken, &Limits::default());
        assert!(found.iter().any(|f| f.rule.code == "DOC007"), "{found:?}");
    }
}
