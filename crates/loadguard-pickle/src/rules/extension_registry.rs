loadguard_core::declare_rule! {
/// ## What it does
/// Flags the EXT1, EXT2 and EXT4 opcodes, which push a global looked up by number in
/// `copyreg`'s extension registry instead of by name.
///
/// ## Why is this bad?
/// The registry is empty in a fresh interpreter, but an earlier call in the same file
/// (`copyreg.add_extension`) or another library can fill it, so the callable cannot be known from the
/// file. No ordinary pickler writes these opcodes.
///
/// ## Example
/// ```text
/// G(copyreg add_extension) S('posix') S('system') K 240 T3 R   # register code 240
/// \x82 EXT1 240 ... R                                          # posix.system(...)
/// ```
///
/// ## How to fix
/// Do not load the file with `pickle`/`torch.load`. Re-export the data without extension codes (no
/// ordinary pickler writes them).
///
/// ## References
/// - [CWE-502](https://cwe.mitre.org/data/definitions/502.html)
/// - fickling PR #172
    pub static RULE = {
        code: "PKL004",
        name: "pickle-extension-registry",
        summary: "EXT1/EXT2/EXT4 names a global by a registry code",
        severity: High,
        confidence: High,
        cwe: 502,
    };
}
