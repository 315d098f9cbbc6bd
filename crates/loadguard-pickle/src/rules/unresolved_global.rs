loadguard_core::declare_rule! {
/// ## What it does
/// Flags a STACK_GLOBAL (or a resolver such as numpy's `_ufunc_reconstruct`) whose module or name is
/// not a string constant of the stream but the result of a call, a persistent id or an extension.
///
/// ## Why is this bad?
/// Real picklers always write constant names. Building the name at load time (`str.join`,
/// `operator.itemgetter` over an alphabet, `codecs.decode`) is how payloads hide `os.system` from
/// scanners that only read constants.
///
/// ## Example
/// ```text
/// G(builtins str.join) S('') ](S('po') S('six')) e T2 R   # 'posix' built at load time
/// S('system') \x93 STACK_GLOBAL
/// ```
///
/// ## How to fix
/// Do not load the file. Real picklers never compute names at load time; re-export the model from
/// its source into safetensors.
///
/// ## References
/// - [CWE-502](https://cwe.mitre.org/data/definitions/502.html)
/// - fickling issue #125 (names computed at load time)
    pub static RULE = {
        code: "PKL003",
        name: "pickle-unresolved-global",
        summary: "STACK_GLOBAL takes a module or name computed at load time",
        severity: High,
        confidence: High,
        cwe: 502,
    };
}
