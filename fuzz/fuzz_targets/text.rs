//! The agent-text engine on arbitrary UTF-8.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = loadguard_text::scan_card(text);
        let _ = loadguard_text::scan_config_json(text);
    }
});
