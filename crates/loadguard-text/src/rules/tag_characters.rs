loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags Unicode tag characters (U+E0000-U+E007F), which render as nothing, and shows the ASCII
    /// text they spell.
    ///
    /// ## Why is this bad?
    /// Tag characters are the standard way to hide instructions from the human while an LLM still reads
    /// them ("ASCII smuggling").
    ///
    /// ## Example
    /// ```text
    /// A helpful model.\u{E0049}\u{E0067}\u{E006E}... ("Ignore previous instructions...")
    /// ```
    ///
    /// ## How to fix
    /// Remove the characters; do not let an agent read text from this source.
    ///
    /// ## References
    /// - [CWE-1007](https://cwe.mitre.org/data/definitions/1007.html)
    pub static RULE = {
        code: "AT001",
        name: "text-tag-characters",
        summary: "invisible Unicode tag characters carry hidden text",
        severity: High,
        confidence: High,
        cwe: 1007,
    };
}
