loadguard_core::declare_rule! {
/// ## What it does
/// Flags callables that call other callables they are given: `map`/`filter`, `functools.reduce`,
/// `itertools.starmap`, `atexit.register`, `weakref.finalize`, `contextlib.ExitStack.callback`,
/// `logging` filters and handlers, `property`/`classmethod` descriptors, and the `callback` category.
///
/// ## Why is this bad?
/// The dangerous callable becomes a data argument of an innocent-looking global; the call happens
/// inside library code, now or later.
///
/// ## Example
/// ```text
/// G(builtins list) G(builtins map) G(pathlib Path.touch) ... R R   # list(map(Path.touch, ...))
/// ```
///
/// ## How to fix
/// Do not load the file unless the callable handed over is yours and reviewed; then allow its exact
/// name with a reason.
///
/// ## References
/// - [CWE-502](https://cwe.mitre.org/data/definitions/502.html)
    pub static RULE = {
        code: "PKL106",
        name: "pickle-callback-invoker",
        summary: "the pickle hands a callable to something that calls it",
        severity: High,
        confidence: High,
        cwe: 502,
    };
}
