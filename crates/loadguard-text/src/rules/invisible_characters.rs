loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags zero-width characters, bidirectional overrides and isolates, and variation selectors,
    /// except where scripts need them (ZWJ in emoji sequences, ZWJ/ZWNJ in Indic and Persian text,
    /// emoji presentation selectors).
    ///
    /// ## Why is this bad?
    /// They hide or reorder text: what the reader sees is not what the agent reads (Trojan Source,
    /// CVE-2021-42574).
    ///
    /// ## Example
    /// ```text
    /// safe\u{202E}lmth.exe
    /// ```
    ///
    /// ## How to fix
    /// Remove the characters.
    ///
    /// ## References
    /// - [CWE-1007](https://cwe.mitre.org/data/definitions/1007.html)
    /// - CVE-2021-42574
    pub static RULE = {
        code: "AT002",
        name: "text-invisible-characters",
        summary: "zero-width, bidi-override or variation-selector characters outside legitimate use",
        severity: Medium,
        confidence: Medium,
        cwe: 1007,
    };
}
