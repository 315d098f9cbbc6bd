loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags tensor entries whose dtype is unknown, whose `shape` or `data_offsets` are not arrays of
    /// non-negative integers (two offsets), and entries with fields other than `dtype`, `shape` and
    /// `data_offsets`.
    ///
    /// ## Why is this bad?
    /// The reference loader silently ignores extra fields: a concealed data channel inside a file
    /// everyone considers inert. Malformed entries make loaders disagree.
    ///
    /// ## Example
    /// ```text
    /// "w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4], "payload": "..."}
    /// ```
    ///
    /// ## How to fix
    /// Re-export the file with the `safetensors` library.
    ///
    /// ## References
    /// - [CWE-20](https://cwe.mitre.org/data/definitions/20.html)
    pub static RULE = {
        code: "ST004",
        name: "safetensors-tensor-entry",
        summary: "a tensor entry has an unknown dtype, malformed fields, or extra fields",
        severity: Medium,
        confidence: High,
        cwe: 20,
    };
}
