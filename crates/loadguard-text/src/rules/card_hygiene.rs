loadguard_core::declare_rule! {
    /// ## What it does
    /// Lists model cards without a `license` and without a base model or dataset in their front matter.
    ///
    /// ## Why is this bad?
    /// Not a vulnerability: provenance gaps make the other findings harder to judge.
    ///
    /// ## Example
    /// ```text
    /// ---
    /// tags: [text-generation]
    /// ---
    /// ```
    ///
    /// ## How to fix
    /// Add `license`, `base_model` and `datasets` to the front matter.
    ///
    /// ## References
    /// - [CWE-1059](https://cwe.mitre.org/data/definitions/1059.html)
    pub static RULE = {
        code: "AT014",
        name: "card-hygiene",
        summary: "the model card lacks a license or a source",
        severity: Info,
        confidence: High,
        cwe: 1059,
    };
}
