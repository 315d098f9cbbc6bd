loadguard_core::declare_rule! {
    /// ## What it does
    /// Reports what went wrong or looked odd while reading a file of a Hub repository by ranges: a server that ignored `Range`, a `Content-Range` that names another size than the listing, a read that failed. What could not be read was not scanned.
    ///
    /// ## Why is this bad?
    /// A file whose size changes between the listing and the read is not the file that was listed; a read that failed leaves part of the file unscanned.
    ///
    /// ## Example
    /// ```text
    /// pytorch_model.bin: asked for bytes 0-65535/1000, the server answered Content-Range bytes 0-65535/2000
    /// ```
    ///
    /// ## How to fix
    /// Scan again; if it persists, download the repository and scan the files locally.
    ///
    /// ## References
    /// - [CWE-345](https://cwe.mitre.org/data/definitions/345.html)
    pub static RULE = {
        code: "HUB004",
        name: "remote-read-anomaly",
        summary: "reading a remote file did not go as the listing promised (ignored ranges, other sizes, failed reads)",
        severity: Medium,
        confidence: High,
        cwe: 345,
    };
}
