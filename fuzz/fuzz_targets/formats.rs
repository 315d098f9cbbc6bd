//! Each format validator and parser on its own (the first byte picks
//! which), for deeper coverage than through detection.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&pick, data)) = input.split_first() else {
        return;
    };
    match pick % 10 {
        0 => drop(loadguard_formats::safetensors::validate(data)),
        1 => drop(loadguard_formats::gguf::validate(data)),
        2 => {
            // A prefix of a longer file: must ask for more or answer, never
            // read past what it holds.
            let cut = data.len() / 2;
            drop(loadguard_formats::gguf::validate_prefix(&data[..cut], data.len() as u64));
        }
        3 => drop(loadguard_formats::onnx::validate(data)),
        4 => drop(loadguard_formats::keras::validate_config(data, 0)),
        5 => drop(loadguard_formats::keras::find_h5_configs(data)),
        6 => drop(loadguard_formats::tensorflow::validate(data)),
        7 => {
            let text = String::from_utf8_lossy(data);
            drop(loadguard_formats::template::analyze(&text));
            drop(loadguard_formats::template::templates_in_config(data));
        }
        8 => drop(loadguard_scan::npy::parse(data)),
        _ => {
            let text = String::from_utf8_lossy(data);
            drop(loadguard_scan::pyliteral::parse(&text));
            drop(loadguard_pickle::embedded::dangerous_imports(
                data,
                loadguard_pickle::Policy::builtin(),
                16,
            ));
        }
    }
});
