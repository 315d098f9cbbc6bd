loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags credentials written as literal values: `env`, `headers`, `args` and URLs of MCP client
    /// configs, and string literals of server source. Known key shapes (AWS, OpenAI, Anthropic, GitHub,
    /// GitLab, Slack, Stripe, Hugging Face, Google, npm, JWTs, private keys, bearer tokens) and long
    /// literal values of variables named like a secret. References (`${input:x}`, `${env:X}`, `$X`,
    /// `{env:X}`) and placeholders are not secrets. The value is never printed in full: the finding shows
    /// its kind and first characters.
    ///
    /// ## Why is this bad?
    /// Config files are synced, shared in dotfile repositories, pasted into issues and read by every agent
    /// and extension that can read the home folder. A key written there is a key leaked.
    ///
    /// ## Example
    /// ```text
    /// {"mcpServers": {"github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github@2025.4.8"],
    ///   "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_..."}}}}
    /// ```
    ///
    /// ## How to fix
    /// Reference the secret (`${input:github_token}` in VS Code, `${env:GITHUB_TOKEN}`, an OS keychain)
    /// instead of writing it; rotate the key that was written.
    ///
    /// ## References
    /// - [CWE-798](https://cwe.mitre.org/data/definitions/798.html)
    pub static RULE = {
        code: "MCP001",
        name: "mcp-hardcoded-secret",
        summary: "a credential written in clear in an MCP config or server source",
        severity: High,
        confidence: Medium,
        cwe: 798,
    };
}
