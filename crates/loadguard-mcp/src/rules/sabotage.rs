loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags destructive or process-wide actions no tool needs: deleting the home folder or the disk root,
    /// killing other processes, rewriting `PATH` or `sys.modules`, patching builtins, disabling TLS
    /// verification process-wide, shell lines with `rm -rf ~`, reverse shells (`/dev/tcp/`, `nc -e`).
    ///
    /// ## Why is this bad?
    /// These change the machine or every other tool in the process, not the tool's own result.
    ///
    /// ## Example
    /// ```text
    /// shutil.rmtree(os.path.expanduser("~"))
    /// ```
    ///
    /// ## How to fix
    /// Remove the server.
    ///
    /// ## References
    /// - [CWE-912](https://cwe.mitre.org/data/definitions/912.html)
    pub static RULE = {
        code: "MCP211",
        name: "mcp-sabotage",
        summary: "server code damages the host or the process beyond its task",
        severity: High,
        confidence: Medium,
        cwe: 912,
    };
}
