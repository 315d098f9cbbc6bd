loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags tensors whose `data_offsets` run past the data buffer, end before they begin, overlap
    /// another tensor, or leave a gap.
    ///
    /// ## Why is this bad?
    /// Out-of-bounds ranges are memory-safety bugs in lenient readers; overlapping ranges let one
    /// region be read as two tensors; gaps hide data no tensor accounts for.
    ///
    /// ## Example
    /// ```text
    /// "a": [0, 8], "b": [4, 12]
    /// ```
    ///
    /// ## How to fix
    /// Re-export the file; treat it as hostile if it came from elsewhere.
    ///
    /// ## References
    /// - [CWE-125](https://cwe.mitre.org/data/definitions/125.html)
    pub static RULE = {
        code: "ST005",
        name: "safetensors-offsets",
        summary: "tensor byte ranges overlap, leave gaps, run backwards or past the data",
        severity: High,
        confidence: High,
        cwe: 125,
    };
}
