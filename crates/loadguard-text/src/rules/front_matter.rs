loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags front matter larger than 64 KiB and front matter that uses YAML anchors and aliases (`&a`,
    /// `*a`), which a YAML loader expands (billion laughs).
    ///
    /// ## Why is this bad?
    /// Tools that parse cards with a full YAML loader can be made to exhaust memory.
    ///
    /// ## Example
    /// ```text
    /// a: &a ["x","x"]
    /// b: &b [*a,*a]
    /// ```
    ///
    /// ## How to fix
    /// Write plain front matter.
    ///
    /// ## References
    /// - [CWE-776](https://cwe.mitre.org/data/definitions/776.html)
    pub static RULE = {
        code: "AT015",
        name: "card-front-matter",
        summary: "the model card's YAML front matter is unsafe to expand",
        severity: Medium,
        confidence: High,
        cwe: 776,
    };
}
