loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags members compressed with a method other than stored, deflate, bzip2, LZMA or zstd.
    ///
    /// ## Why is this bad?
    /// The member could not be scanned. PyTorch reads only stored and deflated members, other loaders more.
    ///
    /// ## Example
    /// ```text
    /// archive/data.pkl: method 99 (AES)
    /// ```
    ///
    /// ## How to fix
    /// Re-create the archive with stored or deflated members, which every loader reads and loadguard
    /// scans.
    ///
    /// ## References
    /// - [CWE-693](https://cwe.mitre.org/data/definitions/693.html)
    pub static RULE = {
        code: "ZIP009",
        name: "zip-unsupported-compression",
        summary: "a zip member uses a compression method loadguard does not decode",
        severity: Medium,
        confidence: High,
        cwe: 693,
    };
}
