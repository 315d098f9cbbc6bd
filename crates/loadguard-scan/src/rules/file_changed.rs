loadguard_core::declare_rule! {
    /// ## What it does
    /// Reports a file that shrank while loadguard was reading it: another process truncated or
    /// replaced it during the scan. Large files are mapped into memory; the pages that vanished
    /// with the truncation were read as zeros (instead of ending the process with SIGBUS), so
    /// the findings describe bytes that are no longer the file's. The verdict is "review",
    /// never "safe".
    ///
    /// ## Why is this bad?
    /// A verdict is only worth something for the bytes that will be loaded. A file rewritten
    /// between the scan and the load (a download still in progress, a cache being pruned, or an
    /// attacker racing the scanner) can hold anything.
    ///
    /// ## Example
    /// ```text
    /// model.bin: the file shrank while it was scanned (truncated or replaced by another process)
    /// ```
    ///
    /// ## How to fix
    /// Wait until whatever writes the file has finished, then scan it again; better, scan and
    /// load a copy that nothing else writes.
    ///
    /// ## References
    /// - [CWE-367](https://cwe.mitre.org/data/definitions/367.html)
    pub static RULE = {
        code: "LG004",
        name: "file-changed-during-scan",
        summary: "a file that shrank while it was being scanned: the scan did not see its bytes",
        severity: High,
        confidence: High,
        cwe: 367,
    };
}

use loadguard_core::{Finding, Location};

/// The finding for a file, at `path`, that shrank during its scan.
pub fn finding(path: &str) -> Finding {
    Finding::builder(
        &RULE,
        "the file shrank while it was scanned (truncated or replaced by another process): \
         the bytes past its new end were read as zeros, so this scan says nothing about it"
            .to_owned(),
    )
    .at(Location::file(path))
    .build()
}
