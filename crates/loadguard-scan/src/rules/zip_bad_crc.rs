loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags a member whose data does not match the CRC-32 recorded for it.
    ///
    /// ## Why is this bad?
    /// `zipfile` raises on read, so scanners built on it give up; PyTorch does not check. A payload in a member with a wrong CRC loads anyway (CVE-2025-10156).
    ///
    /// ## Example
    /// ```text
    /// archive/data.pkl: CRC-32 0x1234abcd recorded, 0x9f00e1a2 computed
    /// ```
    ///
    /// ## How to fix
    /// Re-download the file; if the CRC is wrong in an untrusted file, treat it as tampered with.
    ///
    /// ## References
    /// - [CWE-354](https://cwe.mitre.org/data/definitions/354.html)
    /// - CVE-2025-10156
    pub static RULE = {
        code: "ZIP004",
        name: "zip-bad-crc",
        summary: "a zip member's data does not match its CRC-32",
        severity: Medium,
        confidence: High,
        cwe: 354,
    };
}
