loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags URLs with punycode labels (`xn--`), non-ASCII host names, and host names one or two edits
    /// away from huggingface.co, github.com, pypi.org and similar.
    ///
    /// ## Why is this bad?
    /// Homoglyph and typo domains are how download links are swapped.
    ///
    /// ## Example
    /// ```text
    /// https://hugginface.co/org/model
    /// ```
    ///
    /// ## How to fix
    /// Use the real domain.
    ///
    /// ## References
    /// - [CWE-1007](https://cwe.mitre.org/data/definitions/1007.html)
    pub static RULE = {
        code: "AT012",
        name: "text-lookalike-domain",
        summary: "a punycode or look-alike domain",
        severity: Medium,
        confidence: Medium,
        cwe: 1007,
    };
}
