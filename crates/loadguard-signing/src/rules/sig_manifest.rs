loadguard_core::declare_rule! {
    /// ## What it does
    /// Compares the model folder with the signed manifest, hashing the files (or shards) again: a
    /// changed digest, a file that is not covered, a signed file that is missing, or a symlink the
    /// signature does not allow are each a finding naming the file.
    ///
    /// ## Why is this bad?
    /// The signature only vouches for the files it lists, as they were.
    ///
    /// ## Example
    /// ```text
    /// signme-1: changed since it was signed (digest mismatch)
    /// ```
    ///
    /// ## How to fix
    /// Restore the signed files, or re-sign after reviewing the change.
    ///
    /// ## References
    /// - [CWE-354](https://cwe.mitre.org/data/definitions/354.html)
    pub static RULE = {
        code: "SIG003",
        name: "signature-manifest-mismatch",
        summary: "a file changed, appeared or disappeared since the model was signed",
        severity: High,
        confidence: High,
        cwe: 354,
    };
}
