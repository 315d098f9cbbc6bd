loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags metadata and tensor-info fields whose length or count runs past the end of the file,
    /// nested arrays, and unknown value types. Parsing stops there; everything before is reported.
    ///
    /// ## Why is this bad?
    /// Out-of-bounds lengths are the classic GGUF parser bug (heap overflows in `gguf_init_from_file`).
    ///
    /// ## Example
    /// ```text
    /// key "general.name", string length 0xffffffffffffffff
    /// ```
    ///
    /// ## How to fix
    /// Re-convert the model; do not load a file whose lengths lie.
    ///
    /// ## References
    /// - [CWE-125](https://cwe.mitre.org/data/definitions/125.html)
    pub static RULE = {
        code: "GG002",
        name: "gguf-bounds",
        summary: "a GGUF string, array or value runs past the end of the file",
        severity: High,
        confidence: High,
        cwe: 125,
    };
}
