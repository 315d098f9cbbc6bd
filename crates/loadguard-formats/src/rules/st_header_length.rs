loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags files shorter than the 8-byte length prefix, a header length `n` with `8 + n` past the end
    /// of the file, and headers over 100,000,000 bytes (the reference loader's limit).
    ///
    /// ## Why is this bad?
    /// Parsers that trust `n` allocate it or slice past the end: out-of-memory and out-of-bounds reads
    /// in third-party loaders came from exactly this.
    ///
    /// ## Example
    /// ```text
    /// ff ff ff ff 00 00 00 00 7b 7d   # n = 4 GiB, file is 10 bytes
    /// ```
    ///
    /// ## How to fix
    /// Re-export the file with the `safetensors` library; treat a lying header from an untrusted source
    /// as hostile.
    ///
    /// ## References
    /// - [CWE-20](https://cwe.mitre.org/data/definitions/20.html)
    pub static RULE = {
        code: "ST001",
        name: "safetensors-header-length",
        summary: "the safetensors header length is too small, too large or points past the file",
        severity: High,
        confidence: High,
        cwe: 20,
    };
}
