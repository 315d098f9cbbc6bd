loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags bytes that are valid in two formats at once, where one of the views is a pickle
    /// that names or calls something: a tar archive, a zlib stream, a safetensors or ONNX file
    /// that `pickle.load` also accepts. loadguard scans every view a loader could take, and
    /// reports the other view's findings next to this one.
    ///
    /// ## Why is this bad?
    /// A scanner that stops at the first format that matches sees the harmless view; the loader
    /// that takes the other one (`torch.load` and `joblib.load` fall back to plain pickle) runs
    /// the payload. No library writes such files in normal use.
    ///
    /// ## Example
    /// ```text
    /// (\x08\x1d...  # a zlib header that is also MARK, then a pickle hidden in stored deflate blocks
    /// ```
    ///
    /// ## How to fix
    /// Do not load the file. A model file should be one format; re-export it from its source.
    ///
    /// ## References
    /// - [CWE-436](https://cwe.mitre.org/data/definitions/436.html)
    pub static RULE = {
        code: "ARC007",
        name: "format-polyglot",
        summary: "the bytes are valid in two formats and one of them is a pickle that does something",
        severity: High,
        confidence: High,
        cwe: 436,
    };
}
