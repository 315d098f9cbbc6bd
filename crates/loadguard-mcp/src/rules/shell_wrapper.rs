loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags servers whose command is a shell with a script (`sh -c`, `bash -lc`, `cmd /c`, `powershell
    /// -Command`, `-EncodedCommand`) or an interpreter given inline code (`python -c`, `node -e`), and
    /// commands with shell pipes or substitutions.
    ///
    /// ## Why is this bad?
    /// A shell line can do anything before or instead of starting a server, and it hides what runs from
    /// anyone reading the config: the client shows a server name, not the script.
    ///
    /// ## Example
    /// ```text
    /// {"command": "bash", "args": ["-c", "cd ~/tools && ./server --stdio"]}
    /// ```
    ///
    /// ## How to fix
    /// Start the server's executable directly with an argument list.
    ///
    /// ## References
    /// - [CWE-78](https://cwe.mitre.org/data/definitions/78.html)
    pub static RULE = {
        code: "MCP003",
        name: "mcp-shell-wrapper",
        summary: "an MCP server started through a shell or an inline-code interpreter",
        severity: High,
        confidence: High,
        cwe: 78,
    };
}
