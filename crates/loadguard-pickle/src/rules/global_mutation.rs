loadguard_core::declare_rule! {
/// ## What it does
/// Flags BUILD (`__setstate__` or `__dict__` update), SETITEM(S), APPEND(S) and ADDITEMS applied to a
/// global object: a module, a class or a function, instead of an object the pickle created.
///
/// ## Why is this bad?
/// Writing attributes or registry entries of imported objects rebinds names that later code trusts:
/// BUILD on `numpy.size` plants `shape = numpy.__builtins__`, SETITEM into a lazy-import table
/// makes `pydantic.Popen` resolve to `subprocess.Popen`.
///
/// ## Example
/// ```text
/// G(numpy size) ... } S('shape') G(numpy __builtins__) s b   # BUILD on a function
/// ```
///
/// ## How to fix
/// Do not load the file. If it is yours, find the object whose `__reduce__` returns a module, class
/// or function as the thing to rebuild.
///
/// ## References
/// - [CWE-915](https://cwe.mitre.org/data/definitions/915.html)
/// - modelscan issues #85 and #330
    pub static RULE = {
        code: "PKL005",
        name: "pickle-global-mutation",
        summary: "BUILD, SETITEM or APPEND changes a module, class or function",
        severity: High,
        confidence: High,
        cwe: 915,
    };
}
