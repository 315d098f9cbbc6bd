loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags servers whose command, script or working folder is under `/tmp`, `/var/tmp`, `/dev/shm`,
    /// `%TEMP%` or a Downloads folder.
    ///
    /// ## Why is this bad?
    /// Any local user or process can replace files there between starts; a download folder holds whatever a
    /// browser saved. The client runs it with the user's rights.
    ///
    /// ## Example
    /// ```text
    /// {"command": "/tmp/mcp-server/run", "args": []}
    /// ```
    ///
    /// ## How to fix
    /// Install the server into a folder only the user can write.
    ///
    /// ## References
    /// - [CWE-427](https://cwe.mitre.org/data/definitions/427.html)
    pub static RULE = {
        code: "MCP008",
        name: "mcp-untrusted-launch-path",
        summary: "an MCP server started from a temporary or world-writable folder",
        severity: Medium,
        confidence: Medium,
        cwe: 427,
    };
}
