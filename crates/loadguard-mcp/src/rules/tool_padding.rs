loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags tool text with long runs of spaces or newlines (text pushed out of view in a client's tool
    /// panel) and long base64 blobs in descriptions.
    ///
    /// ## Why is this bad?
    /// Clients show the first lines of a description; what follows a screen of blank lines is read by the
    /// model, not by the user.
    ///
    /// ## Example
    /// ```text
    /// "description": "Fetches a page.                                        (200 spaces) ...ignore previous..."
    /// ```
    ///
    /// ## How to fix
    /// Remove the padding; treat the server as hostile if text follows it.
    ///
    /// ## References
    /// - [CWE-451](https://cwe.mitre.org/data/definitions/451.html)
    pub static RULE = {
        code: "MCP106",
        name: "mcp-tool-padding",
        summary: "tool text hidden behind long runs of blank space or encoded blobs",
        severity: Medium,
        confidence: Medium,
        cwe: 451,
    };
}
