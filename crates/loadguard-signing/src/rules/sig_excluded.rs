loadguard_core::declare_rule! {
    /// ## What it does
    /// Reports files in the model folder that the signature deliberately leaves out: the signer's
    /// own `ignore_paths` (recorded in the signed predicate) cover them. Weights, pickles, native
    /// libraries, Python code and JSON configuration are high; other files are low. Paths you
    /// ignore yourself (`--ignore-paths`), the git files and `model.sig` are not reported.
    ///
    /// ## Why is this bad?
    /// A signature that excludes the weights verifies whatever weights are there: anyone can swap
    /// them and the signature still holds. The signer chooses `ignore_paths`, so a careless (or
    /// hostile) signing configuration yields a valid signature that protects nothing that matters.
    ///
    /// ## Example
    /// ```text
    /// model.safetensors: not covered by the signature: the signer's ignore path "model.safetensors" excludes it
    /// ```
    ///
    /// ## How to fix
    /// Ask the publisher to sign again without ignoring model files, and review the excluded
    /// files yourself until then.
    ///
    /// ## References
    /// - [CWE-345](https://cwe.mitre.org/data/definitions/345.html)
    /// - [OpenSSF Model Signing: ignore paths](https://github.com/sigstore/model-transparency)
    pub static RULE = {
        code: "SIG006",
        name: "signature-excludes-model-files",
        summary: "the signer's ignore paths leave files of the model out of the signature",
        severity: High,
        confidence: High,
        cwe: 345,
    };
}
