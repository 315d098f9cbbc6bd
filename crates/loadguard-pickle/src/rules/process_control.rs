loadguard_core::declare_rule! {
/// ## What it does
/// Flags `threading`, `_thread`, `multiprocessing`, `signal`, `os.kill`, `os.fork`, `exit`, `input`,
/// `os.environ` and other process and interpreter controls.
///
/// ## Why is this bad?
/// These start work outside the unpickler's control, change process state or stop the process.
///
/// ## Example
/// ```text
/// G(_thread start_new_thread) ... R
/// ```
///
/// ## How to fix
/// Do not load the file. Loading must not start threads, processes or change the interpreter.
///
/// ## References
/// - [CWE-284](https://cwe.mitre.org/data/definitions/284.html)
    pub static RULE = {
        code: "PKL112",
        name: "pickle-process-control",
        summary: "the pickle controls threads, processes or the interpreter",
        severity: High,
        confidence: High,
        cwe: 284,
    };
}
