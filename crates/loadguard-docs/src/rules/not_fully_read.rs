loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags a document that loadguard could not read to the end: over the byte, node or row limit, a
    /// malformed part (XML that does not parse, a JSONL line that is not JSON, a PDF or Parquet file
    /// that cannot be decoded), style rules past the limit, a Parquet file too large to read in
    /// memory inside an archive or from a remote source. What was read is still scanned; what was not is this finding, so the document is never
    /// called safe on a partial reading.
    ///
    /// ## Why is this bad?
    /// Fail closed: an injection after the point where reading stopped would otherwise pass.
    ///
    /// ## Example
    /// A JSONL corpus of two million rows with the default limit of one million rows.
    ///
    /// ## How to fix
    /// Split the document, or raise the limit (the library's `Limits`) when the size is expected.
    ///
    /// ## References
    /// - [CWE-693](https://cwe.mitre.org/data/definitions/693.html)
    pub static RULE = {
        code: "DOC007",
        name: "document-not-fully-read",
        summary: "a document was not read whole (limit reached or malformed)",
        severity: Medium,
        confidence: High,
        cwe: 693,
    };
}
