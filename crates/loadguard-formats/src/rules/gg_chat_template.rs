loadguard_core::declare_rule! {
    /// ## What it does
    /// Parses the chat templates in GGUF metadata (`tokenizer.chat_template` and named variants)
    /// without rendering them, and flags dunder attribute access (`__class__`, `__globals__`,
    /// `__subclasses__`, `__mro__`...), `attr` with computed or private names, names assembled from
    /// pieces, format strings that reach attributes, and gadget globals (`cycler`, `joiner`, `lipsum`,
    /// `self`, `os`, `popen`...).
    ///
    /// ## Why is this bad?
    /// Templates are rendered by Jinja when the model is used. Renderers outside a sandbox (and
    /// sandboxes with holes) turn these constructs into code execution on the machine serving the model
    /// (CVE-2024-34359, llama-cpp-python).
    ///
    /// ## Example
    /// ```text
    /// {{ cycler.__init__.__globals__.os.popen('id').read() }}
    /// ```
    ///
    /// ## How to fix
    /// Do not serve the model. Replace the template with the publisher's original.
    ///
    /// ## References
    /// - [CWE-1336](https://cwe.mitre.org/data/definitions/1336.html)
    /// - CVE-2024-34359
    pub static RULE = {
        code: "GG005",
        name: "gguf-chat-template-escape",
        summary: "a chat template reaches Python internals (Jinja sandbox escape)",
        severity: Critical,
        confidence: High,
        cwe: 1336,
    };
}
