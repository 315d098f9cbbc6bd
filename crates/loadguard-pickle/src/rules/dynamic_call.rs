loadguard_core::declare_rule! {
/// ## What it does
/// Flags a call (REDUCE, OBJ, NEWOBJ...) whose callable is not a global but a value computed at load
/// time: the result of a call, a persistent-id object, an extension or an unresolved global.
///
/// ## Why is this bad?
/// Ordinary pickles call globals. Calling a computed value is the shape of
/// `getattr(__import__('os'), 'system')(cmd)` and of every gadget chain that fetches a callable at run
/// time so that its name never appears in the file.
///
/// ## Example
/// ```text
/// G(builtins getattr) (G(...) S('system') t R   # getattr(...) returns a callable
/// (S('id') t R                                  # ...which is then called
/// ```
///
/// ## How to fix
/// Do not load the file. If it is yours, make sure every `__reduce__` returns a global callable,
/// not a bound method or a computed value.
///
/// ## References
/// - [CWE-502](https://cwe.mitre.org/data/definitions/502.html)
    pub static RULE = {
        code: "PKL006",
        name: "pickle-dynamic-call",
        summary: "the pickle calls the result of another call",
        severity: High,
        confidence: High,
        cwe: 502,
    };
}
