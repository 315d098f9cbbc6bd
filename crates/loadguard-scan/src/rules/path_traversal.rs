loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags member names that are absolute, contain `..` components, or drive letters.
    ///
    /// ## Why is this bad?
    /// Extracting the archive (as `.nemo` and `.tar.gz` checkpoints are) writes outside the target folder: a classic route to overwriting code that runs later.
    ///
    /// ## Example
    /// ```text
    /// ../../home/user/.bashrc
    /// ```
    ///
    /// ## How to fix
    /// Do not extract the archive with a tool that follows such names; re-create it with relative paths
    /// inside its folder.
    ///
    /// ## References
    /// - [CWE-22](https://cwe.mitre.org/data/definitions/22.html)
    pub static RULE = {
        code: "ARC002",
        name: "archive-path-traversal",
        summary: "an archive member name escapes the extraction folder",
        severity: High,
        confidence: High,
        cwe: 22,
    };
}
