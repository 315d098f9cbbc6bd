loadguard_core::declare_rule! {
/// ## What it does
/// Flags a stream that reached one of the engine's explicit limits: stack depth, MARK depth, memo size,
/// stored tuple values, distinct globals, nested-pickle depth or the number of findings.
///
/// ## Why is this bad?
/// Limits keep memory bounded on hostile input (DUP bombs, nested MARKs, huge memo indices). When one is
/// hit the engine keeps walking the opcodes and still reports every global it sees, but the value
/// tracking that resolves STACK_GLOBAL is gone, so the result cannot be called safe. Raise the limit
/// if a real file needs more.
///
/// ## Example
/// ```text
/// ( ( ( ( ...  500,000 nested MARKs
/// ```
///
/// ## How to fix
/// If the file is yours and large, raise the limit (`--max-stack`, `--max-marks`, `--max-memo`,
/// `--max-globals`,
/// `--max-depth`, `--max-findings` or `[limits]`). Otherwise treat it as hostile.
///
/// ## References
/// - [CWE-400](https://cwe.mitre.org/data/definitions/400.html)
    pub static RULE = {
        code: "PKL008",
        name: "pickle-limit-exceeded",
        summary: "a resource limit was reached; the rest was analysed in a reduced mode",
        severity: High,
        confidence: High,
        cwe: 400,
    };
}
