loadguard_core::declare_rule! {
/// ## What it does
/// Flags constructs that no ordinary pickler writes and that other readers disagree on: INT/LONG text
/// with a base prefix, leading zeros, underscores or embedded NULs (`I0x10`), a PROTO in the middle of
/// a stream, opcodes that cross a FRAME boundary or a FRAME that starts inside another.
///
/// ## Why is this bad?
/// Such constructs exist to desynchronise scanners: `pickletools` parses `INT` in base 10 and raises on
/// `I0x10`, so scanners built on it stop while `pickle.load` goes on to the payload.
///
/// ## Example
/// ```text
/// I0x10\n0   # INT 16, then POP: pickletools raises, CPython continues
/// ```
///
/// ## How to fix
/// Do not load the file: these constructs exist to blind other scanners. Re-export it with a
/// standard pickler.
///
/// ## References
/// - [CWE-436](https://cwe.mitre.org/data/definitions/436.html)
/// - PickleFuzzer (arXiv 2605.15084)
    pub static RULE = {
        code: "PKL009",
        name: "pickle-parser-differential",
        summary: "a construct that scanners and CPython read differently",
        severity: Medium,
        confidence: High,
        cwe: 436,
    };
}
