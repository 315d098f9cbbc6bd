loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags safetensors files that start with a zip local header (a header length of 0x04034B50) or
    /// carry a zip end-of-central-directory record whose directory lies inside the tensor data.
    ///
    /// ## Why is this bad?
    /// Renamed to `.pt`, the same bytes load as a PyTorch zip checkpoint, with its pickle. loadguard
    /// scans the zip view too.
    ///
    /// ## Example
    /// ```text
    /// 50 4b 03 04 ... (n = 0x04034B50)
    /// ```
    ///
    /// ## How to fix
    /// Do not load the file with anything but `safetensors`; re-export it.
    ///
    /// ## References
    /// - [CWE-436](https://cwe.mitre.org/data/definitions/436.html)
    pub static RULE = {
        code: "ST009",
        name: "safetensors-polyglot",
        summary: "the safetensors file is also a zip",
        severity: High,
        confidence: High,
        cwe: 436,
    };
}
