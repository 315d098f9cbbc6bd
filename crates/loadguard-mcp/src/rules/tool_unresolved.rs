loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags tools registered in server source whose description is not a literal: built from variables,
    /// files, the network or decoded strings.
    ///
    /// ## Why is this bad?
    /// A static review (and this scanner) reads only what is written; a description computed at run time
    /// can be changed for the model without changing the code a reviewer saw.
    ///
    /// ## Example
    /// ```text
    /// @mcp.tool(description=load_description())
    /// ```
    ///
    /// ## How to fix
    /// Write descriptions as literals.
    ///
    /// ## References
    /// - [CWE-912](https://cwe.mitre.org/data/definitions/912.html)
    pub static RULE = {
        code: "MCP109",
        name: "mcp-tool-unresolved-description",
        summary: "a tool description built at run time",
        severity: Low,
        confidence: Medium,
        cwe: 912,
    };
}
