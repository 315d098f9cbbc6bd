#!/usr/bin/env python3
"""Generate effects.txt: what callables do to what they are handed, found by
reading their source. Nothing is imported or called: every module is parsed
with `ast` from the files on disk.

    python crates/loadguard-pickle/policy/generate_effects.py

For every function, method and class (a class is its `__init__`, `__new__`
and `__setstate__`: what REDUCE, NEWOBJ and BUILD run) of the standard library
and of the ML packages installed here, it records:

- `reaches <category> <name> <chain>`: the callable reaches, within a few
  calls inside the analysed code and with its own arguments (or its
  object's state) flowing into every call of the chain, a sink that deny.txt lists (process spawn,
  exec/eval, file writes, network, nested deserializers, dynamic import,
  ctypes...): the positive list SINKS below. Only names that deny.txt and
  the allowlists do not already judge are written: the gadgets no public
  list has.
- `calls-arg <name>`: it calls one of its parameters (a trampoline: what a
  pickle hands it is judged as invoked).
- `returns-arg <name>`: it returns one of its parameters unchanged (an
  identity helper: what a pickle hands it is what comes back).

The engine reads this file at build time; the output is reviewed and
committed like the allowlist.
"""
from __future__ import annotations

import ast
import collections
import os
import sys
import sysconfig

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "effects.txt")
MAX_DEPTH = 3
PACKAGES = ["numpy", "scipy", "pandas", "sklearn", "joblib", "torch", "torchvision", "transformers",
            "keras", "safetensors", "onnx", "tokenizers", "huggingface_hub", "dateutil"]
SKIP_DIRS = {"test", "tests", "testing", "idlelib", "lib2to3", "turtledemo", "ensurepip", "__pycache__",
             "site-packages", "dist-packages", "benchmarks", "_examples", "examples"}


# ---- the deny policy, as the engine reads it ----------------------------------

def load_deny() -> tuple[dict[str, str], dict[str, str]]:
    exact, modules = {}, {}
    for line in open(os.path.join(HERE, "deny.txt"), encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        category, pattern = line.split()
        if pattern.endswith(".*"):
            modules[pattern[:-2]] = category
        else:
            exact[pattern] = category
    return exact, modules


def load_allow() -> set[str]:
    names = set()
    for f in ("allow-core.txt", "allow-generated.txt"):
        for line in open(os.path.join(HERE, f), encoding="utf-8"):
            line = line.split("#", 1)[0].split()
            if line:
                names.add(line[-1])
    return names


DENY_EXACT, DENY_MODULES = load_deny()
ALLOW = load_allow()


def deny_category(name: str) -> str | None:
    """The category deny.txt gives a dotted name (exact first, then modules)."""
    if name in DENY_EXACT:
        return DENY_EXACT[name]
    parts = name.split(".")
    for i in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:i]) in DENY_MODULES:
            return DENY_MODULES[".".join(parts[:i])]
    return None




# ---- reading the sources --------------------------------------------------------

def source_roots() -> list[tuple[str, str]]:
    """(directory, module prefix) pairs: the stdlib, then each package."""
    roots = [(sysconfig.get_paths()["stdlib"], "")]
    for entry in sys.path:
        if not os.path.isdir(entry) or not entry.endswith(("site-packages", "dist-packages")):
            continue
        for pkg in PACKAGES:
            d = os.path.join(entry, pkg)
            if os.path.isdir(d):
                roots.append((d, pkg))
    return roots


def module_files():
    for root, prefix in source_roots():
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
            rel = os.path.relpath(dirpath, root)
            parts = [] if rel == "." else rel.split(os.sep)
            if prefix:
                parts = [prefix, *parts]
            if any(not p.isidentifier() for p in parts):
                continue
            for fn in sorted(filenames):
                if not fn.endswith(".py"):
                    continue
                stem = fn[:-3]
                mod = ".".join(parts if stem == "__init__" else [*parts, stem])
                if mod and all(p.isidentifier() for p in mod.split(".")):
                    yield mod, os.path.join(dirpath, fn), stem == "__init__"


class Function:
    __slots__ = ("name", "params", "calls", "calls_arg", "returns_arg")

    def __init__(self, name: str, params: list[str]) -> None:
        self.name = name
        self.params = params
        # callee -> whether a parameter flows into its arguments
        self.calls: dict[str, bool] = {}
        self.calls_arg = False
        self.returns_arg = False


BUILTINS = set(dir(__import__("builtins")))


def mentions(node: ast.AST, names: set[str]) -> bool:
    """Whether an expression uses one of `names` (or `self.<attr>`, the
    object's state, which BUILD sets from the pickle)."""
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and n.id in names:
            return True
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self":
            return True
    return False


def dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class ModuleReader(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, functions: dict[str, Function]) -> None:
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.imports: dict[str, str] = {}
        self.local: set[str] = set()
        self.functions = functions
        self.cls: list[str] = []

    def resolve(self, name: str | None) -> str | None:
        if not name:
            return None
        head, _, rest = name.partition(".")
        if self.cls and head == "self":
            base = f"{self.module}.{'.'.join(self.cls)}"
        elif head in self.imports:
            base = self.imports[head]
        elif head in self.local:
            base = f"{self.module}.{head}"
        elif head in BUILTINS:
            base = f"builtins.{head}"
        else:
            return None
        return f"{base}.{rest}" if rest else base

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            if a.asname:
                self.imports[a.asname] = a.name
            else:
                self.imports[a.name.split(".")[0]] = a.name.split(".")[0]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            pkg = self.package.split(".")
            pkg = pkg[: len(pkg) - (node.level - 1)] if node.level > 1 else pkg
            base = ".".join([*pkg, base] if base else pkg)
        for a in node.names:
            if a.name != "*":
                self.imports[a.asname or a.name] = f"{base}.{a.name}"

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if not self.cls:
            self.local.add(node.name)
        self.cls.append(node.name)
        self.generic_visit(node)
        self.cls.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if not self.cls:
            self.local.add(node.name)
        qual = ".".join([self.module, *self.cls, node.name])
        params = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
        if node.args.vararg:
            params.append(node.args.vararg.arg)
        if self.cls and params and params[0] in ("self", "cls"):
            params = params[1:]
        f = self.functions.setdefault(qual, Function(qual, params))
        # What a parameter flows into: names assigned from expressions that
        # mention a parameter are tainted too (one pass, in order).
        tainted = set(f.params)
        for child in ast.walk(node):
            if isinstance(child, ast.Assign) and mentions(child.value, tainted):
                for t in child.targets:
                    tainted |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
        saved = self.cls
        self.cls = []  # nested functions see the module's names
        for child in ast.walk(node):
            if isinstance(child, ast.Call):
                callee = dotted(child.func)
                if callee and callee.split(".")[0] in f.params and "." not in callee:
                    f.calls_arg = True
                self.cls = saved
                target = self.resolve(callee)
                self.cls = []
                if target:
                    flows = any(mentions(a, tainted) for a in child.args) or any(
                        mentions(k.value, tainted) for k in child.keywords)
                    f.calls[target] = f.calls.get(target, False) or flows
            elif isinstance(child, ast.Return) and isinstance(child.value, ast.Name):
                if child.value.id in f.params:
                    f.returns_arg = True
        self.cls = saved

    visit_AsyncFunctionDef = visit_FunctionDef


def module_level(tree: ast.Module):
    """Statements at module level, inside `if`/`try` blocks too, but not in
    functions or classes."""
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, (ast.If, ast.Try, ast.With)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(node, field, []) or []:
                    todo.extend(child.body if isinstance(child, ast.ExceptHandler) else [child])


def resolve_relative(node: ast.ImportFrom, package: str) -> str:
    base = node.module or ""
    if node.level:
        pkg = package.split(".")
        pkg = pkg[: len(pkg) - (node.level - 1)] if node.level > 1 else pkg
        base = ".".join([*pkg, base] if base else pkg)
    return base


def read_all():
    functions: dict[str, Function] = {}
    classes: set[str] = set()
    # Re-exports: `numpy.memmap` is `numpy._core.memmap.memmap`, and pickles
    # name the public path (`__module__`), not where it is defined.
    aliases: dict[str, str] = {}
    stars: dict[str, list[str]] = collections.defaultdict(list)
    for mod, path, is_pkg in module_files():
        try:
            tree = ast.parse(open(path, encoding="utf-8", errors="replace").read(), path)
        except (SyntaxError, ValueError):
            continue
        reader = ModuleReader(mod, is_pkg, functions)
        # Two passes: module-level names first, so that calls resolve to
        # functions defined later in the file.
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                reader.local.add(node.name)
            if isinstance(node, ast.ClassDef):
                classes.add(f"{mod}.{node.name}")
        reader.visit(tree)
        for node in module_level(tree):
            if isinstance(node, ast.ImportFrom):
                for a in node.names:
                    name = a.asname or a.name
                    if a.name == "*":
                        base = reader.imports.get("*") or resolve_relative(node, reader.package)
                        stars[mod].append(base)
                        continue
                    target = reader.imports.get(name)
                    if target and target != f"{mod}.{name}":
                        aliases[f"{mod}.{name}"] = target
    return functions, classes, aliases, stars


# ---- reachability ----------------------------------------------------------------

# The sinks: callables that do something by themselves, by category. A
# positive list, narrower than deny.txt (whose module wildcards and gadget
# categories also cover what is harmless when a library calls it with its
# own arguments: `os.path.dirname`, `logging.warning`, `io.BytesIO`).
# Exact names, or a prefix ending in `.` or `*`.
SINKS = {
    "command": """os.system os.popen os.exec* os.spawn* os.posix_spawn* os.fork os.forkpty subprocess.Popen
        subprocess.run subprocess.call subprocess.check_call subprocess.check_output subprocess.getoutput
        subprocess.getstatusoutput pty.spawn pty.fork commands. _posixsubprocess.fork_exec
        asyncio.create_subprocess_exec asyncio.create_subprocess_shell posix.system posix.popen nt.system""",
    "code": """builtins.eval builtins.exec builtins.compile types.FunctionType types.CodeType runpy.run_path
        runpy.run_module runpy._run_code code.InteractiveInterpreter code.InteractiveConsole code.interact
        codeop.compile_command timeit.timeit timeit.repeat timeit.Timer""",
    "filesystem": """builtins.open io.open io.FileIO _io.open _io.FileIO os.remove os.unlink os.rmdir os.removedirs
        os.rename os.renames os.replace os.mkdir os.makedirs os.chmod os.chown os.symlink os.link
        os.truncate os.open os.write os.fdopen shutil.rmtree shutil.move shutil.copy shutil.copy2
        shutil.copyfile shutil.copytree shutil.chown shutil.make_archive shutil.unpack_archive
        tempfile.mkstemp tempfile.mkdtemp tempfile.NamedTemporaryFile tarfile.open zipfile.ZipFile
        codecs.open pathlib.Path.write_text pathlib.Path.write_bytes pathlib.Path.touch pathlib.Path.mkdir
        pathlib.Path.unlink pathlib.Path.rmdir pathlib.Path.rename pathlib.Path.replace pathlib.Path.chmod
        pathlib.Path.symlink_to pathlib.Path.open""",
    "network": """socket.socket socket.create_connection socket.create_server urllib.request.urlopen
        urllib.request.urlretrieve urllib.request.Request http.client.HTTPConnection
        http.client.HTTPSConnection ftplib.FTP smtplib.SMTP telnetlib.Telnet webbrowser.open requests.get
        requests.post requests.request requests.Session xmlrpc.client.ServerProxy""",
    "deserialize": """pickle.load pickle.loads pickle.Unpickler _pickle.load _pickle.loads _pickle.Unpickler
        marshal.load marshal.loads shelve.open dill.load dill.loads joblib.load numpy.load torch.load
        yaml.load yaml.unsafe_load yaml.full_load pandas.read_pickle cloudpickle.load cloudpickle.loads""",
    "native": """ctypes.CDLL ctypes.PyDLL ctypes.WinDLL ctypes.cdll ctypes.pydll ctypes.cast ctypes.memmove
        ctypes.pythonapi _ctypes.dlopen _ctypes.LoadLibrary ctypes.util.find_library cffi.FFI""",
    "process": """os.kill os.killpg signal.pthread_kill _thread.start_new_thread _thread.start_new
        _thread.interrupt_main multiprocessing.Process threading.Thread.start""",
    "install": "pip.main pip._internal. ensurepip.bootstrap",
}
# Reached with arguments, but harmless: they parse or build code from
# validated pieces, never run what they are handed.
HARMLESS_TRANSIT = {"ast.parse", "ast.literal_eval", "collections.namedtuple", "typing.ForwardRef",
                    "typing.ForwardRef.__init__", "typing._make_nmtuple"}
SINK_EXACT: dict[str, str] = {}
SINK_PREFIX: list[tuple[str, str]] = []
for _cat, _names in SINKS.items():
    for _n in _names.split():
        if _n.endswith(("*", ".")):
            SINK_PREFIX.append((_n.rstrip("*"), _cat))
        else:
            SINK_EXACT[_n] = _cat


def sink_of(name: str) -> str | None:
    if name in SINK_EXACT:
        return SINK_EXACT[name]
    for prefix, cat in SINK_PREFIX:
        if name.startswith(prefix):
            return cat
    return None


def reach(functions: dict[str, Function]) -> dict[str, tuple[str, list[str]]]:
    """name -> (category, chain) for callables that reach a sink."""
    found: dict[str, tuple[str, list[str]]] = {}
    for f in functions.values():
        for c, flows in sorted(f.calls.items()):
            cat = sink_of(c)
            if cat and flows:
                found[f.name] = (cat, [f.name, c])
                break
    for _ in range(MAX_DEPTH - 1):
        new = {}
        for f in functions.values():
            if f.name in found:
                continue
            for c, flows in sorted(f.calls.items()):
                if flows and c in found and c != f.name and c not in HARMLESS_TRANSIT:
                    cat, chain = found[c]
                    new[f.name] = (cat, [f.name, *chain])
                    break
        if not new:
            break
        found.update(new)
    return found


def judged_already(name: str) -> bool:
    return name in ALLOW or deny_category(name) is not None


def main() -> None:
    functions, classes, aliases, stars = read_all()
    reached = reach(functions)
    for name in HARMLESS_TRANSIT:
        reached.pop(name, None)
    # A class runs __init__ (REDUCE), __new__ (NEWOBJ), __setstate__ (BUILD).
    for cls in classes:
        for special in ("__init__", "__new__", "__setstate__"):
            hit = reached.get(f"{cls}.{special}")
            if hit and cls not in reached:
                reached[cls] = hit
    def resolve(name: str, depth: int = 0):
        if name in reached:
            return reached[name]
        if depth > 5:
            return None
        if name in aliases:
            return resolve(aliases[name], depth + 1)
        module, _, leaf = name.rpartition(".")
        for source in stars.get(module, []):
            hit = resolve(f"{source}.{leaf}", depth + 1)
            if hit:
                return hit
        return None

    for alias in list(aliases):
        hit = resolve(alias)
        if hit and alias not in reached:
            reached[alias] = hit
    lines = [
        "# Generated by generate_effects.py from the sources (ast, nothing imported).",
        "# Review the diff before committing.",
        f"# python {sys.version.split()[0]}",
        "#",
        "# reaches <category> <name> <chain: name -> ... -> sink>",
        "# calls-arg <name>      it calls a callable it is handed",
        "# returns-arg <name>    it returns what it is handed",
    ]
    out = []
    for name, (cat, chain) in sorted(reached.items()):
        if judged_already(name) or name in HARMLESS_TRANSIT:
            continue
        out.append(f"reaches {cat} {name} {'->'.join(chain)}")
    for name, f in sorted(functions.items()):
        if name in ALLOW and f.calls_arg:
            out.append(f"calls-arg {name}")
        if name in ALLOW and f.returns_arg:
            out.append(f"returns-arg {name}")
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines + sorted(set(out))) + "\n")
    counts = collections.Counter(line.split()[0] for line in out)
    print(f"{len(functions)} functions read; wrote {dict(counts)} to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
