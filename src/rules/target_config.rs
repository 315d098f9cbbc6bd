loadguard_core::declare_rule! {
    /// ## What it does
    /// Reports scanner configuration or suppression files found inside a scanned
    /// target (`loadguard.toml`, `pyproject.toml` with `[tool.loadguard]`,
    /// `.loadguardignore`, `.picklescanignore`, `.oxvaultignore`...). loadguard
    /// ignores them.
    ///
    /// ## Why is this bad?
    /// Whoever ships the model controls its folder. A scanner that reads its
    /// configuration or ignore list from the artifact lets the attacker switch
    /// off the rules that would catch them (oxvault read `.oxvaultignore` from the
    /// scanned target). loadguard reads configuration only from the working
    /// directory upwards, outside the targets, or from `--config`.
    ///
    /// ## Example
    /// ```text
    /// downloaded-model/.loadguardignore   # "PKL101"
    /// ```
    ///
    /// ## How to fix
    /// Put your configuration in the working directory (outside the model folder), or pass it with
    /// `--config` if you trust it.
    ///
    /// ## References
    /// - [CWE-693](https://cwe.mitre.org/data/definitions/693.html)
    pub(crate) static RULE = {
        code: "LG002",
        name: "config-in-target",
        summary: "a scanner configuration or ignore file inside the scanned target (ignored)",
        severity: Low,
        confidence: High,
        cwe: 693,
    };
}
