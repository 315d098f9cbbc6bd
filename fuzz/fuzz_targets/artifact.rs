//! The container layer and format validators on arbitrary bytes, under a
//! name the first byte picks (names decide text formats and how loud "not
//! scanned" is). What must hold besides "no crash": an unsupported result
//! says why, and top-level offsets stay inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "model.bin",
    "model.pkl",
    "README.md",
    "config.json",
    "tokenizer_config.json",
    "chat_template.jinja",
    "model.safetensors",
    "model.onnx",
    "weights.h5",
    "model.gguf",
    "data.npy",
    "archive.tar",
    "x",
    "modeling.py",
    ".gitattributes",
    "model.sig",
];

fuzz_target!(|input: &[u8]| {
    let Some((&pick, data)) = input.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let options = loadguard_scan::ScanOptions::default();
    let report =
        loadguard_scan::scan_named(&data, Some(name), loadguard_pickle::Policy::builtin(), &options);
    if matches!(report.format, loadguard_scan::Format::Unsupported(_)) {
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.rule.code == "LG001" || f.rule.code == "HUB003"),
            "unsupported without a finding"
        );
    }
    for f in &report.findings {
        if f.location.members.is_empty()
            && let Some(o) = f.location.offset
        {
            assert!(o <= data.len() as u64, "{} at {o} past {}", f.rule.code, data.len());
        }
    }
});
