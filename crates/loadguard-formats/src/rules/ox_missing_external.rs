loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags external-data locations that do not exist beside the model (checked when the model is
    /// scanned from disk).
    ///
    /// ## Why is this bad?
    /// The model cannot be loaded as shipped; the missing piece may be fetched later from somewhere
    /// else, unscanned.
    ///
    /// ## Example
    /// ```text
    /// initializer "w": weights.bin not found
    /// ```
    ///
    /// ## How to fix
    /// Ship and scan the external data with the model.
    ///
    /// ## References
    /// - [CWE-20](https://cwe.mitre.org/data/definitions/20.html)
    pub static RULE = {
        code: "OX005",
        name: "onnx-missing-external-data",
        summary: "an ONNX external-data file is missing next to the model",
        severity: Medium,
        confidence: High,
        cwe: 20,
    };
}
