loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags tool arguments interpolated into SQL text (f-strings, `%`, `+`, `.format`, template literals)
    /// passed to `execute`, `executemany`, `executescript`, `query`, `raw`.
    ///
    /// ## Why is this bad?
    /// The model writes the argument; an injected instruction writes the SQL.
    ///
    /// ## Example
    /// ```text
    /// @mcp.tool()
    /// def find(name: str):
    ///     cur.execute(f"SELECT * FROM users WHERE name = '{name}'")
    /// ```
    ///
    /// ## How to fix
    /// Use parameters (`execute("... = ?", (name,))`). A tool that is meant to run the user's SQL is
    /// reported so a reviewer decides.
    ///
    /// ## References
    /// - [CWE-89](https://cwe.mitre.org/data/definitions/89.html)
    pub static RULE = {
        code: "MCP206",
        name: "mcp-sql-injection",
        summary: "a tool argument is built into an SQL statement",
        severity: High,
        confidence: Medium,
        cwe: 89,
    };
}
