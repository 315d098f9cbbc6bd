loadguard_core::declare_rule! {
    /// ## What it does
    /// Shows the Hugging Face Hub's own scan status of a file (`securityFileStatus` of the tree listing) when it is not "safe", next to loadguard's findings.
    ///
    /// ## Why is this bad?
    /// The Hub's scanners (ClamAV, a picklescan-style import scan) saw something. Their verdict never suppresses loadguard's own findings: public bypasses of import scans exist.
    ///
    /// ## Example
    /// ```text
    /// pytorch_model.bin: the Hub's scanner says "unsafe"
    /// ```
    ///
    /// ## How to fix
    /// Read loadguard's findings for the same file; treat the file as hostile until they explain it.
    ///
    /// ## References
    /// - [CWE-693](https://cwe.mitre.org/data/definitions/693.html)
    pub static RULE = {
        code: "HUB010",
        name: "hub-reports-unsafe",
        summary: "the Hub's own scanner flags the file",
        severity: Low,
        confidence: High,
        cwe: 693,
    };
}
