loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags gzip, bzip2, xz, LZMA, zstd or zlib data that fails to decode, and tar headers with bad checksums.
    ///
    /// ## Why is this bad?
    /// What follows the corruption was not scanned; a loader with a more lenient decoder may still read it.
    ///
    /// ## Example
    /// ```text
    /// gzip: invalid block type at byte 1042
    /// ```
    ///
    /// ## How to fix
    /// Re-download or re-create the file; corrupt compressed data from an untrusted source cannot be
    /// vouched for.
    ///
    /// ## References
    /// - [CWE-20](https://cwe.mitre.org/data/definitions/20.html)
    pub static RULE = {
        code: "ARC006",
        name: "corrupt-compressed-data",
        summary: "compressed data or an archive header could not be decoded",
        severity: High,
        confidence: High,
        cwe: 20,
    };
}
