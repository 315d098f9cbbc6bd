loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags metadata keys and tensor names that occur more than once.
    ///
    /// ## Why is this bad?
    /// Readers keep the first or the last: two tools see two different models (a different chat
    /// template, a different tensor).
    ///
    /// ## Example
    /// ```text
    /// tokenizer.chat_template (twice)
    /// ```
    ///
    /// ## How to fix
    /// Re-convert the model so that each key appears once.
    ///
    /// ## References
    /// - [CWE-436](https://cwe.mitre.org/data/definitions/436.html)
    pub static RULE = {
        code: "GG004",
        name: "gguf-duplicate",
        summary: "a GGUF metadata key or tensor name appears twice",
        severity: Medium,
        confidence: High,
        cwe: 436,
    };
}
