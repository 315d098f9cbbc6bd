loadguard_core::declare_rule! {
/// ## What it does
/// Flags `ctypes`, `_ctypes`, `cffi`, `mmap`, `resource` and other native-code or raw-memory interfaces.
///
/// ## Why is this bad?
/// Loading a shared library runs its constructors; ctypes can call any C function.
///
/// ## Example
/// ```text
/// G(ctypes CDLL) S('/tmp/evil.so') T1 R
/// ```
///
/// ## How to fix
/// Do not load the file. Native code in a model is arbitrary code.
///
/// ## References
/// - [CWE-829](https://cwe.mitre.org/data/definitions/829.html)
    pub static RULE = {
        code: "PKL108",
        name: "pickle-native-code",
        summary: "the pickle loads native code or touches raw memory",
        severity: Critical,
        confidence: High,
        cwe: 829,
    };
}
