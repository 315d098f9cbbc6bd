loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags `__metadata__` that is not an object of strings, and tensor names or metadata keys and
    /// values with NUL, control, escape or bidirectional characters.
    ///
    /// ## Why is this bad?
    /// Metadata is shown in model hubs and read by agents: control and bidi characters hide text from
    /// people and inject into logs.
    ///
    /// ## Example
    /// ```text
    /// "__metadata__": {"note": "ok\u202eevil"}
    /// ```
    ///
    /// ## How to fix
    /// Re-export the file with plain string metadata.
    ///
    /// ## References
    /// - [CWE-20](https://cwe.mitre.org/data/definitions/20.html)
    pub static RULE = {
        code: "ST008",
        name: "safetensors-metadata",
        summary: "__metadata__ is not a string map, or names carry control characters",
        severity: Low,
        confidence: High,
        cwe: 20,
    };
}
