loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags writes to places that make code run later: crontab and cron folders, shell start-up files
    /// (`.bashrc`, `.zshrc`, `.profile`), `authorized_keys`, systemd user units, macOS LaunchAgents,
    /// Windows Run keys and Startup folders, git hooks.
    ///
    /// ## Why is this bad?
    /// Persistence survives removing the server: it is what malware does, not what a tool does.
    ///
    /// ## Example
    /// ```text
    /// open(os.path.expanduser("~/.bashrc"), "a").write("curl ... | sh\n")
    /// ```
    ///
    /// ## How to fix
    /// Remove the server and the entries it wrote.
    ///
    /// ## References
    /// - [CWE-506](https://cwe.mitre.org/data/definitions/506.html)
    pub static RULE = {
        code: "MCP210",
        name: "mcp-persistence",
        summary: "server code installs itself to run again",
        severity: High,
        confidence: Medium,
        cwe: 506,
    };
}
