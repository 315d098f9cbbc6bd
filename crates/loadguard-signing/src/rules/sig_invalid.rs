loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags a `model.sig` that is not a valid bundle, whose DSSE signature does not verify with the
    /// given key, that was signed by another key (hint mismatch), whose statement is malformed, or
    /// whose manifest does not match its subject digest.
    ///
    /// ## Why is this bad?
    /// A signature that fails means the model, or its signature, was tampered with (or you hold the
    /// wrong key).
    ///
    /// ## Example
    /// ```text
    /// model.sig: the P-384 signature does not verify with the given key
    /// ```
    ///
    /// ## How to fix
    /// Do not use the model until you know why.
    ///
    /// ## References
    /// - [CWE-347](https://cwe.mitre.org/data/definitions/347.html)
    pub static RULE = {
        code: "SIG002",
        name: "signature-invalid",
        summary: "the model signature does not verify",
        severity: Critical,
        confidence: High,
        cwe: 347,
    };
}
