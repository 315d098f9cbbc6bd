loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags headers that are not UTF-8, not JSON, not an object, carry bytes after the JSON, or start
    /// with whitespace (accepted by the reference crate, rejected by others).
    ///
    /// ## Why is this bad?
    /// Loaders disagree on such headers: one rejects the file, another reads something else from it.
    ///
    /// ## Example
    /// ```text
    /// \n\t{"w": {...}}  (leading whitespace)
    /// ```
    ///
    /// ## How to fix
    /// Re-export the file with the `safetensors` library.
    ///
    /// ## References
    /// - [CWE-20](https://cwe.mitre.org/data/definitions/20.html)
    pub static RULE = {
        code: "ST002",
        name: "safetensors-header-invalid",
        summary: "the safetensors header is not a JSON object the reference loader accepts",
        severity: Medium,
        confidence: High,
        cwe: 20,
    };
}
