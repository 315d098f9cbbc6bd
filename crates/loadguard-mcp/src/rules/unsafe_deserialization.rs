loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags `pickle`, `dill`, `marshal`, `shelve`, `joblib.load`, `torch.load` without
    /// `weights_only=True`, `numpy.load(allow_pickle=True)` and `yaml.load` without a safe loader on data
    /// or paths a tool argument chooses.
    ///
    /// ## Why is this bad?
    /// These loaders execute code by design: a model-chosen path or payload is remote code execution.
    ///
    /// ## Example
    /// ```text
    /// @mcp.tool()
    /// def load(path: str):
    ///     return pickle.load(open(path, "rb"))
    /// ```
    ///
    /// ## How to fix
    /// Use safe formats (JSON, safetensors) or `yaml.safe_load`, `torch.load(weights_only=True)`; scan
    /// files with loadguard before loading.
    ///
    /// ## References
    /// - [CWE-502](https://cwe.mitre.org/data/definitions/502.html)
    pub static RULE = {
        code: "MCP205",
        name: "mcp-unsafe-deserialization",
        summary: "a tool deserializes data with a loader that runs code",
        severity: High,
        confidence: High,
        cwe: 502,
    };
}
