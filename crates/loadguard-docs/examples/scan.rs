//! Prints the findings of documents, or with `--text` the text each holds
//! and how it is hidden:
//! `cargo run -p loadguard-docs --example scan [--text] FILE...`.
fn main() {
    let mut text = false;
    for arg in std::env::args().skip(1) {
        if arg == "--text" {
            text = true;
            continue;
        }
        let data = std::fs::read(&arg).expect("read");
        let kind = if loadguard_docs::is_pdf(&data) {
            loadguard_docs::Kind::Pdf
        } else {
            loadguard_docs::Kind::from_name(&arg).unwrap_or(loadguard_docs::Kind::Text)
        };
        let limits = loadguard_docs::Limits::default();
        if text {
            let doc = loadguard_docs::document(kind, &data, &limits);
            for s in &doc.segments {
                let how = s
                    .hidden
                    .as_ref()
                    .map_or("visible".to_owned(), |h| h.how.clone());
                println!(
                    "{arg} {:?} [{how}] {:?}",
                    s.place.logical.as_ref().or(None),
                    s.text
                );
            }
            for (place, why) in &doc.incomplete {
                println!("{arg} {:?} incomplete: {why}", place.logical);
            }
            continue;
        }
        for f in loadguard_docs::scan(kind, &data, &limits) {
            println!(
                "{arg}: {} {} {:?} {}",
                f.rule.code, f.severity, f.location.line, f.message
            );
        }
    }
}
