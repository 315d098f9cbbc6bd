loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags `auto_map` in `config.json` / `tokenizer_config.json` (custom classes loaded from the
    /// repository) and `.py` files in a model folder: a folder, or a folder under one, where weights,
    /// a pickle, an archive or a model config were found. Python among documents only (a corpus of
    /// code, a lone script) is not a model's code and is not reported.
    ///
    /// ## Why is this bad?
    /// `from_pretrained(..., trust_remote_code=True)` imports that code into your process.
    ///
    /// ## Example
    /// ```text
    /// "auto_map": {"AutoModel": "modeling_evil.EvilModel"}
    /// ```
    ///
    /// ## How to fix
    /// Review the code and pin the revision, or use a model that needs no custom code.
    ///
    /// ## References
    /// - [CWE-94](https://cwe.mitre.org/data/definitions/94.html)
    pub static RULE = {
        code: "AT016",
        name: "remote-code",
        summary: "a model folder ships Python code that trust_remote_code would run",
        severity: Medium,
        confidence: High,
        cwe: 94,
    };
}
