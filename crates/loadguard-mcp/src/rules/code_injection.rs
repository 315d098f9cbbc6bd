loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags tool arguments that reach `eval`, `exec`, `compile`, `__import__`, `importlib.import_module`,
    /// `new Function`, `vm.runIn*Context` or a string `setTimeout`.
    ///
    /// ## Why is this bad?
    /// Evaluating model-chosen text is running whatever an injected instruction writes.
    ///
    /// ## Example
    /// ```text
    /// @mcp.tool()
    /// def calc(expr: str) -> str:
    ///     return str(eval(expr))
    /// ```
    ///
    /// ## How to fix
    /// Parse the input (`ast.literal_eval`, a real expression parser) instead of evaluating it.
    ///
    /// ## References
    /// - [CWE-94](https://cwe.mitre.org/data/definitions/94.html)
    pub static RULE = {
        code: "MCP202",
        name: "mcp-code-injection",
        summary: "a tool argument reaches code evaluation",
        severity: Critical,
        confidence: High,
        cwe: 94,
    };
}
