loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags entries of an MCP config that name neither a command nor a URL in any shape loadguard knows,
    /// source files that could not be parsed or are over the size limit, and keys given twice in one
    /// JSON object (clients keep the last, which is the one scanned; a reader of the first sees another
    /// server).
    ///
    /// ## Why is this bad?
    /// loadguard fails closed: an entry it could not read is an entry it did not check. A client may still
    /// start it.
    ///
    /// ## Example
    /// ```text
    /// {"mcpServers": {"x": {"exec": "..."}}}
    /// ```
    ///
    /// ## How to fix
    /// Check the entry by hand; if the client understands it, report the shape to loadguard.
    ///
    /// ## References
    /// - [CWE-20](https://cwe.mitre.org/data/definitions/20.html)
    pub static RULE = {
        code: "MCP009",
        name: "mcp-unknown-config-entry",
        summary: "an MCP config entry that could not be understood",
        severity: Low,
        confidence: High,
        cwe: 20,
    };
}
