loadguard_core::declare_rule! {
/// ## What it does
/// Flags references to callables that run commands or spawn processes: `os.system`, `subprocess.*`,
/// `pty.spawn`, `_posixsubprocess.fork_exec`, `uuid._get_command_stdout`, `torch.utils.collect_env.run`,
/// and every other entry in the `command` category of `policy/deny.txt`, however the name is reached
/// (GLOBAL, STACK_GLOBAL through the memo, INST, a Python 2 alias, an attribute path such as
/// `logging` + `os.system`).
///
/// ## Why is this bad?
/// Unpickling calls them with arguments the file chose: this is remote code execution.
///
/// ## Example
/// ```python
/// class Evil:
///     def __reduce__(self):
///         return (os.system, ("touch /tmp/loadguard-canary",))
/// ```
///
/// ## How to fix
/// Do not load the file. Ask for the weights in safetensors, or load with `torch.load(...,
/// weights_only=True)` in a sandbox and report the artifact.
///
/// ## References
/// - [CWE-78](https://cwe.mitre.org/data/definitions/78.html)
/// - CVE-2025-1716 (pip.main bypass of picklescan)
    pub static RULE = {
        code: "PKL101",
        name: "pickle-command-execution",
        summary: "the pickle runs a shell command or spawns a process",
        severity: Critical,
        confidence: High,
        cwe: 78,
    };
}
