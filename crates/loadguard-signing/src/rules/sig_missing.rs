loadguard_core::declare_rule! {
    /// ## What it does
    /// Reports model folders scanned without an OpenSSF Model Signing signature (`model.sig`).
    ///
    /// ## Why is this bad?
    /// Without a signature nothing says this is the file its publisher released. Low by default; teams
    /// that require signatures raise it in `loadguard.toml` (`[rules] severity = { SIG001 = "high" }`).
    ///
    /// ## Example
    /// ```text
    /// models/bert/ (no model.sig)
    /// ```
    ///
    /// ## How to fix
    /// Ask the publisher to sign with `model_signing sign`, and verify with `loadguard verify`.
    ///
    /// ## References
    /// - [CWE-345](https://cwe.mitre.org/data/definitions/345.html)
    pub static RULE = {
        code: "SIG001",
        name: "signature-missing",
        summary: "the model has no model.sig",
        severity: Low,
        confidence: High,
        cwe: 345,
    };
}
