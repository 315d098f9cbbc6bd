loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags code that names credential paths (`~/.ssh`, `id_rsa`, `~/.aws/credentials`, `.env`, `.npmrc`,
    /// `.pypirc`, `.git-credentials`, `.netrc`, `~/.kube/config`, `~/.docker/config.json`, `~/.gnupg`,
    /// browser profile databases, other MCP clients' configs), also after decoding obfuscated strings.
    ///
    /// ## Why is this bad?
    /// An MCP server has no business reading the user's keys; this is the first half of credential theft.
    ///
    /// ## Example
    /// ```text
    /// key = open(os.path.expanduser("~/.ssh/id_rsa")).read()
    /// ```
    ///
    /// ## How to fix
    /// Remove the server; rotate the credentials.
    ///
    /// ## References
    /// - [CWE-522](https://cwe.mitre.org/data/definitions/522.html)
    pub static RULE = {
        code: "MCP209",
        name: "mcp-credential-access",
        summary: "server code reads credential files",
        severity: High,
        confidence: Medium,
        cwe: 522,
    };
}
