loadguard_core::declare_rule! {
/// ## What it does
/// Flags `__import__`, `importlib.*`, `pkgutil.resolve_name`, `pydoc.locate`, `unittest.mock._get_target`,
/// `copyreg.add_extension` and other resolvers that turn strings into callables.
///
/// ## Why is this bad?
/// A resolver reaches any callable without naming it in a GLOBAL: `pkgutil.resolve_name("os:system")`
/// was a published universal bypass.
///
/// ## Example
/// ```text
/// G(pkgutil resolve_name) S('os:system') T1 R S('id') T1 R
/// ```
///
/// ## How to fix
/// Do not load the file. No model needs to import modules by name at load time.
///
/// ## References
/// - [CWE-470](https://cwe.mitre.org/data/definitions/470.html)
/// - picklescan GHSA-vvpj-8cmc-gx39
    pub static RULE = {
        code: "PKL103",
        name: "pickle-dynamic-import",
        summary: "the pickle imports modules or resolves names at load time",
        severity: Critical,
        confidence: High,
        cwe: 470,
    };
}
