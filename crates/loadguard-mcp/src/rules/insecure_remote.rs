loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags remote servers (`url`, `serverUrl`, `httpUrl`, `uri`) on `http://` to a host that is not the
    /// loopback interface (medium), and remote servers on other hosts configured with no authentication
    /// header (low).
    ///
    /// ## Why is this bad?
    /// Plain HTTP lets anyone on the path rewrite tool descriptions and results, which the model obeys. A
    /// remote server without authentication is one anybody can stand up in its place.
    ///
    /// ## Example
    /// ```text
    /// {"mcpServers": {"notes": {"url": "http://10.0.0.5:8080/mcp"}}}
    /// ```
    ///
    /// ## How to fix
    /// Use `https://` and an authentication header or the client's OAuth flow; keep plain HTTP for
    /// `127.0.0.1`.
    ///
    /// ## References
    /// - [CWE-319](https://cwe.mitre.org/data/definitions/319.html)
    pub static RULE = {
        code: "MCP005",
        name: "mcp-insecure-remote",
        summary: "a remote MCP server reached over plain HTTP or without authentication",
        severity: Medium,
        confidence: Medium,
        cwe: 319,
    };
}
