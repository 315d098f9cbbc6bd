loadguard_core::declare_rule! {
    /// ## What it does
    /// Reports a file or archive member that loadguard could not scan: its bytes match no format
    /// it reads, or its format stopped parsing. Nothing is called safe that was not scanned and
    /// understood: such a target's verdict is "not scanned", never "safe".
    ///
    /// The severity follows what would open the file. A name that a pickle loader opens (`.pkl`,
    /// `.pt`, `.pth`, `.bin`, `.ckpt`, `.joblib`, `.npy`, `.npz`, `pytorch_model*.bin`...) is
    /// high: `torch.load` or `joblib.load` may read bytes loadguard does not understand in a way
    /// that runs code. Other model formats (`.onnx`, `.h5`, `.keras`, `.safetensors`, `.gguf`,
    /// `.pb`...) are medium. Data that no loader executes (tokenizer models, vocabularies, images,
    /// licences, `.gitattributes`) is info, and says so. Anything else is low.
    ///
    /// As a last resort, the unrecognised bytes are searched for the shapes a pickler writes
    /// when it imports a callable (`c<module>\n<name>\n`, or two short strings and
    /// `STACK_GLOBAL`); one that names a dangerous callable is scanned from there and reported
    /// with the callable's own rule.
    ///
    /// ## Why is this bad?
    /// "Not scanned" is not "safe". A payload in a container loadguard does not know (an old
    /// joblib format, a custom header before a pickle) runs all the same when its loader opens it.
    ///
    /// ## Example
    /// ```text
    /// model.pkl: not scanned (unrecognised content; a pickle loader opens .pkl files)
    /// ```
    ///
    /// ## How to fix
    /// Find out what the file is. If you will load it, convert it to a format loadguard scans
    /// (safetensors for weights); if it is data, the finding is informational.
    ///
    /// ## References
    /// - [CWE-693](https://cwe.mitre.org/data/definitions/693.html)
    pub static RULE = {
        code: "LG001",
        name: "not-scanned",
        summary: "a file or member loadguard could not scan: never reported as safe",
        severity: Low,
        confidence: High,
        cwe: 693,
    };
}
