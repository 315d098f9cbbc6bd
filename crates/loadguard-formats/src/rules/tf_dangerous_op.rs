loadguard_core::declare_rule! {
    /// ## What it does
    /// Lists the ops of TensorFlow SavedModels (`saved_model.pb`) and frozen GraphDefs, in the graph
    /// and in its function library, and flags ops that run Python (`PyFunc`, `EagerPyFunc`) or read,
    /// write, list or map files (`ReadFile`, `WriteFile`, `MatchingFiles`, `ImmutableConst`).
    ///
    /// ## Why is this bad?
    /// A graph runs when the model is served or called: these ops turn a model into code that reads
    /// your files or runs Python, without any pickle.
    ///
    /// ## Example
    /// ```text
    /// node "rf": ReadFile(filename="/etc/passwd")
    /// ```
    ///
    /// ## How to fix
    /// Do not serve the model; ask for one whose graph uses only compute ops.
    ///
    /// ## References
    /// - [CWE-829](https://cwe.mitre.org/data/definitions/829.html)
    pub static RULE = {
        code: "TF001",
        name: "tensorflow-dangerous-op",
        summary: "a TensorFlow graph runs Python or touches files",
        severity: High,
        confidence: High,
        cwe: 829,
    };
}
