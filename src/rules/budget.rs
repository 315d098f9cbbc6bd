loadguard_core::declare_rule! {
    /// ## What it does
    /// Reports every file that was left unscanned because the target's budget ran out:
    /// `--target-timeout` (seconds) or `--target-max-bytes` (bytes read from disk, or
    /// downloaded from the Hub). The budget is checked before each file, so a file that was
    /// started is scanned whole; with a byte budget, files are admitted in path order until the
    /// next one would exceed it, so the same folder and budget always give the same result.
    ///
    /// The target's verdict is then "review", never "safe": what was not scanned is not known
    /// to be safe.
    ///
    /// ## Why is this bad?
    /// A budget protects a batch of hundreds of thousands of repositories from one that is huge
    /// or slow, but an attacker can also pad a repository so that the payload lies past the
    /// budget. Reporting each skipped file keeps the budget from becoming a way around the scan.
    ///
    /// ## Example
    /// ```text
    /// loadguard scan --targets repos.txt --format jsonl --target-max-bytes 1000000000
    /// big/model-00002.bin: not scanned: the target's byte budget (1000000000 bytes) ran out
    /// ```
    ///
    /// ## How to fix
    /// Scan the target again with a larger budget (or none) before loading it.
    ///
    /// ## References
    /// - [CWE-693](https://cwe.mitre.org/data/definitions/693.html)
    pub(crate) static RULE = {
        code: "LG003",
        name: "scan-budget-reached",
        summary: "a file left unscanned because the target's time or byte budget ran out",
        severity: Medium,
        confidence: High,
        cwe: 693,
    };
}
