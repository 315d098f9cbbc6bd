loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags markdown and HTML links whose visible text is a URL or domain different from the target's.
    ///
    /// ## Why is this bad?
    /// People and agents trust the text they see.
    ///
    /// ## Example
    /// ```text
    /// [https://huggingface.co/org/model](https://evil.example/download)
    /// ```
    ///
    /// ## How to fix
    /// Make link text match its target.
    ///
    /// ## References
    /// - [CWE-451](https://cwe.mitre.org/data/definitions/451.html)
    pub static RULE = {
        code: "AT011",
        name: "text-deceptive-link",
        summary: "link text shows one domain, the link goes to another",
        severity: Medium,
        confidence: High,
        cwe: 451,
    };
}
