loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags tensors whose raw data length differs from what their dims and type need, whose dims
    /// overflow or are negative, and tensors that declare more than a terabyte.
    ///
    /// ## Why is this bad?
    /// Runtimes that trust the dims read past the data; absurd sizes are memory bombs.
    ///
    /// ## Example
    /// ```text
    /// initializer "w": dims [4] FLOAT need 16 bytes, raw_data holds 4
    /// ```
    ///
    /// ## How to fix
    /// Re-export the model.
    ///
    /// ## References
    /// - [CWE-130](https://cwe.mitre.org/data/definitions/130.html)
    pub static RULE = {
        code: "OX004",
        name: "onnx-tensor-size",
        summary: "an ONNX tensor's size disagrees with its dims, or is absurd",
        severity: Medium,
        confidence: High,
        cwe: 130,
    };
}
