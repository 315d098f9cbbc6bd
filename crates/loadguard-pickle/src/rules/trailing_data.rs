loadguard_core::declare_rule! {
/// ## What it does
/// Flags data after a complete pickle stream that does not parse as another pickle.
///
/// ## Why is this bad?
/// `pickle.load` ignores it, but appended data is how polyglot files are made (a pickle that is also a
/// zip), and loaders that seek can read it. loadguard resynchronises on any protocol header in it.
///
/// ## Example
/// ```text
/// \x80\x04K\x01.PK\x03\x04...   # a pickle followed by a zip
/// ```
///
/// ## How to fix
/// Strip the trailing bytes, or find out what they are: a polyglot (pickle plus zip) is read
/// differently by different loaders.
///
/// ## References
/// - [CWE-436](https://cwe.mitre.org/data/definitions/436.html)
    pub static RULE = {
        code: "PKL010",
        name: "pickle-trailing-data",
        summary: "bytes after the last pickle stream that are not a pickle",
        severity: Low,
        confidence: High,
        cwe: 436,
    };
}
