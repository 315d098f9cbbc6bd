loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags data before the first local header (a polyglot: a pickle, script or image with a zip appended), and central directories whose offsets only work after adjusting for such data.
    ///
    /// ## Why is this bad?
    /// A file that is both a pickle and a zip is read as one by `torch.load` and as the other by tools that find the central directory at the end. loadguard scans both views.
    ///
    /// ## Example
    /// ```text
    /// \x80\x02...pickle... PK\x03\x04 ... PK\x05\x06
    /// ```
    ///
    /// ## How to fix
    /// Find out what the prepended data is. A model file should be one format; re-export it.
    ///
    /// ## References
    /// - [CWE-436](https://cwe.mitre.org/data/definitions/436.html)
    pub static RULE = {
        code: "ZIP007",
        name: "zip-prepended-data",
        summary: "bytes before the first zip member, or a zip appended to another file",
        severity: Medium,
        confidence: High,
        cwe: 436,
    };
}
