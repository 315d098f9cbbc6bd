loadguard_core::declare_rule! {
    /// ## What it does
    /// Reports a `model.sig` that could not be checked with what was given: a key signature without
    /// `--key`, a certificate or Sigstore keyless signature (not implemented yet), an unsupported hash
    /// type.
    ///
    /// ## Why is this bad?
    /// Present is not verified: until it is checked, a signature says nothing.
    ///
    /// ## Example
    /// ```text
    /// model.sig: signed with a public key: pass it with --key to verify
    /// ```
    ///
    /// ## How to fix
    /// Verify with `loadguard verify MODEL --key PUB.pem`.
    ///
    /// ## References
    /// - [CWE-345](https://cwe.mitre.org/data/definitions/345.html)
    pub static RULE = {
        code: "SIG004",
        name: "signature-unverified",
        summary: "a model signature is present but could not be verified",
        severity: Low,
        confidence: High,
        cwe: 345,
    };
}
