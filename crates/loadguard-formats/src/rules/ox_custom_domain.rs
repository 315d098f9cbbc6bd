loadguard_core::declare_rule! {
    /// ## What it does
    /// Lists operators whose domain is not a standard ONNX operator set (`ai.onnx`, `ai.onnx.ml`,
    /// training), in the main graph, nested graphs and functions; ONNX Runtime's own `com.microsoft`
    /// ops are reported at low.
    ///
    /// ## Why is this bad?
    /// A custom operator only runs when its native library is registered: loading the model means
    /// loading code that ships with it.
    ///
    /// ## Example
    /// ```text
    /// node "decode": com.attacker::EvilOp
    /// ```
    ///
    /// ## How to fix
    /// Review the custom-op library the model needs before loading it.
    ///
    /// ## References
    /// - [CWE-829](https://cwe.mitre.org/data/definitions/829.html)
    pub static RULE = {
        code: "OX003",
        name: "onnx-custom-domain",
        summary: "an ONNX operator comes from a non-standard domain",
        severity: Medium,
        confidence: High,
        cwe: 829,
    };
}
