loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags header keys written more than once.
    ///
    /// ## Why is this bad?
    /// JSON parsers differ on which duplicate wins: the reference crate keeps the last, others the
    /// first, so two loaders see two different tensors (Trail of Bits TOB-SFTN-7).
    ///
    /// ## Example
    /// ```text
    /// {"w": {"dtype": "F32", ...}, "w": {"dtype": "I32", ...}}
    /// ```
    ///
    /// ## How to fix
    /// Re-export the file; do not load one from an untrusted source.
    ///
    /// ## References
    /// - [CWE-436](https://cwe.mitre.org/data/definitions/436.html)
    pub static RULE = {
        code: "ST003",
        name: "safetensors-duplicate-key",
        summary: "a tensor name (or __metadata__) appears twice in the header",
        severity: High,
        confidence: High,
        cwe: 436,
    };
}
