loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags tool arguments that become the URL of `requests`, `httpx`, `urllib`, `aiohttp`, `fetch`,
    /// `axios`, `got` or `http(s).request` in a function with no host allowlist.
    ///
    /// ## Why is this bad?
    /// The server fetches from inside the user's network: cloud metadata endpoints, intranet services,
    /// localhost admin ports.
    ///
    /// ## Example
    /// ```text
    /// @mcp.tool()
    /// def get(url: str) -> str:
    ///     return requests.get(url).text
    /// ```
    ///
    /// ## How to fix
    /// Check the host against an allowlist and refuse private addresses. A fetch tool that is meant to
    /// reach any URL should say so in its description, and is reported so a reviewer decides.
    ///
    /// ## References
    /// - [CWE-918](https://cwe.mitre.org/data/definitions/918.html)
    pub static RULE = {
        code: "MCP204",
        name: "mcp-ssrf",
        summary: "a tool argument chooses the URL of a server-side request",
        severity: High,
        confidence: Medium,
        cwe: 918,
    };
}
