loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags tensors whose data begins with the magic bytes of a pickle, zip, ELF, PE, Mach-O or GGUF
    /// file.
    ///
    /// ## Why is this bad?
    /// Weights are numbers. A file smuggled inside a tensor is waiting for a second stage that extracts
    /// and loads it.
    ///
    /// ## Example
    /// ```text
    /// U8 tensor "blob": 80 04 95 ...
    /// ```
    ///
    /// ## How to fix
    /// Find out why the tensor holds a file; do not load what it contains.
    ///
    /// ## References
    /// - [CWE-506](https://cwe.mitre.org/data/definitions/506.html)
    pub static RULE = {
        code: "ST010",
        name: "safetensors-embedded-payload",
        summary: "a tensor's bytes start like a pickle, zip, executable or model file",
        severity: Medium,
        confidence: High,
        cwe: 506,
    };
}
