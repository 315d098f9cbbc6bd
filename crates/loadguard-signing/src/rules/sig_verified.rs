loadguard_core::declare_rule! {
    /// ## What it does
    /// Records that `model.sig` verified (with the given key, certificate anchors, or Sigstore
    /// identity and issuer) and that the files match the signed manifest.
    ///
    /// ## Why is this bad?
    /// Nothing: it is provenance, reported next to the security findings. A signature never hides a
    /// payload: content findings still stand.
    ///
    /// ## Example
    /// ```text
    /// model.sig: signature verified with the P-384 key e8450dec...
    /// ```
    ///
    /// ## How to fix
    /// Nothing to fix.
    ///
    /// ## References
    /// - [CWE-345](https://cwe.mitre.org/data/definitions/345.html)
    pub static RULE = {
        code: "SIG005",
        name: "signature-verified",
        summary: "the model signature verified",
        severity: Info,
        confidence: High,
        cwe: 345,
    };
}
