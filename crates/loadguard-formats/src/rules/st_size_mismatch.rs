loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags tensors whose byte length differs from the product of the shape and the dtype size, whose
    /// element count overflows, or whose sub-byte size is not whole.
    ///
    /// ## Why is this bad?
    /// Readers that trust the shape read past the range; the reference loader rejects the file.
    ///
    /// ## Example
    /// ```text
    /// "w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 4]}
    /// ```
    ///
    /// ## How to fix
    /// Re-export the file.
    ///
    /// ## References
    /// - [CWE-130](https://cwe.mitre.org/data/definitions/130.html)
    pub static RULE = {
        code: "ST006",
        name: "safetensors-size-mismatch",
        summary: "a tensor's byte range does not match its shape and dtype",
        severity: High,
        confidence: High,
        cwe: 130,
    };
}
