loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags archives nested deeper than the limit, and scans that reached the member or byte budget or the time limit (`--file-timeout`).
    ///
    /// ## Why is this bad?
    /// Limits keep hostile archives from exhausting the scanner. When one is hit, what lies beyond it was not scanned, so the result cannot be called safe.
    ///
    /// ## Example
    /// ```text
    /// zip → zip → zip → ... 20 levels
    /// ```
    ///
    /// ## How to fix
    /// If the nesting is legitimate, raise `--max-container-depth` (or the budget or time limit that was
    /// reached); otherwise treat the file as hostile.
    ///
    /// ## References
    /// - [CWE-400](https://cwe.mitre.org/data/definitions/400.html)
    pub static RULE = {
        code: "ARC005",
        name: "container-limit",
        summary: "a container nesting, member-count, byte or time budget was reached",
        severity: High,
        confidence: High,
        cwe: 400,
    };
}
