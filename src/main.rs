//! `loadguard`: scan AI artifacts before you load them, without running them.
//! The command line lives in the library (`src/lib.rs`), which the Python
//! package calls too.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(loadguard::main_from(std::env::args_os()))
}
