//! The command line's arguments (clap).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use loadguard_core::Severity;

#[derive(Parser)]
#[command(
    name = "loadguard",
    version,
    about = "Scan AI artifacts before you load them, without running them"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
pub(crate) enum McpCommand {
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
pub(crate) struct SignerArgs {
    /// The signer's public key (PEM; text before the PEM block is fine).
    #[arg(long, value_name = "PUB.pem")]
    pub(crate) key: Option<PathBuf>,
    /// Trust anchors (PEM certificates) for certificate signatures.
    #[arg(long, value_name = "CA.pem")]
    pub(crate) certificate_chain: Option<PathBuf>,
    /// Sigstore keyless: the signer's identity (certificate SAN: email or URI).
    #[arg(long, value_name = "EMAIL|URI")]
    pub(crate) identity: Option<String>,
    /// Sigstore keyless: the OIDC issuer that vouched for the identity.
    #[arg(long, value_name = "URL")]
    pub(crate) issuer: Option<String>,
    /// Sigstore trusted_root.json to verify keyless signatures against [default: built-in public-good root].
    #[arg(long, value_name = "FILE")]
    pub(crate) trust_root: Option<PathBuf>,
    /// Largest model.sig to read [default: 64 MiB].
    #[arg(long, value_name = "BYTES")]
    pub(crate) max_signature_bytes: Option<u64>,
}

impl SignerArgs {
    /// Flags win; what they leave unset comes from the configuration (the
    /// `[signature]` table and `[limits] max-signature-bytes`), with its
    /// paths taken relative to the configuration file.
    pub(crate) fn or_config(&self, config: &crate::config::Config, base: &std::path::Path) -> Self {
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

    pub(crate) fn options(&self) -> Result<loadguard_signing::VerifyOptions> {
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
pub(crate) struct VerifyArgs {
    /// The model: a folder, or a single file with model.sig beside it.
    pub(crate) model: PathBuf,
    #[command(flatten)]
    pub(crate) signer: SignerArgs,
    /// The signature file [default: model.sig in or beside the model].
    #[arg(long, value_name = "FILE")]
    pub(crate) signature: Option<PathBuf>,
    /// Paths to leave out of the comparison, relative to the model.
    #[arg(long = "ignore-paths", value_name = "PATH")]
    pub(crate) ignore_paths: Vec<PathBuf>,
    /// Compare .git, .gitattributes, .github and .gitignore too.
    #[arg(long)]
    pub(crate) no_ignore_git_paths: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
}

#[derive(Parser)]
pub(crate) struct ScanArgs {
    /// Files or folders to scan, or Hugging Face repositories
    /// (`hf:org/name[@revision]`, `hf:datasets/...`, a Hub URL); `-` reads
    /// standard input.
    #[arg(required_unless_present_any = ["hf_cache", "mcp", "targets"])]
    pub(crate) paths: Vec<PathBuf>,
    /// Name to give `-` (standard input) in the report and to detect its
    /// format by (e.g. `model.pt`).
    #[arg(long, value_name = "NAME")]
    pub(crate) stdin_filename: Option<String>,
    /// Batch mode: read targets from FILE (`-`: standard input), one per
    /// line (paths, `hf:` ids, Hub URLs; blank lines and lines starting with
    /// `#` are skipped), and write one JSON Lines record per target
    /// (docs/batch.md).
    #[arg(long, value_name = "FILE")]
    pub(crate) targets: Option<PathBuf>,
    /// Write the JSON Lines report here. Records already in the file are
    /// kept and their targets skipped (an interrupted run resumes); new
    /// records are appended.
    #[arg(long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// With `--format jsonl`: one record per file (per document of a corpus)
    /// instead of one per target; a target's records are written together
    /// when it is done.
    #[arg(long)]
    pub(crate) per_file: bool,
    /// Scan only shard I of N (0-based, `--shard 0/4`): a target belongs to
    /// one shard by a hash of its text, so N runs cover every target once.
    #[arg(long, value_name = "I/N", value_parser = crate::batch::parse_shard)]
    pub(crate) shard: Option<(u64, u64)>,
    /// Targets scanned at the same time in batch mode [default: the number
    /// of CPUs].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) jobs: Option<u16>,
    /// Time budget per target, in seconds (checked before each file; the
    /// files left are reported as LG003). For an ordinary scan, the whole
    /// scan is one target.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub(crate) target_timeout: Option<f64>,
    /// Byte budget per target: bytes read from disk, or downloaded from the
    /// Hub (the files left are reported as LG003).
    #[arg(long, value_name = "BYTES")]
    pub(crate) target_max_bytes: Option<u64>,
    /// Also scan every MCP client config on this machine (Claude, Cursor,
    /// VS Code, Windsurf, Gemini, Codex, Zed, Continue, Cline, Roo, Kiro,
    /// opencode, Goose, Amazon Q, LM Studio) and the project configs under
    /// the working directory.
    #[arg(long)]
    pub(crate) mcp: bool,
    /// Compare MCP tools with the pins of this lock file (`loadguard mcp pin`).
    #[arg(long, value_name = "FILE")]
    pub(crate) mcp_lock: Option<PathBuf>,
    /// Scan every repository in the local Hugging Face cache
    /// (`$HF_HUB_CACHE`, or `$HF_HOME/hub`).
    #[arg(long)]
    pub(crate) hf_cache: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Exit 1 when a finding reaches this severity [default: high, or the config's].
    #[arg(long, value_enum)]
    pub(crate) fail_on: Option<FailOn>,
    /// Treat unknown callables that a pickle invokes as high (fails the default --fail-on).
    #[arg(long)]
    pub(crate) strict: bool,
    /// Only print targets that are not safe to load, and the verdict line.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub(crate) color: Color,
    /// Same as --color never.
    #[arg(long)]
    pub(crate) no_color: bool,
    /// No progress line on stderr.
    #[arg(long)]
    pub(crate) no_progress: bool,
    /// Configuration file to use (also one inside a scanned target).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Do not look for loadguard.toml or [tool.loadguard] in pyproject.toml.
    #[arg(long, conflicts_with = "config")]
    pub(crate) no_config: bool,
    /// Exact callable names to allow in pickles (`module.qualname`), in addition to the built-in list.
    #[arg(long = "allow-global", value_name = "NAME")]
    pub(crate) allow_global: Vec<String>,
    #[command(flatten)]
    pub(crate) signer: SignerArgs,
    /// Report a scanned folder without model.sig as high (default: low).
    #[arg(long)]
    pub(crate) require_signature: bool,
    /// Maximum values on the pickle stack.
    #[arg(long)]
    pub(crate) max_stack: Option<usize>,
    /// Maximum open MARKs.
    #[arg(long)]
    pub(crate) max_marks: Option<usize>,
    /// Maximum memo entries per stream.
    #[arg(long)]
    pub(crate) max_memo: Option<usize>,
    /// Maximum distinct globals kept per pickle stream (later ones are still
    /// judged, and share one entry per verdict).
    #[arg(long)]
    pub(crate) max_globals: Option<usize>,
    /// Maximum depth of pickles nested in pickles.
    #[arg(long)]
    pub(crate) max_depth: Option<u32>,
    /// Maximum findings per file.
    #[arg(long)]
    pub(crate) max_findings: Option<usize>,
    /// Maximum nesting of containers (zip in tar in gzip...).
    #[arg(long)]
    pub(crate) max_container_depth: Option<u32>,
    /// Maximum decompressed bytes of one archive member or compressed stream.
    #[arg(long)]
    pub(crate) max_member_bytes: Option<u64>,
    /// Time to scan one file (or one artifact of a Hub repository); past
    /// it, what is left of the file is not scanned (ARC005, PKL008).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub(crate) file_timeout: Option<f64>,
    /// Maximum pickle opcodes per stream (default 4,294,967,296); past it
    /// the rest of the data is not scanned (PKL008).
    #[arg(long)]
    pub(crate) max_opcodes: Option<u64>,
    /// Maximum decompressed size over compressed size of a member or stream,
    /// judged as it decodes beyond its first MiB (default 1000).
    #[arg(long)]
    pub(crate) max_ratio: Option<u64>,
    /// Maximum bytes read or decompressed for one artifact, all members
    /// together (default 32 GiB).
    #[arg(long)]
    pub(crate) max_artifact_bytes: Option<u64>,
    /// Maximum members listed per archive (default 1,000,000).
    #[arg(long)]
    pub(crate) max_members: Option<usize>,
    /// Decoded bytes all parallel scans may hold at once (default 2 GiB);
    /// past it, a decoder waits unless its thread holds the most.
    #[arg(long)]
    pub(crate) max_decoded_in_flight: Option<u64>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
    Sarif,
    Github,
    Cyclonedx,
    /// One JSON object per line and per target (docs/batch.md).
    Jsonl,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum FailOn {
    Info,
    Low,
    Medium,
    High,
    Critical,
    Never,
}

impl FailOn {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        <Self as ValueEnum>::from_str(s, true).ok()
    }

    pub(crate) fn threshold(self) -> Option<Severity> {
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
pub(crate) enum Color {
    Auto,
    Always,
    Never,
}

fn read_optional(path: Option<&std::path::Path>) -> Result<Option<String>> {
    path.map(|p| std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display())))
        .transpose()
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .and_then(seconds)
        .map(|d| d.as_secs_f64())
        .ok_or_else(|| format!("{s:?} is not a number of seconds above 0"))
}

/// A number of seconds as flags and `loadguard.toml` take it: finite, above
/// 0, under 10^9.
pub(crate) fn seconds(v: f64) -> Option<Duration> {
    (v.is_finite() && v > 0.0 && v < 1e9).then(|| Duration::from_secs_f64(v))
}
