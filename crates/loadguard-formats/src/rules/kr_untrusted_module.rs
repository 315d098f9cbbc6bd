loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags config objects whose `module` is not Keras or TensorFlow (Keras imports it and takes the
    /// class by name), and custom objects (`registered_name` with a package).
    ///
    /// ## Why is this bad?
    /// `deserialize_keras_object` imports the module and calls the class: a config naming `os` and
    /// `system`, or any importable function, runs code. Several `safe_mode` bypasses went this way.
    ///
    /// ## Example
    /// ```text
    /// {"module": "os", "class_name": "system", "config": ...}
    /// ```
    ///
    /// ## How to fix
    /// Load only configs whose classes come from Keras or code you reviewed and registered yourself.
    ///
    /// ## References
    /// - [CWE-470](https://cwe.mitre.org/data/definitions/470.html)
    pub static RULE = {
        code: "KR002",
        name: "keras-untrusted-module",
        summary: "a Keras config loads a class from a module outside Keras",
        severity: High,
        confidence: High,
        cwe: 470,
    };
}
