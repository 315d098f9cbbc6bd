loadguard_core::declare_rule! {
/// ## What it does
/// Flags `open`, `io.open`, `_io.FileIO`, `codecs.open`, `shutil`, `pathlib` methods, `tempfile`,
/// `tarfile`/`zipfile`, `logging.FileHandler`, `numpy.savetxt` and other file access.
///
/// ## Why is this bad?
/// Writing a `.pth` file into site-packages runs code at the next interpreter start; reading files can
/// leak secrets into objects that are later sent elsewhere.
///
/// ## Example
/// ```text
/// P4 SG(codecs,open) S('/etc/passwd') T1 R
/// ```
///
/// ## How to fix
/// Do not load the file. A model has no reason to open, write or delete files at load time.
///
/// ## References
/// - [CWE-73](https://cwe.mitre.org/data/definitions/73.html)
/// - picklescan GHSA-9726-w42j-3qjr
    pub static RULE = {
        code: "PKL110",
        name: "pickle-filesystem-access",
        summary: "the pickle reads, writes or deletes files",
        severity: High,
        confidence: High,
        cwe: 73,
    };
}
