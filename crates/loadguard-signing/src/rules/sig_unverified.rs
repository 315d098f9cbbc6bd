loadguard_core::declare_rule! {
    /// ## What it does
    /// Reports a `model.sig` that could not be checked with what was given: a key signature without
    /// `--key`, a certificate signature without `--certificate-chain`, a valid Sigstore keyless
    /// signature without `--identity` and `--issuer` to say who must have signed, an unsupported
    /// hash type.
    ///
    /// ## Why is this bad?
    /// Present is not verified: until it is checked, a signature says nothing. A keyless signature
    /// is only as good as the identity you expect: anyone can get a Sigstore certificate for their
    /// own email address.
    ///
    /// ## Example
    /// ```text
    /// model.sig: signed with a public key: pass it with --key to verify
    /// ```
    ///
    /// ## How to fix
    /// Verify with `loadguard verify MODEL --key PUB.pem`, `--certificate-chain CA.pem`, or
    /// `--identity EMAIL --issuer URL` for Sigstore keyless signatures.
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
