loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags server arguments that are the filesystem root or the home folder (`/`, `~`, `$HOME`,
    /// `${HOME}`, `%USERPROFILE%`, `C:\`, `/home`, `/Users`).
    ///
    /// ## Why is this bad?
    /// A filesystem server given the home folder hands every agent turn read (and often write) access to
    /// SSH keys, cloud credentials, browser profiles and other clients' configs: one injected instruction
    /// away from exfiltration.
    ///
    /// ## Example
    /// ```text
    /// {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem@2025.8.21", "~"]}
    /// ```
    ///
    /// ## How to fix
    /// Grant the project folder the agent works on, nothing wider.
    ///
    /// ## References
    /// - [CWE-732](https://cwe.mitre.org/data/definitions/732.html)
    pub static RULE = {
        code: "MCP006",
        name: "mcp-broad-filesystem-grant",
        summary: "an MCP server given the whole disk or the home folder",
        severity: Medium,
        confidence: Medium,
        cwe: 732,
    };
}
