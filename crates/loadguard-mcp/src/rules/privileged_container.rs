loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags `docker`/`podman run` servers started with `--privileged`, `--cap-add ALL|SYS_ADMIN`, host
    /// namespaces (`--network host`, `--pid host`, `--ipc host`, `--userns host`), disabled confinement
    /// (`seccomp=unconfined`), or mounts of the host root, the home folder, `/etc`, `/root` or the
    /// container engine socket.
    ///
    /// ## Why is this bad?
    /// A container is only a boundary when it is one: each of these options gives code inside it the host.
    /// The docker socket alone is root on the host.
    ///
    /// ## Example
    /// ```text
    /// {"command": "docker", "args": ["run", "-i", "--rm", "-v", "/var/run/docker.sock:/var/run/docker.sock", "mcp/docker@sha256:..."]}
    /// ```
    ///
    /// ## How to fix
    /// Run the container unprivileged, mount only the folders the server needs, read-only where possible.
    ///
    /// ## References
    /// - [CWE-250](https://cwe.mitre.org/data/definitions/250.html)
    pub static RULE = {
        code: "MCP007",
        name: "mcp-privileged-container",
        summary: "an MCP server container with host privileges",
        severity: High,
        confidence: High,
        cwe: 250,
    };
}
