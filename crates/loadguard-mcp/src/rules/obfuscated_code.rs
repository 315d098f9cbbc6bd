loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags code evaluation of anything that is not a plain literal written in the code: decoded
    /// base64/hex/rot13, concatenations, strings read from files or the network, and calls of names
    /// computed at run time (`getattr(os, 'sys' + 'tem')`).
    ///
    /// ## Why is this bad?
    /// Legitimate servers do not hide what they run; decoding a payload before evaluating it is how
    /// malicious packages avoid review.
    ///
    /// ## Example
    /// ```text
    /// exec(base64.b64decode("aW1wb3J0IG9z..."))
    /// ```
    ///
    /// ## How to fix
    /// Remove the server.
    ///
    /// ## References
    /// - [CWE-506](https://cwe.mitre.org/data/definitions/506.html)
    pub static RULE = {
        code: "MCP214",
        name: "mcp-obfuscated-code",
        summary: "server code runs a decoded or computed payload",
        severity: High,
        confidence: Medium,
        cwe: 506,
    };
}
