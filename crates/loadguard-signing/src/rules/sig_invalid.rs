loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags a `model.sig` that is not a valid bundle, whose DSSE signature does not verify with the
    /// given key or certificate, that was signed by another key (hint mismatch), by another
    /// Sigstore identity or issuer than `--identity` / `--issuer`, whose Sigstore evidence does not
    /// hold (certificate chain, SCT, Rekor entry, inclusion proof, checkpoint, signed entry
    /// timestamp, RFC 3161 timestamp), whose statement is malformed, or whose manifest does not
    /// match its subject digest.
    ///
    /// ## Why is this bad?
    /// A signature that fails means the model, or its signature, was tampered with (or you hold the
    /// wrong key).
    ///
    /// ## Example
    /// ```text
    /// model.sig: the P-384 signature does not verify with the given key
    /// model.sig: signed by eve@example.com (OIDC issuer https://github.com/login/oauth), not by the
    ///            expected identity alice@example.com
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
