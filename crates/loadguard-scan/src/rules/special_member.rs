loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags tar members that are symbolic or hard links, character or block devices, or FIFOs.
    ///
    /// ## Why is this bad?
    /// Links redirect extraction or later reads to files outside the archive; devices and FIFOs make extraction or loading hang or touch hardware.
    ///
    /// ## Example
    /// ```text
    /// storages -> /etc/passwd (symlink)
    /// ```
    ///
    /// ## How to fix
    /// Do not extract the archive; re-create it with regular files only.
    ///
    /// ## References
    /// - [CWE-59](https://cwe.mitre.org/data/definitions/59.html)
    pub static RULE = {
        code: "ARC003",
        name: "archive-special-member",
        summary: "a tar member is a link, device or FIFO",
        severity: High,
        confidence: High,
        cwe: 59,
    };
}
