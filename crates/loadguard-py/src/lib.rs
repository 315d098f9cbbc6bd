//! The Python extension module `loadguard._loadguard`.
//!
//! Two functions, both the command line of the `loadguard` binary run in
//! this process with the GIL released (one parser, one code path: the
//! Python API builds an argument list, it does not reimplement options):
//!
//! - `main(argv)`: what the `loadguard` console script runs; the report on
//!   standard output, the exit code returned.
//! - `run(argv, stdin=None)`: standard output captured and returned with the
//!   exit code; `-` among the targets reads `stdin` (bytes). A command that
//!   cannot run raises `ValueError` with the message the binary would print.
//!
//! The typed API (`scan()`, `Report`, the guarded loaders, `patch()`) is
//! Python, in `python/loadguard/`.

use std::ffi::OsString;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// Runs `loadguard` with `argv` (program name first) and returns its exit
/// code.
#[pyfunction]
fn main(py: Python<'_>, argv: Vec<OsString>) -> u8 {
    py.detach(|| loadguard::main_from(argv))
}

/// Runs `loadguard` with `argv` and standard output captured: returns
/// `(exit_code, stdout)`.
#[pyfunction]
#[pyo3(signature = (argv, stdin=None))]
fn run(py: Python<'_>, argv: Vec<OsString>, stdin: Option<Vec<u8>>) -> PyResult<(u8, String)> {
    let captured = py
        .detach(|| loadguard::run_captured(argv, stdin))
        .map_err(PyValueError::new_err)?;
    Ok((
        captured.code,
        String::from_utf8_lossy(&captured.stdout).into_owned(),
    ))
}

#[pymodule]
fn _loadguard(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(main, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
