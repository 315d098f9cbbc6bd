loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags tensor infos with an unknown ggml type, more than four dimensions, an element count or
    /// size that overflows, a first dimension that is not a multiple of the type's block size, and data
    /// ranges that are misaligned, overlap another tensor or run past the data section.
    ///
    /// ## Why is this bad?
    /// Loaders compute pointers from these fields; a lie is an out-of-bounds read or write.
    ///
    /// ## Example
    /// ```text
    /// tensor "blk.0.attn_q.weight": offset 17 (alignment 32)
    /// ```
    ///
    /// ## How to fix
    /// Re-convert the model with the `gguf` tools.
    ///
    /// ## References
    /// - [CWE-125](https://cwe.mitre.org/data/definitions/125.html)
    pub static RULE = {
        code: "GG003",
        name: "gguf-tensor-info",
        summary: "a GGUF tensor has an unknown type, too many dimensions, or data out of bounds, misaligned or overlapping",
        severity: High,
        confidence: High,
        cwe: 125,
    };
}
