loadguard_core::declare_rule! {
    /// ## What it does
    /// Flags `.npy` headers that cannot be parsed, that are larger than NumPy's default limit (10,000 bytes), or whose shape and dtype do not match the data length.
    ///
    /// ## Why is this bad?
    /// `np.load(..., allow_pickle=True)` lifts the header-size limit, so a scanner that refuses large headers is bypassed while NumPy still loads the file (and its pickle).
    ///
    /// ## Example
    /// ```text
    /// \x93NUMPY\x01\x00 <20 KB header> <object array pickle>
    /// ```
    ///
    /// ## How to fix
    /// Re-save the array with `np.save`; load untrusted `.npy` files with `allow_pickle=False` (the
    /// default).
    ///
    /// ## References
    /// - [CWE-20](https://cwe.mitre.org/data/definitions/20.html)
    pub static RULE = {
        code: "NPY001",
        name: "npy-header",
        summary: "a .npy header is malformed or unusually large",
        severity: Medium,
        confidence: High,
        cwe: 20,
    };
}
