loadguard_core::declare_rule! {
/// ## What it does
/// Flags `str.join`, `str.format`, `codecs.decode`, `base64`, `zlib.decompress` and similar calls whose
/// only use in a pickle is to build names or payload bytes at load time.
///
/// ## Why is this bad?
/// Ordinary pickles store their data as constants. Assembling strings or bytes at load time hides
/// names from scanners and smuggles nested payloads.
///
/// ## Example
/// ```text
/// G(builtins str.join) S('') ](S('ev') S('al')) e T2 R   # 'eval'
/// ```
///
/// ## How to fix
/// Do not load the file. Real pickles store their data as constants.
///
/// ## References
/// - [CWE-502](https://cwe.mitre.org/data/definitions/502.html)
    pub static RULE = {
        code: "PKL105",
        name: "pickle-obfuscation-gadget",
        summary: "the pickle decodes or assembles data at load time",
        severity: High,
        confidence: High,
        cwe: 502,
    };
}
