loadguard_core::declare_rule! {
/// ## What it does
/// Flags callables that evaluate strings or run code objects: `builtins.eval`/`exec`/`compile`,
/// `runpy`, `timeit`, `pdb`/`bdb`, `cProfile`/`profile`/`trace`, `code.InteractiveInterpreter`,
/// `typing._eval_type`, `types.FunctionType`/`CodeType`, `marshal`, cloudpickle internals and the
/// other entries of the `code` category.
///
/// ## Why is this bad?
/// Any of these turns a string in the file into running code.
///
/// ## Example
/// ```text
/// c builtins\neval\n(V__import__('os').system('id')\ntR.
/// ```
///
/// ## How to fix
/// Do not load the file. Ask for the weights in safetensors; report the artifact to the hosting
/// site.
///
/// ## References
/// - [CWE-94](https://cwe.mitre.org/data/definitions/94.html)
/// - picklescan GHSA-49gj-c84q-6qm9 and related advisories
    pub static RULE = {
        code: "PKL102",
        name: "pickle-code-execution",
        summary: "the pickle evaluates or runs Python code",
        severity: Critical,
        confidence: High,
        cwe: 94,
    };
}
