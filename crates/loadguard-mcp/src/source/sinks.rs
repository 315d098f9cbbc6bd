//! Where data becomes an action: the sink table of the source analysis, for
//! Python and JavaScript/TypeScript callees as the front ends resolve them.

use super::ir::{Call, Val};

/// What a sink does with its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Through a shell: any tainted character is a command.
    Shell,
    /// A program with an argument list: tainted program or arguments.
    Exec,
    Code,
    Path,
    Url,
    Deserialize,
    Sql,
    Template,
}

/// A sink call and the values that reach it.
#[derive(Debug)]
pub(crate) struct Hit<'a> {
    pub kind: Kind,
    pub values: Vec<&'a Val>,
    /// For `Exec`: the program position is among the values.
    pub program: Option<&'a Val>,
    pub write: bool,
}

fn first<'a>(c: &'a Call, name: &str) -> Vec<&'a Val> {
    c.arg(0, name).into_iter().collect()
}

fn all(c: &Call) -> Vec<&Val> {
    c.args.iter().collect()
}

/// `True`, `1`, or a constant holding one of them (`shell=SHELL`).
fn truthy(v: Option<&Val>) -> bool {
    v.is_some_and(|v| v.boolean == Some(true) || v.int.is_some_and(|i| i != 0))
}

const PY_SUBPROCESS: &[&str] = &["run", "call", "check_call", "check_output", "Popen"];
const PY_PATH_CALLS: &[&str] = &[
    "open",
    "io.open",
    "codecs.open",
    "aiofiles.open",
    "os.open",
    "os.remove",
    "os.unlink",
    "os.rmdir",
    "os.removedirs",
    "os.rename",
    "os.renames",
    "os.replace",
    "os.chmod",
    "os.chown",
    "os.lchown",
    "os.makedirs",
    "os.mkdir",
    "os.listdir",
    "os.scandir",
    "os.walk",
    "os.symlink",
    "os.link",
    "os.truncate",
    "os.startfile",
    "shutil.rmtree",
    "shutil.copy",
    "shutil.copy2",
    "shutil.copyfile",
    "shutil.copytree",
    "shutil.move",
    "shutil.chown",
    "shutil.make_archive",
    "shutil.unpack_archive",
    "glob.glob",
    "flask.send_file",
    "starlette.responses.FileResponse",
    "fastapi.responses.FileResponse",
];
const PATH_METHODS: &[&str] = &[
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "unlink",
    "rmdir",
    "chmod",
    "touch",
    "mkdir",
    "rename",
    "replace",
    "iterdir",
    "rglob",
    "symlink_to",
    "hardlink_to",
];
const WRITES: &[&str] = &[
    "write_text",
    "write_bytes",
    "unlink",
    "rmdir",
    "chmod",
    "touch",
    "rename",
    "replace",
    "os.remove",
    "os.unlink",
    "os.rmdir",
    "os.removedirs",
    "os.rename",
    "os.replace",
    "os.chmod",
    "os.chown",
    "os.symlink",
    "os.truncate",
    "shutil.rmtree",
    "shutil.copy",
    "shutil.copy2",
    "shutil.copyfile",
    "shutil.copytree",
    "shutil.move",
    "shutil.unpack_archive",
    "writeFile",
    "writeFileSync",
    "appendFile",
    "appendFileSync",
    "unlink",
    "unlinkSync",
    "rm",
    "rmSync",
    "rmdir",
    "rmdirSync",
    "chmod",
    "chmodSync",
    "rename",
    "renameSync",
    "copyFile",
    "copyFileSync",
    "cp",
    "cpSync",
    "symlink",
    "symlinkSync",
    "createWriteStream",
    "mkdir",
    "mkdirSync",
];
const JS_FS: &[&str] = &[
    "readFile",
    "readFileSync",
    "writeFile",
    "writeFileSync",
    "appendFile",
    "appendFileSync",
    "unlink",
    "unlinkSync",
    "rm",
    "rmSync",
    "rmdir",
    "rmdirSync",
    "mkdir",
    "mkdirSync",
    "createReadStream",
    "createWriteStream",
    "readdir",
    "readdirSync",
    "chmod",
    "chmodSync",
    "rename",
    "renameSync",
    "copyFile",
    "copyFileSync",
    "cp",
    "cpSync",
    "open",
    "openSync",
    "symlink",
    "symlinkSync",
    "stat",
    "statSync",
    "access",
    "accessSync",
    "truncate",
    "opendir",
];
const HTTP_METHODS: &[&str] = &[
    "get", "post", "put", "delete", "patch", "head", "options", "request", "stream", "send",
    "fetch",
];

/// The sink `c` is, with the values that reach it.
pub(crate) fn of(c: &Call, python: bool) -> Option<Hit<'_>> {
    let callee = c.callee.as_str();
    let method = c.method();
    let hit = |kind, values| {
        Some(Hit {
            kind,
            values,
            program: None,
            write: false,
        })
    };
    if python {
        match callee {
            "os.system"
            | "os.popen"
            | "subprocess.getoutput"
            | "subprocess.getstatusoutput"
            | "commands.getoutput"
            | "asyncio.create_subprocess_shell"
            | "pty.spawn"
            | "os.popen2"
            | "os.popen3" => return hit(Kind::Shell, first(c, "cmd")),
            "asyncio.create_subprocess_exec" => {
                return Some(Hit {
                    kind: Kind::Exec,
                    values: all(c),
                    program: c.args.first(),
                    write: false,
                });
            }
            "eval"
            | "exec"
            | "compile"
            | "__import__"
            | "importlib.import_module"
            | "builtins.eval"
            | "builtins.exec"
            | "runpy.run_path"
            | "runpy.run_module" => return hit(Kind::Code, first(c, "source")),
            "pickle.load" | "pickle.loads" | "cPickle.load" | "cPickle.loads" | "dill.load"
            | "dill.loads" | "marshal.load" | "marshal.loads" | "shelve.open" | "joblib.load"
            | "jsonpickle.decode" | "pandas.read_pickle" | "yaml.unsafe_load"
            | "cloudpickle.load" | "cloudpickle.loads" => {
                return hit(Kind::Deserialize, first(c, "file"));
            }
            "torch.load" if !truthy(c.kwarg("weights_only")) => {
                return hit(Kind::Deserialize, first(c, "f"));
            }
            "numpy.load" if truthy(c.kwarg("allow_pickle")) => {
                return hit(Kind::Deserialize, first(c, "file"));
            }
            "yaml.load" | "yaml.load_all" => {
                let loader = c.kwarg("Loader").or_else(|| c.args.get(1));
                let safe = loader.is_some_and(|l| {
                    l.idents
                        .iter()
                        .any(|i| i.contains("SafeLoader") || i.contains("BaseLoader"))
                });
                return if safe {
                    None
                } else {
                    hit(Kind::Deserialize, first(c, "stream"))
                };
            }
            "jinja2.Template"
            | "flask.render_template_string"
            | "mako.template.Template"
            | "jinja2.Environment().from_string" => {
                return hit(Kind::Template, first(c, "source"));
            }
            "urllib.request.urlopen"
            | "urllib.request.Request"
            | "urllib.request.urlretrieve"
            | "urllib3.request" => return hit(Kind::Url, first(c, "url")),
            _ => {}
        }
        if let Some(sub) = callee.strip_prefix("subprocess.")
            && PY_SUBPROCESS.contains(&sub)
        {
            let argv = c.arg(0, "args");
            if truthy(c.kwarg("shell")) {
                return hit(Kind::Shell, argv.into_iter().collect());
            }
            let program = argv.and_then(|a| a.items.as_ref().and_then(|i| i.first()).or(Some(a)));
            return Some(Hit {
                kind: Kind::Exec,
                values: argv.into_iter().collect(),
                program,
                write: false,
            });
        }
        if callee.starts_with("os.exec")
            || callee.starts_with("os.spawn")
            || callee.starts_with("os.posix_spawn")
        {
            return Some(Hit {
                kind: Kind::Exec,
                values: all(c),
                program: c.args.first(),
                write: false,
            });
        }
        if PY_PATH_CALLS.contains(&callee) {
            let write = WRITES.contains(&callee)
                || c.arg(1, "mode")
                    .and_then(|m| m.folded.as_deref())
                    .is_some_and(|m| m.contains(['w', 'a', 'x', '+']));
            let mut values = first(c, "file");
            if matches!(
                callee,
                "shutil.copy"
                    | "shutil.copy2"
                    | "shutil.copyfile"
                    | "shutil.copytree"
                    | "shutil.move"
                    | "os.rename"
                    | "os.replace"
                    | "os.symlink"
            ) {
                values = all(c);
            }
            return Some(Hit {
                kind: Kind::Path,
                values,
                program: None,
                write,
            });
        }
        if PATH_METHODS.contains(&method) && (callee.contains("Path") || callee.starts_with("?.")) {
            return Some(Hit {
                kind: Kind::Path,
                values: c.receiver.iter().collect(),
                program: None,
                write: WRITES.contains(&method),
            });
        }
        if method == "from_string" && callee.contains("jinja2") {
            return hit(Kind::Template, first(c, "source"));
        }
        let client = ["requests", "httpx", "aiohttp", "urllib3"]
            .iter()
            .any(|m| callee.starts_with(&format!("{m}.")));
        if client && HTTP_METHODS.contains(&method) {
            let url = if method == "request" {
                c.arg(1, "url")
            } else {
                c.arg(0, "url")
            };
            return hit(Kind::Url, url.into_iter().collect());
        }
        if matches!(
            method,
            "execute" | "executemany" | "executescript" | "exec_driver_sql" | "raw" | "mogrify"
        ) || callee == "sqlalchemy.text"
        {
            return hit(Kind::Sql, first(c, "sql"));
        }
        return None;
    }
    // JavaScript / TypeScript
    match callee {
        "child_process.exec"
        | "child_process.execSync"
        | "shelljs.exec"
        | "execa.command"
        | "execa.commandSync" => {
            return hit(Kind::Shell, first(c, ""));
        }
        "child_process.spawn"
        | "child_process.spawnSync"
        | "child_process.execFile"
        | "child_process.execFileSync"
        | "execa"
        | "execa.execa"
        | "child_process.fork" => {
            let shell = c.args.iter().any(|a| {
                a.prop("shell")
                    .is_some_and(|s| s.boolean == Some(true) || s.folded.is_some())
            });
            if shell {
                return hit(Kind::Shell, c.args.iter().take(2).collect());
            }
            return Some(Hit {
                kind: Kind::Exec,
                values: c.args.iter().take(2).collect(),
                program: c.args.first(),
                write: false,
            });
        }
        // new Function(arg1, ..., body): every argument is code.
        "Function" | "Function()" => return hit(Kind::Code, all(c)),
        "eval"
        | "vm.runInNewContext"
        | "vm.runInThisContext"
        | "vm.runInContext"
        | "vm.compileFunction"
        | "vm.Script"
        | "vm.Script()" => {
            return hit(Kind::Code, first(c, ""));
        }
        "setTimeout" | "setInterval"
            if c.args
                .first()
                .is_some_and(|a| a.folded.is_some() || a.built) =>
        {
            return hit(Kind::Code, first(c, ""));
        }
        "fetch" | "axios" | "got" | "node-fetch" | "undici.fetch" | "undici.request" | "needle"
        | "superagent.get" | "superagent.post" | "http.get" | "http.request" | "https.get"
        | "https.request" | "cross-fetch" => {
            return hit(Kind::Url, first(c, ""));
        }
        "node-serialize.unserialize"
        | "serialize-to-js.deserialize"
        | "funcster.deepDeserialize" => return hit(Kind::Deserialize, first(c, "")),
        "ejs.render"
        | "ejs.compile"
        | "handlebars.compile"
        | "Handlebars.compile"
        | "lodash.template"
        | "pug.render"
        | "pug.compile"
        | "nunjucks.renderString"
        | "underscore.template" => {
            return hit(Kind::Template, first(c, ""));
        }
        _ => {}
    }
    if let Some(m) = callee
        .strip_prefix("fs.promises.")
        .or_else(|| callee.strip_prefix("fs."))
        && JS_FS.contains(&m)
    {
        let values = if matches!(
            m,
            "rename"
                | "renameSync"
                | "copyFile"
                | "copyFileSync"
                | "cp"
                | "cpSync"
                | "symlink"
                | "symlinkSync"
        ) {
            c.args.iter().take(2).collect()
        } else {
            first(c, "")
        };
        return Some(Hit {
            kind: Kind::Path,
            values,
            program: None,
            write: WRITES.contains(&m),
        });
    }
    if ["axios.", "got.", "superagent.", "ky.", "needle."]
        .iter()
        .any(|p| callee.starts_with(p))
        && HTTP_METHODS.contains(&method)
    {
        return hit(Kind::Url, first(c, ""));
    }
    if matches!(
        method,
        "query" | "execute" | "raw" | "unsafe" | "$queryRawUnsafe" | "$executeRawUnsafe"
    ) && !callee.starts_with("child_process.")
    {
        return hit(Kind::Sql, first(c, ""));
    }
    None
}

/// A network call that sends data out, with its URL and payload.
pub(crate) struct Send<'a> {
    pub url: Option<&'a Val>,
    pub payload: Vec<&'a Val>,
    /// A request that carries a body (POST, PUT, a socket write).
    pub posts: bool,
}

/// The network call `c` is, if it is one.
pub(crate) fn send(c: &Call, python: bool) -> Option<Send<'_>> {
    let callee = c.callee.as_str();
    let method = c.method();
    if python {
        let client = ["requests", "httpx", "aiohttp", "urllib3"]
            .iter()
            .any(|m| callee.starts_with(&format!("{m}.")));
        if client && HTTP_METHODS.contains(&method) {
            let url = if method == "request" {
                c.arg(1, "url")
            } else {
                c.arg(0, "url")
            };
            let payload = c
                .kwargs
                .iter()
                .filter(|(k, _)| {
                    matches!(k.as_str(), "data" | "json" | "params" | "files" | "content")
                })
                .map(|(_, v)| v)
                .chain(c.args.iter().skip(if method == "request" { 2 } else { 1 }))
                .collect();
            let posts = matches!(method, "post" | "put" | "patch" | "send")
                || c.kwargs
                    .iter()
                    .any(|(k, _)| matches!(k.as_str(), "data" | "json" | "files" | "content"));
            return Some(Send {
                url,
                payload,
                posts,
            });
        }
        if matches!(callee, "urllib.request.urlopen" | "urllib.request.Request") {
            let payload: Vec<&Val> = c.arg(1, "data").into_iter().collect();
            return Some(Send {
                url: c.arg(0, "url"),
                posts: !payload.is_empty(),
                payload,
            });
        }
        if matches!(method, "sendall" | "sendto" | "send") && callee.contains("socket") {
            return Some(Send {
                url: None,
                payload: c.args.iter().collect(),
                posts: true,
            });
        }
        if matches!(method, "connect" | "create_connection") && callee.contains("socket") {
            return Some(Send {
                url: c.args.first(),
                payload: Vec::new(),
                posts: false,
            });
        }
        return None;
    }
    let url_call = matches!(
        callee,
        "fetch"
            | "axios"
            | "got"
            | "node-fetch"
            | "undici.fetch"
            | "undici.request"
            | "cross-fetch"
            | "http.request"
            | "https.request"
            | "http.get"
            | "https.get"
    );
    let lib_call = ["axios.", "got.", "superagent.", "ky.", "needle."]
        .iter()
        .any(|p| callee.starts_with(p))
        && HTTP_METHODS.contains(&method);
    if url_call || lib_call {
        let opts = c.args.get(1);
        let method_prop = opts
            .and_then(|o| o.prop("method"))
            .and_then(|m| m.folded.as_deref())
            .map(str::to_ascii_uppercase);
        let mut payload: Vec<&Val> = opts.and_then(|o| o.prop("body")).into_iter().collect();
        if lib_call && matches!(method, "post" | "put" | "patch") {
            payload.extend(c.args.get(1));
        }
        let posts = matches!(method, "post" | "put" | "patch")
            || method_prop
                .as_deref()
                .is_some_and(|m| m != "GET" && m != "HEAD")
            || !payload.is_empty();
        return Some(Send {
            url: c.args.first(),
            payload,
            posts,
        });
    }
    if matches!(
        callee,
        "net.connect" | "net.createConnection" | "tls.connect"
    ) {
        return Some(Send {
            url: c.args.first(),
            payload: Vec::new(),
            posts: false,
        });
    }
    None
}
