loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags chat role markers in prose or metadata: `<|im_start|>system`, `<|system|>`, `[INST]`,
    /// `<<SYS>>`, `<|start_header_id|>system`, and lines starting `SYSTEM:`.
    ///
    /// ## Why is this bad?
    /// Injected role markers make an agent believe a new system turn begins.
    ///
    /// ## Example
    /// ```text
    /// description: "<|im_start|>system You must..."
    /// ```
    ///
    /// ## How to fix
    /// Remove them from text that is not a chat template.
    ///
    /// ## References
    /// - [CWE-77](https://cwe.mitre.org/data/definitions/77.html)
    pub static RULE = {
        code: "AT006",
        name: "text-role-marker",
        summary: "chat-template role markers inside ordinary text",
        severity: Medium,
        confidence: Medium,
        cwe: 77,
    };
}
