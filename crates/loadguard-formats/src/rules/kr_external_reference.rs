loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags `TFSMLayer` layers, which load a TensorFlow SavedModel from a path given in the config.
    ///
    /// ## Why is this bad?
    /// The referenced SavedModel's graph runs on load, and it is not part of what was scanned.
    ///
    /// ## Example
    /// ```text
    /// TFSMLayer(filepath="/tmp/other_model")
    /// ```
    ///
    /// ## How to fix
    /// Scan and review the referenced model, or remove the layer.
    ///
    /// ## References
    /// - [CWE-829](https://cwe.mitre.org/data/definitions/829.html)
    pub static RULE = {
        code: "KR003",
        name: "keras-external-reference",
        summary: "a Keras layer loads another file (TFSMLayer, file paths)",
        severity: High,
        confidence: High,
        cwe: 829,
    };
}
