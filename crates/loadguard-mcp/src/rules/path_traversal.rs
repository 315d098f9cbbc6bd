loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags tool arguments that reach file reads, writes, deletes or permission changes (`open`,
    /// `pathlib`, `shutil`, `os.remove`, `os.chmod`, `fs.*`) in a function with no containment check
    /// (`resolve`/`realpath` then `is_relative_to`/`commonpath`/`startsWith(root + sep)`).
    ///
    /// ## Why is this bad?
    /// An injected instruction picks `../../.ssh/id_rsa` as readily as a file in the project.
    ///
    /// ## Example
    /// ```text
    /// @mcp.tool()
    /// def read(name: str) -> str:
    ///     return open(os.path.join(ROOT, name)).read()
    /// ```
    ///
    /// ## How to fix
    /// Resolve the path and check it stays under the allowed root before using it.
    ///
    /// ## References
    /// - [CWE-22](https://cwe.mitre.org/data/definitions/22.html)
    pub static RULE = {
        code: "MCP203",
        name: "mcp-path-traversal",
        summary: "a tool argument chooses a file path without a containment check",
        severity: High,
        confidence: Medium,
        cwe: 22,
    };
}
