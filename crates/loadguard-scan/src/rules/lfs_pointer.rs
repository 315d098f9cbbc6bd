loadguard_core::declare_rule! {
    /// ## What it does
    /// Reports a file that is a Git LFS pointer (`version https://git-lfs.github.com/spec/v1`, `oid sha256:...`, `size ...`) instead of the content it stands for: a clone made without LFS, or a cache entry never downloaded.
    ///
    /// ## Why is this bad?
    /// The pointer is harmless; the file it stands for was not scanned, and is what a loader gets once LFS fetches it. Its verdict is "not scanned", never "safe".
    ///
    /// ## Example
    /// ```text
    /// pytorch_model.bin: Git LFS pointer to sha256:4f1c... (548 MB), content not present
    /// ```
    ///
    /// ## How to fix
    /// Fetch the content (`git lfs pull`) and scan again, or scan the repository as `hf:org/name`.
    ///
    /// ## References
    /// - [CWE-693](https://cwe.mitre.org/data/definitions/693.html)
    pub static RULE = {
        code: "HUB003",
        name: "lfs-pointer",
        summary: "a Git LFS pointer where the content should be: not scanned",
        severity: Info,
        confidence: High,
        cwe: 693,
    };
}
