loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags tool arguments used as template source: `jinja2.Template(x)`, `Environment().from_string(x)`,
    /// `render_template_string`, `mako.template.Template`, `ejs.render`, `_.template`,
    /// `Handlebars.compile`.
    ///
    /// ## Why is this bad?
    /// Server-side template injection runs code in the server.
    ///
    /// ## Example
    /// ```text
    /// @mcp.tool()
    /// def greet(tpl: str):
    ///     return Template(tpl).render()
    /// ```
    ///
    /// ## How to fix
    /// Render fixed templates with the argument as data.
    ///
    /// ## References
    /// - [CWE-1336](https://cwe.mitre.org/data/definitions/1336.html)
    pub static RULE = {
        code: "MCP207",
        name: "mcp-template-injection",
        summary: "a tool argument is rendered as a template",
        severity: High,
        confidence: Medium,
        cwe: 1336,
    };
}
