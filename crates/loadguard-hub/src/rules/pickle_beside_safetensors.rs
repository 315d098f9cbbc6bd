loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags a repository that has safetensors weights and also pickle-loaded weights (`pytorch_model*.bin`, `*.pt`, `*.pth`, `*.ckpt`). Loaders pick one by their own rules (`use_safetensors`, file order, an old library version).
    ///
    /// ## Why is this bad?
    /// The safetensors file cannot run code; the pickle can, and a tool or an old library version that prefers it loads it. A repository does not need both.
    ///
    /// ## Example
    /// ```text
    /// model.safetensors and pytorch_model.bin in hf:org/model
    /// ```
    ///
    /// ## How to fix
    /// Load with `use_safetensors=True`, and ask the publisher to drop the pickle files.
    ///
    /// ## References
    /// - [CWE-502](https://cwe.mitre.org/data/definitions/502.html)
    pub static RULE = {
        code: "HUB007",
        name: "pickle-beside-safetensors",
        summary: "a repository ships the same weights as safetensors and as a pickle: the pickle is the risk",
        severity: Medium,
        confidence: High,
        cwe: 502,
    };
}
