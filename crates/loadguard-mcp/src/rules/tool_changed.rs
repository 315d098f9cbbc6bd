loadguard_core::declare_rule! {
    /// ## What it does
    /// Compares each server's tools with the lock file written by `loadguard mcp pin` and flags tools that
    /// were added, removed or changed (a SHA-256 over the tool's name, description, input schema and
    /// annotations).
    ///
    /// ## Why is this bad?
    /// A rug pull: a server that was reviewed and approved changes its descriptions later, after it has the
    /// user's trust. MCP clients do not tell.
    ///
    /// ## Example
    /// ```text
    /// loadguard mcp pin tools.json --lock mcp.lock.json   # later: loadguard scan --mcp-lock mcp.lock.json tools.json
    /// ```
    ///
    /// ## How to fix
    /// Review the change; pin again if it is wanted.
    ///
    /// ## References
    /// - [CWE-494](https://cwe.mitre.org/data/definitions/494.html)
    pub static RULE = {
        code: "MCP108",
        name: "mcp-tool-changed",
        summary: "a tool's name, description or schema differs from the pinned lock file",
        severity: High,
        confidence: High,
        cwe: 494,
    };
}
