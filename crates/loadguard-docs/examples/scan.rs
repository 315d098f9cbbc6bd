//! Prints the findings of one document: `cargo run -p loadguard-docs --example scan FILE`.
fn main() {
    for path in std::env::args().skip(1) {
        let data = std::fs::read(&path).expect("read");
        let kind = loadguard_docs::Kind::from_name(&path).unwrap_or(loadguard_docs::Kind::Text);
        for f in loadguard_docs::scan(kind, &data, &loadguard_docs::Limits::default()) {
            println!(
                "{path}: {} {} {:?} {}",
                f.rule.code, f.severity, f.location.line, f.message
            );
        }
    }
}
