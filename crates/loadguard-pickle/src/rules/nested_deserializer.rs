loadguard_core::declare_rule! {
/// ## What it does
/// Flags `pickle.loads`, `_pickle.loads`, `dill`, `joblib.load`, `numpy.load`, `torch.load`,
/// `torch.storage._load_from_bytes`, `yaml.unsafe_load`, `shelve` and other deserializers called from a
/// pickle. When the data is in the file (bytes, a latin-1 string, base64 or hex), loadguard decodes it
/// and scans it as a nested pickle, showing its path.
///
/// ## Why is this bad?
/// A nested deserializer runs a second payload that a scanner reading only the outer stream never sees.
///
/// ## Example
/// ```text
/// c pickle\nloads\n(C<inner pickle bytes>tR.
/// ```
///
/// ## How to fix
/// Do not load the file. The nested payload is shown with its path; a model never needs a second
/// deserializer.
///
/// ## References
/// - [CWE-502](https://cwe.mitre.org/data/definitions/502.html)
/// - modelscan issue #267
    pub static RULE = {
        code: "PKL107",
        name: "pickle-nested-deserializer",
        summary: "the pickle hands data to another deserializer",
        severity: Critical,
        confidence: High,
        cwe: 502,
    };
}
