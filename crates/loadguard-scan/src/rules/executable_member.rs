loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags archive members that are shared libraries or executables (ELF, Mach-O, PE, by content or by a `.so`/`.dll`/`.dylib`/`.pyd` name) and Python files outside a TorchScript `code/` tree.
    ///
    /// ## Why is this bad?
    /// AOTInductor packages and custom-op archives load native libraries; `trust_remote_code` and packaging tools run `.py` files. A model archive with code in it runs that code when used as intended.
    ///
    /// ## Example
    /// ```text
    /// model.pt2 → data/aotinductor/model.so
    /// ```
    ///
    /// ## How to fix
    /// Do not load or unpack the archive unless you trust and reviewed the code in it. Prefer
    /// weights-only formats.
    ///
    /// ## References
    /// - [CWE-829](https://cwe.mitre.org/data/definitions/829.html)
    pub static RULE = {
        code: "ARC001",
        name: "archive-executable-member",
        summary: "an archive carries a native library or Python source",
        severity: High,
        confidence: High,
        cwe: 829,
    };
}
