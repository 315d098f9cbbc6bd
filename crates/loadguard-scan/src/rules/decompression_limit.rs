loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags compressed data whose output reached the absolute size limit or the expansion-ratio limit,
    /// or whose LZMA or xz header asks for a dictionary over the decoder's 256 MiB.
    ///
    /// ## Why is this bad?
    /// Compression bombs exhaust memory and disk. loadguard stops at the limit, scans what it decoded, and reports that the rest was not scanned.
    /// Python's `lzma` (joblib) decodes any dictionary size, so a stream loadguard would not decode still loads.
    ///
    /// ## Example
    /// ```text
    /// 42 KB of gzip expanding past 4 GiB
    /// ```
    ///
    /// ## How to fix
    /// If the file is yours, raise `--max-member-bytes` (or recompress it with a standard preset); otherwise treat it as a compression bomb.
    ///
    /// ## References
    /// - [CWE-409](https://cwe.mitre.org/data/definitions/409.html)
    pub static RULE = {
        code: "ARC004",
        name: "decompression-limit",
        summary: "decompression stopped at a size, ratio or decoder memory limit",
        severity: High,
        confidence: High,
        cwe: 409,
    };
}
