loadguard_core::declare_rule! {
    /// ## What it does
    /// Reports that an `hf:` target named a branch or tag (`main` by default) and which commit it resolved to: every file was read at that commit.
    ///
    /// ## Why is this bad?
    /// A branch moves: what you load tomorrow is not what was scanned today. Pin the commit you scanned (`revision=` in `from_pretrained`).
    ///
    /// ## Example
    /// ```text
    /// hf:org/model@main resolved to 3f2a...; scanned at that commit
    /// ```
    ///
    /// ## How to fix
    /// Load the same commit: `from_pretrained("org/model", revision="<commit>")`, or scan `hf:org/model@<commit>`.
    ///
    /// ## References
    /// - [CWE-1357](https://cwe.mitre.org/data/definitions/1357.html)
    pub static RULE = {
        code: "HUB001",
        name: "unpinned-revision",
        summary: "the repository was named by a branch or tag, which can move; the commit scanned is reported",
        severity: Info,
        confidence: High,
        cwe: 1357,
    };
}
