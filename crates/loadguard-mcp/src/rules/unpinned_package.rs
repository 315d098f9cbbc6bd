loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags servers started by a package runner (`npx`, `bunx`, `pnpm dlx`, `yarn dlx`, `uvx`, `uv tool
    /// run`, `pipx run`) without an exact version (`pkg@1.2.3`, `pkg==1.2.3`), and containers
    /// (`docker`/`podman run`) whose image has no tag, `:latest`, and no `@sha256:` digest.
    ///
    /// ## Why is this bad?
    /// The client downloads and runs whatever the registry serves at each start: a hijacked maintainer
    /// account or a typosquat takes over every machine whose config names the package, with the user's
    /// rights, the next time the client starts.
    ///
    /// ## Example
    /// ```text
    /// {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/project"]}
    /// ```
    ///
    /// ## How to fix
    /// Pin an exact version (`@modelcontextprotocol/server-filesystem@2025.8.21`,
    /// `mcp-server-fetch==2025.4.7`) or an image digest, and update it on purpose.
    ///
    /// ## References
    /// - [CWE-829](https://cwe.mitre.org/data/definitions/829.html)
    pub static RULE = {
        code: "MCP002",
        name: "mcp-unpinned-package",
        summary: "an MCP server launched from a package or image with no pinned version",
        severity: Medium,
        confidence: High,
        cwe: 829,
    };
}
