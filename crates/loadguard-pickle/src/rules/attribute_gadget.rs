loadguard_core::declare_rule! {
/// ## What it does
/// Flags `getattr`/`setattr`/`delattr` outside the one shape CPython writes (a bound method:
/// `getattr(instance, "method")`), `operator.attrgetter`/`methodcaller`, `inspect`, `sys`, `gc`, and
/// attribute paths through dunders such as `__globals__`, `__builtins__`, `__subclasses__`.
///
/// ## Why is this bad?
/// Attribute access is how gadget chains reach `eval` from an innocent-looking object.
///
/// ## Example
/// ```text
/// c numpy\n__builtins__\n   # numpy's builtins dict, then .get('eval')
/// ```
///
/// ## How to fix
/// Do not load the file. If the finding is `getattr` on your own object, pickle the method's owner
/// instead of a bound method.
///
/// ## References
/// - [CWE-470](https://cwe.mitre.org/data/definitions/470.html)
/// - modelscan issue #330
    pub static RULE = {
        code: "PKL104",
        name: "pickle-attribute-gadget",
        summary: "the pickle reads or writes arbitrary attributes",
        severity: High,
        confidence: High,
        cwe: 470,
    };
}
