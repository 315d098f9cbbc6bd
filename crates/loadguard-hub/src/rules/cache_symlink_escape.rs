loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags a snapshot entry of the local Hugging Face cache (`snapshots/<commit>/<path>`) whose symlink resolves outside the cache folder, instead of to `../../blobs/<etag>`. It is not followed.
    ///
    /// ## Why is this bad?
    /// `from_pretrained` follows the link: a planted link makes a model load any file on the machine (a key, a config of another tool, a pickle elsewhere).
    ///
    /// ## Example
    /// ```text
    /// snapshots/3f2a.../pytorch_model.bin -> /home/user/.ssh/id_rsa
    /// ```
    ///
    /// ## How to fix
    /// Delete the repository's cache folder and download it again.
    ///
    /// ## References
    /// - [CWE-59](https://cwe.mitre.org/data/definitions/59.html)
    pub static RULE = {
        code: "HUB006",
        name: "cache-symlink-escape",
        summary: "a Hugging Face cache entry links outside the cache",
        severity: High,
        confidence: High,
        cwe: 59,
    };
}
