loadguard_core::declare_rule! {
/// ## What it does
/// Flags a global that the pickle calls (REDUCE, INST, OBJ, NEWOBJ, NEWOBJ_EX, BUILD) or hands to a
/// trampoline such as `functools.partial`, when the callable is neither on loadguard's exact allowlist
/// of names that real libraries write nor on its denylist.
///
/// ## Why is this bad?
/// A denylist is never complete: every published scanner bypass is a callable someone forgot. Calling
/// something unknown is code the file chose, so the verdict is "review", never "safe". With `--strict`
/// the finding is raised to high and fails the scan.
///
/// ## Example
/// ```text
/// 0: \x80 PROTO 4
/// 2: \x8c SHORT_BINUNICODE 'mylib.helpers'
/// ...: \x93 STACK_GLOBAL          # mylib.helpers.rebuild
/// ...: R    REDUCE                # rebuild(...) is called
/// ```
/// If the callable is yours, allow its exact name in `loadguard.toml` with a reason.
///
/// ## How to fix
/// If the callable is yours (your own class or rebuild function), allow its exact name with a
/// reason in `loadguard.toml` (`[[allow]]`), or `--allow-global`. Otherwise load the file only in a
/// sandbox, or ask for the weights in safetensors.
///
/// ## References
/// - [CWE-502](https://cwe.mitre.org/data/definitions/502.html)
/// - Python docs, "Restricting Globals": https://docs.python.org/3/library/pickle.html#restricting-globals
    pub static RULE = {
        code: "PKL001",
        name: "pickle-unknown-callable",
        summary: "the pickle invokes a callable that is on no list",
        severity: Medium,
        confidence: Medium,
        cwe: 502,
    };
}
