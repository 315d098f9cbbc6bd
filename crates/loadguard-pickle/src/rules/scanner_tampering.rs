loadguard_core::declare_rule! {
/// ## What it does
/// Flags references to `picklescan`, `modelscan`, `fickling`, `modelaudit`, `oxvault` and `loadguard`.
///
/// ## Why is this bad?
/// A model has no reason to touch a scanner. A first stage that patches the checker in the loading
/// process prepares a second stage that it will then let through.
///
/// ## Example
/// ```text
/// SG(fickling.analysis,Analyzer) ... b   # BUILD on the analyzer class
/// ```
///
/// ## How to fix
/// Do not load the file, and check the scanner and environment that already loaded it.
///
/// ## References
/// - [CWE-693](https://cwe.mitre.org/data/definitions/693.html)
/// - fickling PR #249
    pub static RULE = {
        code: "PKL113",
        name: "pickle-scanner-tampering",
        summary: "the pickle imports or patches a model scanner",
        severity: Critical,
        confidence: High,
        cwe: 693,
    };
}
