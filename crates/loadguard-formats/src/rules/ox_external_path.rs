loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags `external_data` locations that are absolute, contain `..`, name a URL or a device, and
    /// (when the model is on disk) resolve outside its folder through a symbolic link.
    ///
    /// ## Why is this bad?
    /// ONNX Runtime and `onnx.load` read external data from the location the model names: a model can
    /// make the loader read `~/.ssh/id_rsa` into a tensor, or block on a device (CVE-2022-25882,
    /// CVE-2024-27318).
    ///
    /// ## Example
    /// ```text
    /// initializer "w": location = "../../.ssh/id_rsa"
    /// ```
    ///
    /// ## How to fix
    /// Do not load the model. External data belongs next to the model file, named relatively.
    ///
    /// ## References
    /// - [CWE-22](https://cwe.mitre.org/data/definitions/22.html)
    /// - CVE-2022-25882
    /// - CVE-2024-27318
    pub static RULE = {
        code: "OX002",
        name: "onnx-external-data-path",
        summary: "an ONNX external-data location escapes the model folder",
        severity: High,
        confidence: High,
        cwe: 22,
    };
}
