loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags compressed data whose output reached the absolute size limit or the expansion-ratio limit.
    ///
    /// ## Why is this bad?
    /// Compression bombs exhaust memory and disk. loadguard stops at the limit, scans what it decoded, and reports that the rest was not scanned.
    ///
    /// ## Example
    /// ```text
    /// 42 KB of gzip expanding past 4 GiB
    /// ```
    ///
    /// ## How to fix
    /// If the file is yours, raise `--max-member-bytes`; otherwise treat it as a compression bomb.
    ///
    /// ## References
    /// - [CWE-409](https://cwe.mitre.org/data/definitions/409.html)
    pub static RULE = {
        code: "ARC004",
        name: "decompression-limit",
        summary: "decompression stopped at a size or ratio limit",
        severity: High,
        confidence: High,
        cwe: 409,
    };
}
