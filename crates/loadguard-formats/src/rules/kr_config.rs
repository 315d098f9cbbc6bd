loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags a `config.json` (or `model_config`) that is not valid JSON.
    ///
    /// ## Why is this bad?
    /// Loaders fail or read it differently; nothing in it could be checked.
    ///
    /// ## Example
    /// ```text
    /// config.json: unexpected character at byte 17
    /// ```
    ///
    /// ## How to fix
    /// Re-save the model with Keras.
    ///
    /// ## References
    /// - [CWE-20](https://cwe.mitre.org/data/definitions/20.html)
    pub static RULE = {
        code: "KR004",
        name: "keras-config-invalid",
        summary: "a Keras model config cannot be parsed",
        severity: Medium,
        confidence: High,
        cwe: 20,
    };
}
