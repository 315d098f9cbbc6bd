loadguard_core::declare_rule! {
/// ## What it does
/// Flags a global that the pickle references (GLOBAL, STACK_GLOBAL, INST) without calling it, when the
/// name is on no list.
///
/// ## Why is this bad?
/// Resolving a global imports its module, which runs that module's top-level code. A class used only as
/// data (a dtype, an enum) is usually harmless, so this is low; it is listed so nothing the file
/// imports goes unseen.
///
/// ## Example
/// ```text
/// c mylib.types
/// MyEnum
/// ```
///
/// ## How to fix
/// Usually nothing: the class is used as data. To silence it for your own types, allow the exact
/// name in `loadguard.toml` with a reason.
///
/// ## References
/// - [CWE-502](https://cwe.mitre.org/data/definitions/502.html)
    pub static RULE = {
        code: "PKL002",
        name: "pickle-unknown-global",
        summary: "the pickle imports a global that is on no list but never calls it",
        severity: Low,
        confidence: Medium,
        cwe: 502,
    };
}
