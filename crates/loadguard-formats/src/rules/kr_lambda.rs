loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags Lambda layers in a Keras config (`.keras` zip or legacy `.h5`), decodes their marshaled
    /// function and lists the names its bytecode references; critical when those include `os`,
    /// `system`, `eval`, `exec`, `__import__`, `subprocess` and kin.
    ///
    /// ## Why is this bad?
    /// The bytecode runs when the model is used, and with `safe_mode=False` (or on Keras < 3.9) when it
    /// is loaded (CVE-2024-3660, CVE-2025-1550).
    ///
    /// ## Example
    /// ```text
    /// layer "evil": Lambda bytecode references os, system
    /// ```
    ///
    /// ## How to fix
    /// Do not load the model with `safe_mode=False`. Ask for the model without Lambda layers (a custom
    /// layer class you review).
    ///
    /// ## References
    /// - [CWE-94](https://cwe.mitre.org/data/definitions/94.html)
    /// - CVE-2024-3660
    /// - CVE-2025-1550
    pub static RULE = {
        code: "KR001",
        name: "keras-lambda",
        summary: "a Keras Lambda layer carries Python bytecode",
        severity: High,
        confidence: High,
        cwe: 94,
    };
}
