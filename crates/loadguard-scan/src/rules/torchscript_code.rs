loadguard_core::declare_rule! {
    /// ## What it does
    /// Lists the `code/` tree of TorchScript archives (written by `torch.jit.save`), and raises the severity when that code uses names that ordinary TorchScript never contains (`__import__`, `os.`, `subprocess`, `eval(`, `exec(`, `open(`).
    ///
    /// ## Why is this bad?
    /// TorchScript is a restricted language, but it is code, run on load; bypasses of `torch.load(weights_only=True)` went through it (CVE-2025-32434).
    ///
    /// ## Example
    /// ```text
    /// model.pt → archive/code/__torch__/model.py
    /// ```
    ///
    /// ## How to fix
    /// Load TorchScript only from publishers you trust, and review the `code/` tree. If the finding is
    /// high, do not load the archive.
    ///
    /// ## References
    /// - [CWE-94](https://cwe.mitre.org/data/definitions/94.html)
    /// - CVE-2025-32434
    pub static RULE = {
        code: "PT001",
        name: "torchscript-code",
        summary: "a TorchScript archive carries code that torch.jit.load compiles and runs",
        severity: Low,
        confidence: High,
        cwe: 94,
    };
}
