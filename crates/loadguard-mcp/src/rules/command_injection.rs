loadguard_core::declare_rule! {
    /// ## What it does
    /// Follows each tool's arguments through assignments, string building and the functions it calls, into
    /// process execution: `subprocess` with `shell=True`, `os.system`, `os.popen`,
    /// `asyncio.create_subprocess_shell`, `child_process.exec`/`execSync`, `spawn(..., {shell: true})`. An
    /// argument list without a shell is not flagged unless the argument chooses the program; `shlex.quote`
    /// and an allowlist check guard it.
    ///
    /// ## Why is this bad?
    /// The model fills tool arguments, and the model reads injected text: an argument that reaches a shell
    /// is a command any document can run on the user's machine.
    ///
    /// ## Example
    /// ```text
    /// @mcp.tool()
    /// def grep(pattern: str) -> str:
    ///     return subprocess.check_output(f"grep -r {pattern} .", shell=True)
    /// ```
    ///
    /// ## How to fix
    /// Pass an argument list without a shell, validate the argument against an allowlist.
    ///
    /// ## References
    /// - [CWE-78](https://cwe.mitre.org/data/definitions/78.html)
    pub static RULE = {
        code: "MCP201",
        name: "mcp-command-injection",
        summary: "a tool argument reaches process execution",
        severity: Critical,
        confidence: High,
        cwe: 78,
    };
}
