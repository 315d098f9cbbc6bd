loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags servers launched from a package version that a published advisory names as vulnerable (for
    /// example `mcp-remote` before 0.1.16, CVE-2025-6514; `@modelcontextprotocol/inspector` before 0.14.1,
    /// CVE-2025-49596; `@modelcontextprotocol/server-filesystem` before 2025.7.1, CVE-2025-53109/53110).
    /// The list is built in and works offline.
    ///
    /// ## Why is this bad?
    /// The vulnerable versions let a malicious server or web page run commands on the client machine or
    /// escape the granted folders.
    ///
    /// ## Example
    /// ```text
    /// {"command": "npx", "args": ["mcp-remote@0.1.15", "https://mcp.example.com/sse"]}
    /// ```
    ///
    /// ## How to fix
    /// Pin a fixed version.
    ///
    /// ## References
    /// - [CWE-1395](https://cwe.mitre.org/data/definitions/1395.html)
    pub static RULE = {
        code: "MCP010",
        name: "mcp-known-vulnerable-package",
        summary: "an MCP config pins a package version with a published vulnerability",
        severity: High,
        confidence: High,
        cwe: 1395,
    };
}
