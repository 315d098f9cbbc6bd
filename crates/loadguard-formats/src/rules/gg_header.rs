loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags GGUF files whose version is not 1-3, whose metadata and tensor counts cannot fit in the
    /// file, or whose `general.alignment` is not a power of two.
    ///
    /// ## Why is this bad?
    /// Loaders that trust the counts allocate or loop on them: several llama.cpp parser CVEs started
    /// with a count that the file could not back.
    ///
    /// ## Example
    /// ```text
    /// GGUF 03000000 <tensor_count = 2^40> ...
    /// ```
    ///
    /// ## How to fix
    /// Re-convert the model with the `gguf` tools; treat a lying header from an untrusted source as
    /// hostile.
    ///
    /// ## References
    /// - [CWE-20](https://cwe.mitre.org/data/definitions/20.html)
    pub static RULE = {
        code: "GG001",
        name: "gguf-header",
        summary: "the GGUF header has an unknown version, impossible counts or a bad alignment",
        severity: High,
        confidence: High,
        cwe: 20,
    };
}
