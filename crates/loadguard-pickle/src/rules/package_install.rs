loadguard_core::declare_rule! {
/// ## What it does
/// Flags `pip`, `ensurepip`, `setuptools`, `distutils` and other installers.
///
/// ## Why is this bad?
/// Installing a package runs its build and install hooks: code from wherever the attacker points.
///
/// ## Example
/// ```text
/// G(pip main) ](S('install') S('evil-pkg')) e T1 R
/// ```
///
/// ## How to fix
/// Do not load the file. Installing a package runs its code.
///
/// ## References
/// - [CWE-494](https://cwe.mitre.org/data/definitions/494.html)
/// - CVE-2025-1716
    pub static RULE = {
        code: "PKL111",
        name: "pickle-package-install",
        summary: "the pickle installs packages",
        severity: Critical,
        confidence: High,
        cwe: 494,
    };
}
