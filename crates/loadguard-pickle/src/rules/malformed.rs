loadguard_core::declare_rule! {
/// ## What it does
/// Flags a stream that CPython's unpickler would reject at some offset: an invalid opcode, a truncated
/// argument, a stack underflow, a missing memo key, a stream with no STOP.
///
/// High when the stream named a global (which imports its module) or called something before the
/// error: that part ran. Low ("not a loadable pickle") when the unpickler raises before naming or
/// calling anything: nothing ran, and the bytes are not a dangerous pickle (a file that is not a
/// pickle at all is reported as not scanned, `LG001`, as loud as its name).
///
/// ## Why is this bad?
/// `pickle.load` executes every opcode before the error: a payload followed by garbage (nullifAI) still
/// runs. loadguard reports every finding before the error, resynchronises on the next protocol header,
/// and reports the error itself, because a scan that stopped early cannot call the file safe.
///
/// ## Example
/// ```text
/// cposix\nsystem\n(Vtouch /tmp/x\ntR\xff   # REDUCE runs, then \xff is an invalid load key
/// ```
///
/// ## How to fix
/// Re-download or re-export the file. A truncated or corrupt pickle cannot be vouched for; if it
/// came from an untrusted source, treat it as hostile.
///
/// ## References
/// - [CWE-20](https://cwe.mitre.org/data/definitions/20.html)
/// - ReversingLabs, "nullifAI" (Feb 2025)
    pub static RULE = {
        code: "PKL007",
        name: "pickle-malformed",
        summary: "the pickle stream is malformed; what follows the error was not analysed",
        severity: High,
        confidence: High,
        cwe: 20,
    };
}
