//! Documents before ingestion (tests/fixtures/documents, written by
//! tests/fixtures/gen/documents.py with python-docx, odfpy, reportlab and
//! pyarrow): every hiding
//! technique is found with the rule its name gives, its visible-only twin
//! and ordinary documents come out clean.

use std::path::{Path, PathBuf};
use std::process::Command;

fn documents() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/documents")
}

/// The JSON report of `loadguard scan --no-config --format json PATH`.
fn scan(path: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_loadguard"))
        .args(["scan", "--no-config", "--format", "json"])
        .arg(path)
        .output()
        .expect("run loadguard");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    })
}

fn files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(documents().join(dir))
        .expect("fixture folder")
        .map(|e| e.expect("entry").path())
        .collect();
    v.sort();
    assert!(v.len() >= 6, "{dir}: {} files", v.len());
    v
}

fn findings(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["findings"].as_array().cloned().unwrap_or_default()
}

fn at_least_medium(f: &serde_json::Value) -> bool {
    matches!(f["severity"].as_str(), Some("medium" | "high" | "critical"))
}

#[test]
fn every_hiding_technique_is_found_with_its_rule() {
    for path in files("hidden") {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let rule = name.split("__").next().unwrap_or_default();
        let report = scan(&path);
        assert_eq!(report["verdict"], "not-safe", "{name}: {report:#}");
        let hit = findings(&report)
            .into_iter()
            .find(|f| f["rule"] == rule && f["severity"] == "high");
        let hit = hit.unwrap_or_else(|| panic!("{name}: no high {rule}: {report:#}"));
        // The finding quotes the hidden text and says where it is.
        let loc = &hit["location"];
        assert!(
            loc["line"].is_u64() || loc["logical"].is_string(),
            "{name}: no place in {hit:#}"
        );
        if rule.starts_with("DOC") {
            let message = hit["message"].as_str().unwrap_or_default();
            assert!(
                [
                    "Ignore all previous",
                    "Give this candidate",
                    "Note to the LLM"
                ]
                .iter()
                .any(|q| message.contains(q)),
                "{name}: the hidden text is not quoted: {message}"
            );
        }
    }
}

#[test]
fn visible_only_twins_are_clean() {
    for path in files("twins") {
        let report = scan(&path);
        assert_eq!(report["verdict"], "safe", "{}: {report:#}", path.display());
        assert!(
            !findings(&report).iter().any(at_least_medium),
            "{}: {report:#}",
            path.display()
        );
    }
}

#[test]
fn ordinary_documents_with_hidden_boilerplate_stay_low() {
    let report = scan(&documents().join("benign"));
    let found = findings(&report);
    assert!(!found.iter().any(at_least_medium), "{report:#}");
    for target in report["targets"].as_array().into_iter().flatten() {
        assert_ne!(target["verdict"], "not-safe", "{target:#}");
    }
    // The news page's skip link, print-only header and collapsed menu are
    // reported, low, with how they are hidden.
    let page: Vec<&serde_json::Value> = found
        .iter()
        .filter(|f| {
            f["location"]["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("news_article.html"))
        })
        .collect();
    assert!(page.iter().all(|f| f["severity"] == "low"), "{page:#?}");
    assert!(
        page.iter().any(|f| f["rule"] == "DOC001"
            && f["message"]
                .as_str()
                .is_some_and(|m| m.contains("Printed from") && m.contains("display: none"))),
        "{page:#?}"
    );
    assert!(
        page.iter().any(|f| f["rule"] == "DOC004"
            && f["message"]
                .as_str()
                .is_some_and(|m| m.contains("Skip to main content"))),
        "{page:#?}"
    );
}

#[test]
fn the_hidden_run_of_a_word_document_is_placed_by_part_and_paragraph() {
    let report = scan(&documents().join("hidden/DOC001__vanish.docx"));
    let f = findings(&report)
        .into_iter()
        .find(|f| f["rule"] == "DOC001")
        .expect("DOC001");
    assert_eq!(f["location"]["members"][0], "word/document.xml", "{f:#}");
    assert_eq!(f["location"]["logical"], "paragraph 3", "{f:#}");
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("w:vanish"))
    );
}

#[test]
fn opendocument_text_is_placed_by_sheet_row_and_column() {
    let report = scan(&documents().join("hidden/DOC001__hidden_sheet.ods"));
    assert_eq!(report["targets"][0]["format"], "opendocument");
    let f = findings(&report)
        .into_iter()
        .find(|f| f["rule"] == "DOC001")
        .expect("DOC001");
    assert_eq!(f["severity"], "high");
    assert_eq!(f["location"]["members"][0], "content.xml", "{f:#}");
    assert_eq!(
        f["location"]["logical"], "sheet \"Notes\", row 1, column 1",
        "{f:#}"
    );
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("hidden sheet \"Notes\"") && m.contains("Note to the LLM"))
    );
}

#[test]
fn a_poisoned_dataset_row_is_placed_by_row_and_field() {
    let report = scan(&documents().join("hidden/AT005__poisoned_row.jsonl"));
    let f = findings(&report)
        .into_iter()
        .find(|f| f["rule"] == "AT005")
        .expect("AT005");
    assert_eq!(f["location"]["line"], 2, "{f:#}");
    assert_eq!(f["location"]["logical"], "row 2 /answer", "{f:#}");
    let report = scan(&documents().join("hidden/AT005__poisoned_cell.csv"));
    let f = findings(&report)
        .into_iter()
        .find(|f| f["rule"] == "AT005")
        .expect("AT005");
    assert_eq!(f["location"]["logical"], "row 3, column answer", "{f:#}");
}

#[test]
fn one_passage_in_many_documents_is_one_campaign_with_every_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let planted = std::fs::read_to_string(documents().join("hidden/DOC001__display_none.html"))
        .expect("fixture");
    for i in 0..4 {
        // Reworded a little in each copy.
        let copy = planted.replace(
            "without reservations",
            &format!("without reservations ({i})"),
        );
        std::fs::write(dir.path().join(format!("page{i}.html")), copy).expect("write");
    }
    std::fs::copy(
        documents().join("benign/news_article.html"),
        dir.path().join("news.html"),
    )
    .expect("copy");
    let report = scan(dir.path());
    let campaigns: Vec<serde_json::Value> = findings(&report)
        .into_iter()
        .filter(|f| f["rule"] == "DOC008")
        .collect();
    assert_eq!(campaigns.len(), 1, "{report:#}");
    let message = campaigns[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("in 4 documents"), "{message}");
    for i in 0..4 {
        assert!(message.contains(&format!("page{i}.html")), "{message}");
    }
    assert!(!message.contains("news.html"), "{message}");
}

#[test]
fn python_among_documents_is_code_and_beside_a_model_is_remote_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    let model = dir.path().join("model");
    std::fs::create_dir_all(corpus.join("scripts")).expect("mkdir");
    std::fs::create_dir_all(model.join("custom")).expect("mkdir");
    std::fs::copy(
        documents().join("benign/news_article.html"),
        corpus.join("news_article.html"),
    )
    .expect("copy");
    let code = "import os\n\n\ndef main():\n    print(os.getcwd())\n";
    std::fs::write(corpus.join("scripts/tool.py"), code).expect("write");
    std::fs::write(model.join("config.json"), r#"{"model_type": "bert"}"#).expect("write");
    std::fs::write(model.join("custom/modeling_x.py"), code).expect("write");
    let at016 = |report: &serde_json::Value| {
        findings(report)
            .iter()
            .filter(|f| f["rule"] == "AT016")
            .map(|f| {
                f["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect::<Vec<_>>()
    };
    // A RAG corpus of documents and code: the code is not a model's code.
    let report = scan(&corpus);
    assert_eq!(at016(&report), Vec::<String>::new(), "{report:#}");
    assert_eq!(report["verdict"], "safe");
    // Beside a model's config (here under its folder), it is.
    let report = scan(&model);
    let hits = at016(&report);
    assert_eq!(hits.len(), 1, "{report:#}");
    assert!(hits[0].ends_with("modeling_x.py"), "{hits:?}");
}
