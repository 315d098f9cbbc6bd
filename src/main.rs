//! `loadguard`: scan AI artifacts before you load them, without running them.
//!
//! Exit codes: 0 no finding at or above `--fail-on`; 1 at least one; 2 the
//! scan could not run or could not read a target.

mod config;
mod hub;
mod mcp;
mod mmap;
mod output;
mod progress;
mod registry;
mod rules;
mod scan;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use loadguard_core::{Severity, Verdict};
use loadguard_pickle::{Limits, Options, Policy};
use loadguard_scan::{ContainerLimits, ScanOptions};

#[derive(Parser)]
#[command(
    name = "loadguard",
    version,
    about = "Scan AI artifacts before you load them, without running them"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan files and folders (recursively); formats are detected by content.
    Scan(Box<ScanArgs>),
    /// List every rule.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// Rule code (PKL101) or name (pickle-command-execution).
        rule: String,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Verify a model's OpenSSF Model Signing signature (model.sig), offline.
    Verify(VerifyArgs),
    /// MCP servers: pin their tools against rug pulls.
    Mcp {
        #[command(subcommand)]
        command: McpCommand,
    },
    /// Write one Markdown page per rule into a folder (docs/rules).
    #[command(hide = true)]
    GenerateDocs { out: PathBuf },
}

#[derive(Subcommand)]
enum McpCommand {
    /// Write a lock file with a hash of every tool (name, description,
    /// schema) of the given tool lists (`tools/list` JSON) and server
    /// sources; `scan --mcp-lock` reports every later change.
    Pin {
        /// Tool lists, server source files, or folders of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The lock file to write (servers already in it are kept).
        #[arg(long, value_name = "FILE", default_value = "mcp.lock.json")]
        lock: PathBuf,
    },
    /// Start a stdio MCP server and save its tools/list answer, for scanning
    /// and pinning. This RUNS the server's code on this machine: it needs
    /// --launch, and `scan` never does it.
    ListTools {
        /// Really start the server (in a child process with a minimal
        /// environment, killed after --timeout).
        #[arg(long)]
        launch: bool,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 10)]
        timeout: u64,
        /// Write the tool list here instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The server's command line (after `--`).
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
}

/// Who is expected to have signed `model.sig` (verify, and scan of folders).
#[derive(clap::Args)]
struct SignerArgs {
    /// The signer's public key (PEM; text before the PEM block is fine).
    #[arg(long, value_name = "PUB.pem")]
    key: Option<PathBuf>,
    /// Trust anchors (PEM certificates) for certificate signatures.
    #[arg(long, value_name = "CA.pem")]
    certificate_chain: Option<PathBuf>,
    /// Sigstore keyless: the signer's identity (certificate SAN: email or URI).
    #[arg(long, value_name = "EMAIL|URI")]
    identity: Option<String>,
    /// Sigstore keyless: the OIDC issuer that vouched for the identity.
    #[arg(long, value_name = "URL")]
    issuer: Option<String>,
    /// Sigstore trusted_root.json to verify keyless signatures against [default: built-in public-good root].
    #[arg(long, value_name = "FILE")]
    trust_root: Option<PathBuf>,
    /// Largest model.sig to read [default: 64 MiB].
    #[arg(long, value_name = "BYTES")]
    max_signature_bytes: Option<u64>,
}

impl SignerArgs {
    /// Flags win; what they leave unset comes from the configuration (the
    /// `[signature]` table and `[limits] max-signature-bytes`), with its
    /// paths taken relative to the configuration file.
    fn or_config(&self, config: &config::Config, base: &std::path::Path) -> Self {
        let cfg = &config.signature;
        let path = |flag: &Option<PathBuf>, configured: &Option<PathBuf>| {
            flag.clone()
                .or_else(|| configured.as_ref().map(|p| base.join(p)))
        };
        Self {
            key: path(&self.key, &cfg.key),
            certificate_chain: path(&self.certificate_chain, &cfg.certificate_chain),
            identity: self.identity.clone().or_else(|| cfg.identity.clone()),
            issuer: self.issuer.clone().or_else(|| cfg.issuer.clone()),
            trust_root: path(&self.trust_root, &cfg.trust_root),
            max_signature_bytes: self
                .max_signature_bytes
                .or(config.limits.max_signature_bytes),
        }
    }

    fn options(&self) -> Result<loadguard_signing::VerifyOptions> {
        let trust_root = match &self.trust_root {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let root = loadguard_signing::TrustedRoot::from_json(
                    &text,
                    &format!("trusted root {}", path.display()),
                )
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                Some(std::sync::Arc::new(root))
            }
            None => None,
        };
        Ok(loadguard_signing::VerifyOptions {
            public_key_pem: read_optional(self.key.as_deref())?,
            certificate_chain_pem: read_optional(self.certificate_chain.as_deref())?,
            identity: self.identity.clone(),
            issuer: self.issuer.clone(),
            trust_root,
            max_signature_bytes: self.max_signature_bytes,
            ..Default::default()
        })
    }
}

#[derive(Parser)]
struct VerifyArgs {
    /// The model: a folder, or a single file with model.sig beside it.
    model: PathBuf,
    #[command(flatten)]
    signer: SignerArgs,
    /// The signature file [default: model.sig in or beside the model].
    #[arg(long, value_name = "FILE")]
    signature: Option<PathBuf>,
    /// Paths to leave out of the comparison, relative to the model.
    #[arg(long = "ignore-paths", value_name = "PATH")]
    ignore_paths: Vec<PathBuf>,
    /// Compare .git, .gitattributes, .github and .gitignore too.
    #[arg(long)]
    no_ignore_git_paths: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Parser)]
struct ScanArgs {
    /// Files or folders to scan, or Hugging Face repositories
    /// (`hf:org/name[@revision]`, `hf:datasets/...`, a Hub URL).
    #[arg(required_unless_present_any = ["hf_cache", "mcp"])]
    paths: Vec<PathBuf>,
    /// Also scan every MCP client config on this machine (Claude, Cursor,
    /// VS Code, Windsurf, Gemini, Codex, Zed, Continue, Cline, Roo, Kiro,
    /// opencode, Goose, Amazon Q, LM Studio) and the project configs under
    /// the working directory.
    #[arg(long)]
    mcp: bool,
    /// Compare MCP tools with the pins of this lock file (`loadguard mcp pin`).
    #[arg(long, value_name = "FILE")]
    mcp_lock: Option<PathBuf>,
    /// Scan every repository in the local Hugging Face cache
    /// (`$HF_HUB_CACHE`, or `$HF_HOME/hub`).
    #[arg(long)]
    hf_cache: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit 1 when a finding reaches this severity [default: high, or the config's].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Treat unknown callables that a pickle invokes as high (fails the default --fail-on).
    #[arg(long)]
    strict: bool,
    /// Only print targets that are not safe to load, and the verdict line.
    #[arg(long, short)]
    quiet: bool,
    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Same as --color never.
    #[arg(long)]
    no_color: bool,
    /// No progress line on stderr.
    #[arg(long)]
    no_progress: bool,
    /// Configuration file to use (also one inside a scanned target).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Do not look for loadguard.toml or [tool.loadguard] in pyproject.toml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// Exact callable names to allow in pickles (`module.qualname`), in addition to the built-in list.
    #[arg(long = "allow-global", value_name = "NAME")]
    allow_global: Vec<String>,
    #[command(flatten)]
    signer: SignerArgs,
    /// Report a scanned folder without model.sig as high (default: low).
    #[arg(long)]
    require_signature: bool,
    /// Maximum values on the pickle stack.
    #[arg(long)]
    max_stack: Option<usize>,
    /// Maximum open MARKs.
    #[arg(long)]
    max_marks: Option<usize>,
    /// Maximum memo entries per stream.
    #[arg(long)]
    max_memo: Option<usize>,
    /// Maximum depth of pickles nested in pickles.
    #[arg(long)]
    max_depth: Option<u32>,
    /// Maximum findings per file.
    #[arg(long)]
    max_findings: Option<usize>,
    /// Maximum nesting of containers (zip in tar in gzip...).
    #[arg(long)]
    max_container_depth: Option<u32>,
    /// Maximum decompressed bytes of one archive member or compressed stream.
    #[arg(long)]
    max_member_bytes: Option<u64>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
    Github,
    Cyclonedx,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Info,
    Low,
    Medium,
    High,
    Critical,
    Never,
}

impl FailOn {
    fn parse(s: &str) -> Option<Self> {
        <Self as ValueEnum>::from_str(s, true).ok()
    }

    fn threshold(self) -> Option<Severity> {
        match self {
            Self::Info => Some(Severity::Info),
            Self::Low => Some(Severity::Low),
            Self::Medium => Some(Severity::Medium),
            Self::High => Some(Severity::High),
            Self::Critical => Some(Severity::Critical),
            Self::Never => None,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`loadguard scan . | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<io::Error>()
                    .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(io::stderr(), "loadguard: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match cli.command {
        Command::Rules => {
            for r in registry::all_rules() {
                writeln!(
                    out,
                    "{:<7} {:<30} {:<8} {:<8} {}",
                    r.code,
                    r.name,
                    r.severity.as_str(),
                    r.cwe_id(),
                    r.summary
                )?;
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { rule } => {
            let Some(r) = registry::find(&rule) else {
                bail!("no rule named {rule:?}; `loadguard rules` lists them");
            };
            out.write_all(registry::page(r).as_bytes())?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "loadguard", &mut out);
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::GenerateDocs { out: dir } => {
            registry::write_docs(&dir)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Scan(args) => scan(*args, &mut out),
        Command::Verify(args) => verify(args, &mut out),
        Command::Mcp {
            command: McpCommand::Pin { paths, lock },
        } => {
            mcp::pin(&paths, &lock, &mut out)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Mcp {
            command:
                McpCommand::ListTools {
                    launch,
                    timeout,
                    output,
                    command,
                },
        } => {
            let tools = mcp::list_tools(&command, launch, std::time::Duration::from_secs(timeout))?;
            match output {
                Some(path) => std::fs::write(&path, tools)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => out.write_all(tools.as_bytes())?,
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn scan(args: ScanArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let (mut local_paths, hub_targets) = hub::split(&args.paths);
    if args.mcp {
        let cwd = std::env::current_dir().context("reading the working directory")?;
        local_paths.extend(mcp::discovered(&cwd));
    }
    for p in &local_paths {
        if !p.exists() && p.symlink_metadata().is_err() {
            bail!("{}: no such file or directory", p.display());
        }
    }
    let cwd = std::env::current_dir().context("reading the working directory")?;
    let loaded = config::load(args.config.as_deref(), args.no_config, &cwd, &local_paths)?;
    let cfg = &loaded.config;
    cfg.validate(|r| registry::find(r).is_some())
        .with_context(|| {
            loaded
                .path
                .as_deref()
                .map_or_else(String::new, |p| p.display().to_string())
        })?;
    if let Some(ignored) = &loaded.ignored_in_target {
        let _ = writeln!(
            io::stderr(),
            "loadguard: ignoring {} because it is inside a scanned target (pass --config to use it)",
            ignored.display()
        );
    }
    for name in &args.allow_global {
        if !name.contains('.') || name.contains('*') {
            bail!("--allow-global takes an exact `module.qualname`, not {name:?}");
        }
    }
    let fail_on = match (&args.fail_on, &cfg.fail_on) {
        (Some(f), _) => *f,
        (None, Some(s)) => FailOn::parse(s).unwrap_or(FailOn::High),
        (None, None) => FailOn::High,
    };
    let l = &cfg.limits;
    let pl = Limits::default();
    let cl = ContainerLimits::default();
    let allowed: Vec<&str> = args
        .allow_global
        .iter()
        .map(String::as_str)
        .chain(cfg.allow.iter().map(|a| a.name.as_str()))
        .collect();
    let scanner = scan::Scanner {
        options: ScanOptions {
            pickle: Options {
                limits: Limits {
                    max_stack: args.max_stack.or(l.max_stack).unwrap_or(pl.max_stack),
                    max_marks: args.max_marks.or(l.max_marks).unwrap_or(pl.max_marks),
                    max_memo: args.max_memo.or(l.max_memo).unwrap_or(pl.max_memo),
                    max_depth: args.max_depth.or(l.max_depth).unwrap_or(pl.max_depth),
                    max_findings: args
                        .max_findings
                        .or(l.max_findings)
                        .unwrap_or(pl.max_findings),
                    ..pl
                },
                strict: args.strict || cfg.strict.unwrap_or(false),
                ..Options::default()
            },
            limits: ContainerLimits {
                max_depth: args
                    .max_container_depth
                    .or(l.max_container_depth)
                    .unwrap_or(cl.max_depth),
                max_member_bytes: args
                    .max_member_bytes
                    .or(l.max_member_bytes)
                    .unwrap_or(cl.max_member_bytes),
                ..cl
            },
            mcp_lock: args.mcp_lock.as_deref().map(mcp::load_lock).transpose()?,
        },
        policy: Policy::with_extra_allowed(allowed),
        hash: args.format == Format::Cyclonedx,
        done: Default::default(),
        total: Default::default(),
    };
    let show_progress = !args.no_progress && !args.quiet && io::stderr().is_terminal();
    let mut targets = progress::with_progress(show_progress, &scanner.done, &scanner.total, || {
        scanner.scan_paths(&local_paths)
    });
    targets.extend(hub::scan_targets(
        &hub_targets,
        &scanner,
        hub::progress_allowed(args.quiet, args.no_progress),
    )?);
    if args.hf_cache {
        targets.extend(hub::scan_cache(&scanner));
    }
    // Signature status of every scanned folder.
    let config_dir = loaded
        .path
        .as_deref()
        .and_then(std::path::Path::parent)
        .unwrap_or(std::path::Path::new("."));
    let verify_options = args.signer.or_config(cfg, config_dir).options()?;
    let require_signature = args.require_signature || cfg.signature.require == Some(true);
    for root in local_paths.iter().filter(|p| p.is_dir()) {
        for (dir, findings) in loadguard_signing::statuses(root, &verify_options, require_signature)
        {
            targets.push(scan::Target {
                path: dir.display().to_string(),
                format: loadguard_scan::Format::ModelFolder,
                size: 0,
                findings,
                error: None,
                sha256: None,
                external_data: Vec::new(),
            });
        }
    }
    let suppressed = apply_rule_config(&mut targets, cfg);
    let verdict = targets
        .iter()
        .map(scan::Target::verdict)
        .max()
        .unwrap_or(Verdict::Safe);
    if !render_machine_format(out, args.format, &targets, verdict)? {
        let color = match args.color {
            _ if args.no_color => false,
            Color::Always => true,
            Color::Never => false,
            Color::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        };
        output::text::render(
            out,
            &targets,
            verdict,
            &output::text::Style { color },
            args.quiet,
        )?;
        if suppressed > 0 {
            writeln!(
                out,
                "{suppressed} finding(s) suppressed by rules.ignore in the configuration"
            )?;
        }
    }

    out.flush().context("writing the report")?;
    let failed = fail_on.threshold().is_some_and(|t| {
        targets
            .iter()
            .flat_map(|t| &t.findings)
            .any(|f| f.severity >= t)
    });
    if failed {
        return Ok(ExitCode::from(1));
    }
    if targets.iter().any(|t| t.error.is_some()) {
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders the machine formats; returns false for text, which each command
/// renders its own way.
fn render_machine_format(
    out: &mut dyn Write,
    format: Format,
    targets: &[scan::Target],
    verdict: Verdict,
) -> io::Result<bool> {
    match format {
        Format::Json => output::json::render(out, targets, verdict)?,
        Format::Sarif => output::sarif::render(out, targets)?,
        Format::Github => output::github::render(out, targets)?,
        Format::Cyclonedx => output::cyclonedx::render(out, targets)?,
        Format::Text => return Ok(false),
    }
    Ok(true)
}

fn read_optional(path: Option<&std::path::Path>) -> Result<Option<String>> {
    path.map(|p| std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display())))
        .transpose()
}

fn verify(args: VerifyArgs, out: &mut dyn Write) -> Result<ExitCode> {
    if !args.model.exists() {
        bail!("{}: no such file or directory", args.model.display());
    }
    let signature = match args
        .signature
        .clone()
        .or_else(|| loadguard_signing::signature_for(&args.model))
    {
        Some(s) => s,
        None => bail!(
            "{}: no model.sig found (pass --signature)",
            args.model.display()
        ),
    };
    let options = loadguard_signing::VerifyOptions {
        ignore_paths: args
            .ignore_paths
            .iter()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect(),
        no_ignore_git_paths: args.no_ignore_git_paths,
        ..args.signer.options()?
    };
    let report = loadguard_signing::verify(&args.model, &signature, &options);
    let targets = vec![scan::Target {
        path: args.model.display().to_string(),
        format: loadguard_scan::Format::ModelFolder,
        size: 0,
        findings: report.findings,
        error: None,
        sha256: None,
        external_data: Vec::new(),
    }];
    let verdict = targets
        .iter()
        .map(scan::Target::verdict)
        .max()
        .unwrap_or(Verdict::Safe);
    // A valid signature whose signer left model files out does not vouch
    // for the model: CI must not pass it as verified.
    let uncovered = targets[0]
        .findings
        .iter()
        .filter(|f| f.rule.code == "SIG006" && f.severity >= Severity::High)
        .count();
    if !render_machine_format(out, args.format, &targets, verdict)? {
        let line = match &report.outcome {
            loadguard_signing::Outcome::Verified { by } if uncovered > 0 => format!(
                "NOT FULLY VERIFIED: signed by {by}, but the signature leaves {uncovered} model file(s) out"
            ),
            loadguard_signing::Outcome::Verified { by } => {
                format!("verified: signed by {by}; every signed file matches")
            }
            loadguard_signing::Outcome::Unverifiable { why } => format!("not verified: {why}"),
            loadguard_signing::Outcome::Invalid => "INVALID: see the findings above".to_owned(),
        };
        output::text::render_verification(out, &targets[0], &output::text::Style { color: false })?;
        writeln!(out, "{}: {line}", args.model.display())?;
    }

    out.flush()?;
    Ok(match report.outcome {
        loadguard_signing::Outcome::Verified { .. } if uncovered > 0 => ExitCode::from(1),
        loadguard_signing::Outcome::Verified { .. } => ExitCode::SUCCESS,
        loadguard_signing::Outcome::Invalid => ExitCode::from(1),
        loadguard_signing::Outcome::Unverifiable { .. } => ExitCode::from(2),
    })
}

/// Drops findings of ignored rules and applies severity overrides. Returns
/// how many findings were dropped.
fn apply_rule_config(targets: &mut [scan::Target], cfg: &config::Config) -> usize {
    let ignored: Vec<&str> = cfg
        .rules
        .ignore
        .iter()
        .filter_map(|r| registry::find(r).map(|rule| rule.code))
        .collect();
    let overrides: Vec<(&str, Severity)> = cfg
        .rules
        .severity
        .iter()
        .filter_map(|(r, s)| Some((registry::find(r)?.code, Severity::parse(s)?)))
        .collect();
    let mut dropped = 0;
    for t in targets {
        let before = t.findings.len();
        t.findings.retain(|f| !ignored.contains(&f.rule.code));
        dropped += before - t.findings.len();
        for f in &mut t.findings {
            if let Some((_, s)) = overrides.iter().find(|(c, _)| *c == f.rule.code) {
                f.severity = *s;
            }
        }
    }
    dropped
}
