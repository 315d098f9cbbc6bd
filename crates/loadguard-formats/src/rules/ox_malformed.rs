loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags ONNX models whose protobuf cannot be read (a length past its message, a truncated varint,
    /// an invalid wire type) and graphs nested more than 32 levels deep in attributes.
    ///
    /// ## Why is this bad?
    /// A scanner that stops at the first bad field misses what follows; recursion bombs exhaust parsers
    /// (ONNX issues on deeply nested If/Loop bodies). Everything readable before the error was checked.
    ///
    /// ## Example
    /// ```text
    /// graph.node[3]: length-delimited field runs past its message
    /// ```
    ///
    /// ## How to fix
    /// Re-export the model with `onnx.save`; treat a malformed file from an untrusted source as
    /// hostile.
    ///
    /// ## References
    /// - [CWE-20](https://cwe.mitre.org/data/definitions/20.html)
    pub static RULE = {
        code: "OX001",
        name: "onnx-malformed",
        summary: "the ONNX protobuf is malformed or nested too deeply",
        severity: High,
        confidence: High,
        cwe: 20,
    };
}
