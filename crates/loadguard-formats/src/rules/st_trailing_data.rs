loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags a data buffer longer than the last tensor's end (high when the extra bytes are a zip,
    /// pickle or executable) or shorter than it.
    ///
    /// ## Why is this bad?
    /// The reference loader rejects both. Appended bytes are how polyglots are made: a file that is
    /// safetensors to one tool and a pickle or zip to another.
    ///
    /// ## Example
    /// ```text
    /// <header><tensors>PK\x03\x04...
    /// ```
    ///
    /// ## How to fix
    /// Re-export the file; look at what the extra bytes are.
    ///
    /// ## References
    /// - [CWE-436](https://cwe.mitre.org/data/definitions/436.html)
    pub static RULE = {
        code: "ST007",
        name: "safetensors-trailing-data",
        summary: "bytes after the last tensor (or missing at the end)",
        severity: Low,
        confidence: High,
        cwe: 436,
    };
}
