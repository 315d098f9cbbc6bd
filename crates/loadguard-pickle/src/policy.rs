//! Which callables are known safe, known dangerous (and in which category),
//! or unknown. The lists are data (`policy/*.txt`), compiled in.
//!
//! Names are judged after the Python 2 mapping (`__builtin__` -> `builtins`),
//! on the full resolved path, and on every attribute path reached through the
//! name part: with protocol 4 `("logging", "os.system")` resolves by attribute
//! traversal to `os.system`, and that is what gets judged, never a module prefix.

use std::collections::HashMap;
use std::sync::OnceLock;

use loadguard_core::{Confidence, Rule};

use crate::rules;

const DENY: &str = include_str!("../policy/deny.txt");
const ALLOW_CORE: &str = include_str!("../policy/allow-core.txt");
const ALLOW_GENERATED: &str = include_str!("../policy/allow-generated.txt");
const COMPAT: &str = include_str!("../policy/compat.txt");
const EFFECTS: &str = include_str!("../policy/effects.txt");

/// A family of dangerous callables. Each maps to one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Command,
    Code,
    Import,
    Attribute,
    Obfuscation,
    Callback,
    Deserialize,
    Native,
    Network,
    Filesystem,
    Install,
    Process,
    Tamper,
}

impl Category {
    pub const ALL: [Self; 13] = [
        Self::Command,
        Self::Code,
        Self::Import,
        Self::Attribute,
        Self::Obfuscation,
        Self::Callback,
        Self::Deserialize,
        Self::Native,
        Self::Network,
        Self::Filesystem,
        Self::Install,
        Self::Process,
        Self::Tamper,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Command => "command",
            Self::Code => "code",
            Self::Import => "import",
            Self::Attribute => "attribute",
            Self::Obfuscation => "obfuscation",
            Self::Callback => "callback",
            Self::Deserialize => "deserialize",
            Self::Native => "native",
            Self::Network => "network",
            Self::Filesystem => "filesystem",
            Self::Install => "install",
            Self::Process => "process",
            Self::Tamper => "tamper",
        }
    }

    /// Words for a finding message.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Command => "runs a shell command or spawns a process",
            Self::Code => "evaluates or runs Python code",
            Self::Import => "imports modules or resolves names at load time",
            Self::Attribute => "reads or writes arbitrary attributes",
            Self::Obfuscation => "decodes data at load time (hidden names or payloads)",
            Self::Callback => "calls a callable handed to it by the pickle",
            Self::Deserialize => "deserializes more data (a nested payload)",
            Self::Native => "loads native code or touches raw memory",
            Self::Network => "opens network connections",
            Self::Filesystem => "reads, writes or deletes files",
            Self::Install => "installs packages",
            Self::Process => "controls threads, processes or the interpreter",
            Self::Tamper => "imports or patches a model scanner",
        }
    }

    pub fn rule(self) -> &'static Rule {
        match self {
            Self::Command => &rules::command_execution::RULE,
            Self::Code => &rules::code_execution::RULE,
            Self::Import => &rules::dynamic_import::RULE,
            Self::Attribute => &rules::attribute_gadget::RULE,
            Self::Obfuscation => &rules::obfuscation_gadget::RULE,
            Self::Callback => &rules::callback_invoker::RULE,
            Self::Deserialize => &rules::nested_deserializer::RULE,
            Self::Native => &rules::native_code::RULE,
            Self::Network => &rules::network_access::RULE,
            Self::Filesystem => &rules::filesystem_access::RULE,
            Self::Install => &rules::package_install::RULE,
            Self::Process => &rules::process_control::RULE,
            Self::Tamper => &rules::scanner_tampering::RULE,
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == s)
    }
}

/// How an allowlisted callable treats its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowKind {
    /// Inert: builds data from data.
    Plain,
    /// Calls (now or later) the callables it is handed: they count as invoked.
    Trampoline,
    /// Turns `(module, name)` strings into a callable: resolved like a GLOBAL.
    Resolver,
    /// Safe only in argument shapes the engine checks.
    Shape,
}

/// What the policy says about one resolved global.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Class {
    Allowed(AllowKind),
    Dangerous {
        category: Category,
        /// The path that matched, e.g. `os.system` for `logging.os.system`.
        matched: String,
        confidence: Confidence,
    },
    /// On no list, but its source shows that calling it reaches a sink
    /// with its arguments (effects.txt): dangerous when it is called.
    Reaches {
        category: Category,
        /// `name -> helper -> sink`.
        chain: String,
    },
    Unknown,
}

/// The compiled policy.
#[derive(Debug, Default)]
pub struct Policy {
    allow: HashMap<String, AllowKind>,
    deny_exact: HashMap<String, Category>,
    deny_module: HashMap<String, Category>,
    compat_names: HashMap<(String, String), (String, String)>,
    compat_modules: HashMap<String, String>,
    /// From effects.txt: callables no list judges that reach a sink with
    /// their arguments, and the call chain that shows it.
    effects: HashMap<String, (Category, String)>,
}

/// Attribute names whose use as the last component of a dotted path is
/// evidence on its own (`random._os.system`, `somelib.helpers.popen`).
const DANGEROUS_LEAVES: &[(&str, Category)] = &[
    ("system", Category::Command),
    ("popen", Category::Command),
    ("popen2", Category::Command),
    ("popen3", Category::Command),
    ("popen4", Category::Command),
    ("Popen", Category::Command),
    ("getoutput", Category::Command),
    ("getstatusoutput", Category::Command),
    ("check_output", Category::Command),
    ("check_call", Category::Command),
    ("fork_exec", Category::Command),
    ("startfile", Category::Command),
    ("posix_spawn", Category::Command),
    ("posix_spawnp", Category::Command),
    ("execl", Category::Command),
    ("execle", Category::Command),
    ("execlp", Category::Command),
    ("execlpe", Category::Command),
    ("execv", Category::Command),
    ("execve", Category::Command),
    ("execvp", Category::Command),
    ("execvpe", Category::Command),
    ("spawnl", Category::Command),
    ("spawnle", Category::Command),
    ("spawnlp", Category::Command),
    ("spawnlpe", Category::Command),
    ("spawnv", Category::Command),
    ("spawnve", Category::Command),
    ("spawnvp", Category::Command),
    ("spawnvpe", Category::Command),
    ("eval", Category::Code),
    ("exec", Category::Code),
    ("execfile", Category::Code),
    ("run_string", Category::Code),
    ("runcode", Category::Code),
    ("runsource", Category::Code),
    ("runctx", Category::Code),
    ("__import__", Category::Import),
    ("import_module", Category::Import),
];

impl Policy {
    /// The built-in policy, parsed once.
    pub fn builtin() -> &'static Self {
        static POLICY: OnceLock<Policy> = OnceLock::new();
        POLICY.get_or_init(|| {
            let mut policy = Self::default();
            // The built-in data is checked by tests; a bad line here is a bug.
            policy
                .load_deny(DENY)
                .and_then(|()| policy.load_allow(ALLOW_GENERATED))
                .and_then(|()| policy.load_allow(ALLOW_CORE))
                .and_then(|()| policy.load_compat(COMPAT))
                .and_then(|()| policy.load_effects(EFFECTS))
                .unwrap_or_else(|e| panic!("built-in pickle policy is invalid: {e}"));
            policy
        })
    }

    /// A copy of the built-in policy with extra exact names allowed (from
    /// the user's configuration).
    pub fn with_extra_allowed<'a>(extra: impl IntoIterator<Item = &'a str>) -> Self {
        let base = Self::builtin();
        let mut allow = base.allow.clone();
        for name in extra {
            allow.entry(name.to_owned()).or_insert(AllowKind::Plain);
        }
        Self {
            allow,
            deny_exact: base.deny_exact.clone(),
            deny_module: base.deny_module.clone(),
            compat_names: base.compat_names.clone(),
            compat_modules: base.compat_modules.clone(),
            effects: base.effects.clone(),
        }
    }

    /// effects.txt (generate_effects.py): `reaches <category> <name> <chain>`
    /// for unknown callables that reach a sink; `calls-arg <name>` makes an
    /// allowlisted callable a trampoline (what it is handed is invoked).
    fn load_effects(&mut self, text: &str) -> Result<(), String> {
        for (n, line) in data_lines(text) {
            let parts: Vec<&str> = line.split_whitespace().collect();
            match parts.as_slice() {
                ["reaches", cat, name, chain] => {
                    let category = Category::parse(cat)
                        .ok_or_else(|| format!("effects.txt:{n}: unknown category {cat}"))?;
                    self.effects
                        .insert((*name).to_owned(), (category, chain.replace("->", " -> ")));
                }
                ["calls-arg", name] => {
                    if let Some(kind @ AllowKind::Plain) = self.allow.get_mut(*name) {
                        *kind = AllowKind::Trampoline;
                    }
                }
                ["returns-arg", _] => {}
                _ => return Err(format!("effects.txt:{n}: cannot read `{line}`")),
            }
        }
        Ok(())
    }

    fn load_deny(&mut self, text: &str) -> Result<(), String> {
        for (n, line) in data_lines(text) {
            let mut parts = line.split_whitespace();
            let (Some(cat), Some(pattern), None) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(format!("deny.txt:{n}: expected `<category> <pattern>`"));
            };
            let cat = Category::parse(cat)
                .ok_or_else(|| format!("deny.txt:{n}: unknown category {cat}"))?;
            let previous = match pattern.strip_suffix(".*") {
                Some(module) => self.deny_module.insert(module.to_owned(), cat),
                None => self.deny_exact.insert(pattern.to_owned(), cat),
            };
            if previous.is_some() {
                return Err(format!("deny.txt:{n}: duplicate pattern {pattern}"));
            }
        }
        Ok(())
    }

    fn load_allow(&mut self, text: &str) -> Result<(), String> {
        for (n, line) in data_lines(text) {
            let mut parts = line.split_whitespace();
            let (kind, name) = match (parts.next(), parts.next(), parts.next()) {
                (Some(name), None, None) => (AllowKind::Plain, name),
                (Some("trampoline"), Some(name), None) => (AllowKind::Trampoline, name),
                (Some("resolver"), Some(name), None) => (AllowKind::Resolver, name),
                (Some("shape"), Some(name), None) => (AllowKind::Shape, name),
                _ => return Err(format!("allowlist line {n}: cannot read `{line}`")),
            };
            if name.contains('*') {
                return Err(format!("allowlist line {n}: wildcards are not allowed"));
            }
            // Hand-reviewed kinds (loaded last) override the generated list.
            self.allow.insert(name.to_owned(), kind);
        }
        Ok(())
    }

    fn load_compat(&mut self, text: &str) -> Result<(), String> {
        for (n, line) in data_lines(text) {
            let parts: Vec<&str> = line.split_whitespace().collect();
            match parts.as_slice() {
                ["name", m, a, m3, a3] => {
                    self.compat_names.insert(
                        ((*m).to_owned(), (*a).to_owned()),
                        ((*m3).to_owned(), (*a3).to_owned()),
                    );
                }
                ["import", m, m3] => {
                    self.compat_modules
                        .insert((*m).to_owned(), (*m3).to_owned());
                }
                _ => return Err(format!("compat.txt:{n}: cannot read `{line}`")),
            }
        }
        Ok(())
    }

    /// Applies `_compat_pickle`'s mapping (NAME_MAPPING first, then
    /// IMPORT_MAPPING), as the unpickler does for protocol < 3.
    pub fn map_python2<'a>(&'a self, module: &'a str, name: &'a str) -> (&'a str, &'a str) {
        if let Some((m, n)) = self.compat_names.get(&(module.to_owned(), name.to_owned())) {
            return (m, n);
        }
        if let Some(m) = self.compat_modules.get(module) {
            return (m, name);
        }
        (module, name)
    }

    /// Judges `module` + `name` (already mapped).
    pub fn classify(&self, module: &str, name: &str) -> Class {
        let full = format!("{module}.{name}");
        if let Some(kind) = self.allow.get(&full) {
            return Class::Allowed(*kind);
        }
        let module_parts = module.split('.').count();
        let parts: Vec<&str> = full.split('.').collect();
        if let Some((category, matched)) = self.deny_match(&parts, module_parts) {
            return Class::Dangerous {
                category,
                matched,
                confidence: Confidence::High,
            };
        }
        let name_parts = &parts[module_parts.min(parts.len())..];
        if let Some(dunder) = name_parts.iter().find(|p| is_dunder(p)) {
            return Class::Dangerous {
                category: Category::Attribute,
                matched: format!("{full} (through `{dunder}`)"),
                confidence: Confidence::High,
            };
        }
        if let Some(leaf) = name_parts.last()
            && let Some((_, category)) = DANGEROUS_LEAVES.iter().find(|(l, _)| l == leaf)
        {
            return Class::Dangerous {
                category: *category,
                matched: full,
                confidence: Confidence::Medium,
            };
        }
        if let Some((category, chain)) = self.effects.get(&full) {
            return Class::Reaches {
                category: *category,
                chain: chain.clone(),
            };
        }
        Class::Unknown
    }

    /// The most specific deny entry reached by the path: from its start, and
    /// from every component of the name part (attribute traversal), also
    /// trying a private alias without its leading underscores (`_os` -> `os`).
    fn deny_match(&self, parts: &[&str], module_parts: usize) -> Option<(Category, String)> {
        // Ranked by how far into the path the match reaches (the object
        // actually reached), then exact over wildcard, then length.
        let mut best: Option<((usize, bool, usize), Category, String)> = None;
        let starts = std::iter::once(0).chain(module_parts..parts.len());
        for start in starts {
            let mut firsts = vec![parts[start].to_owned()];
            let stripped = parts[start].trim_start_matches('_');
            if start > 0 && stripped != parts[start] && !stripped.is_empty() {
                firsts.push(stripped.to_owned());
            }
            for first in firsts {
                let mut path = first;
                for end in start..parts.len() {
                    if end > start {
                        path.push('.');
                        path.push_str(parts[end]);
                    }
                    let len = end - start + 1;
                    let hit = if len >= 2 {
                        self.deny_exact.get(&path).map(|c| (true, *c))
                    } else {
                        None
                    }
                    .or_else(|| self.deny_module.get(&path).map(|c| (false, *c)));
                    if let Some((exact, category)) = hit {
                        let rank = (end, exact, len);
                        if best.as_ref().is_none_or(|(b, _, _)| rank > *b) {
                            // Name what is reached: the match and the attributes after it.
                            let mut reached = path.clone();
                            for part in &parts[end + 1..] {
                                reached.push('.');
                                reached.push_str(part);
                            }
                            best = Some((rank, category, reached));
                        }
                    }
                }
            }
        }
        best.map(|(_, category, path)| (category, path))
    }

    /// Number of allowlisted names (for `loadguard rules` and tests).
    pub fn allowed_count(&self) -> usize {
        self.allow.len()
    }
}

fn is_dunder(s: &str) -> bool {
    s.len() > 4 && s.starts_with("__") && s.ends_with("__")
}

fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(module: &str, name: &str) -> Class {
        let p = Policy::builtin();
        let (m, n) = p.map_python2(module, name);
        p.classify(m, n)
    }

    fn category(module: &str, name: &str) -> Option<Category> {
        match class(module, name) {
            Class::Dangerous { category, .. } => Some(category),
            _ => None,
        }
    }

    #[test]
    fn builtin_policy_loads() {
        assert!(Policy::builtin().allowed_count() > 500);
    }

    #[test]
    fn real_library_names_are_allowed() {
        for (m, n) in [
            ("torch._utils", "_rebuild_tensor_v2"),
            ("collections", "OrderedDict"),
            ("numpy._core.multiarray", "_reconstruct"),
            ("copy_reg", "_reconstructor"),
            ("__builtin__", "set"),
            ("sklearn.linear_model._logistic", "LogisticRegression"),
        ] {
            assert!(matches!(class(m, n), Class::Allowed(_)), "{m}.{n}");
        }
        assert_eq!(
            class("functools", "partial"),
            Class::Allowed(AllowKind::Trampoline)
        );
        assert_eq!(
            class("numpy._core", "_ufunc_reconstruct"),
            Class::Allowed(AllowKind::Resolver)
        );
    }

    #[test]
    fn exact_entries_win_over_module_wildcards() {
        assert_eq!(category("os", "system"), Some(Category::Command));
        assert_eq!(category("os", "remove"), Some(Category::Filesystem));
        assert_eq!(category("posix", "system"), Some(Category::Command));
        assert_eq!(category("subprocess", "Popen"), Some(Category::Command));
    }

    #[test]
    fn python2_names_are_mapped_first() {
        assert_eq!(category("__builtin__", "eval"), Some(Category::Code));
        assert_eq!(category("commands", "getoutput"), Some(Category::Command));
        assert_eq!(category("cPickle", "loads"), Some(Category::Deserialize));
    }

    #[test]
    fn attribute_traversal_reaches_the_real_callable() {
        assert_eq!(category("logging", "os.system"), Some(Category::Command));
        assert_eq!(
            category("torch.serialization", "os.system"),
            Some(Category::Command)
        );
        assert_eq!(category("random", "_os.system"), Some(Category::Command));
        assert_eq!(category("builtins", "eval.__call__"), Some(Category::Code));
        assert_eq!(
            category("transformers.models.auto.configuration_auto", "os.system"),
            Some(Category::Command)
        );
        assert_eq!(category("numpy", "__builtins__"), Some(Category::Attribute));
        assert_eq!(
            category("torch._utils", "_rebuild_tensor_v2.__globals__"),
            Some(Category::Attribute)
        );
    }

    #[test]
    fn module_part_is_not_searched_for_stdlib_names() {
        // scipy.signal is not the stdlib `signal` module.
        assert_eq!(
            class("scipy.signal._filter_design", "butter"),
            Class::Unknown
        );
        assert_eq!(class("mypkg.io.readers", "Reader"), Class::Unknown);
    }

    #[test]
    fn dangerous_leaves_are_medium_confidence() {
        match class("somelib.helpers", "popen") {
            Class::Dangerous {
                category,
                confidence,
                ..
            } => {
                assert_eq!(category, Category::Command);
                assert_eq!(confidence, Confidence::Medium);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn published_bypass_gadgets_are_denied() {
        for (m, n, c) in [
            ("runpy", "_run_code", Category::Code),
            ("timeit", "timeit", Category::Code),
            ("pkgutil", "resolve_name", Category::Import),
            ("pydoc", "locate", Category::Import),
            ("_io", "FileIO", Category::Filesystem),
            ("codecs", "open", Category::Filesystem),
            ("_posixsubprocess", "fork_exec", Category::Command),
            ("torch.utils.collect_env", "run", Category::Command),
            ("pip", "main", Category::Install),
            ("types", "FunctionType", Category::Code),
            ("marshal", "loads", Category::Code),
            ("typing", "_eval_type", Category::Code),
            ("operator", "methodcaller", Category::Attribute),
            ("inspect", "getattr_static", Category::Attribute),
            ("copyreg", "add_extension", Category::Import),
            ("ctypes", "CDLL", Category::Native),
            ("http.client", "HTTPSConnection", Category::Network),
            ("pathlib", "Path.touch", Category::Filesystem),
            ("fickling.analysis", "Analyzer", Category::Tamper),
            ("_aix_support", "_read_cmd_output", Category::Command),
            ("uuid", "_get_command_stdout", Category::Command),
            ("pickle", "loads", Category::Deserialize),
            ("torch.storage", "_load_from_bytes", Category::Deserialize),
            ("builtins", "str.join", Category::Obfuscation),
        ] {
            assert_eq!(category(m, n), Some(c), "{m}.{n}");
        }
    }
}
