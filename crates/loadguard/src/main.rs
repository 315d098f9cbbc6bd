//! `loadguard`: scan AI artifacts before you load them, without running them.
//!
//! Exit codes: 0 no finding at or above `--fail-on`; 1 at least one; 2 the
//! scan could not run or could not read a target.

mod mmap;
mod output;
mod registry;
mod rules;
mod scan;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
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
    Scan(ScanArgs),
    /// List every rule.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// Rule code (PKL101) or name (pickle-command-execution).
        rule: String,
    },
}

#[derive(Parser)]
struct ScanArgs {
    /// Files or folders to scan.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit 1 when a finding reaches this severity.
    #[arg(long, value_enum, default_value_t = FailOn::High)]
    fail_on: FailOn,
    /// Treat unknown callables that a pickle invokes as high (fails the default --fail-on).
    #[arg(long)]
    strict: bool,
    /// Only print targets that are not safe to load, and the verdict line.
    #[arg(long, short)]
    quiet: bool,
    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Exact callable names to allow in pickles (`module.qualname`), in addition to the built-in list.
    #[arg(long = "allow-global", value_name = "NAME")]
    allow_global: Vec<String>,
    /// Maximum values on the pickle stack.
    #[arg(long, default_value_t = Limits::default().max_stack)]
    max_stack: usize,
    /// Maximum open MARKs.
    #[arg(long, default_value_t = Limits::default().max_marks)]
    max_marks: usize,
    /// Maximum memo entries per stream.
    #[arg(long, default_value_t = Limits::default().max_memo)]
    max_memo: usize,
    /// Maximum depth of pickles nested in pickles.
    #[arg(long, default_value_t = Limits::default().max_depth)]
    max_depth: u32,
    /// Maximum nesting of containers (zip in tar in gzip...).
    #[arg(long, default_value_t = ContainerLimits::default().max_depth)]
    max_container_depth: u32,
    /// Maximum decompressed bytes of one archive member or compressed stream.
    #[arg(long, default_value_t = ContainerLimits::default().max_member_bytes)]
    max_member_bytes: u64,
    /// Maximum findings per file.
    #[arg(long, default_value_t = Limits::default().max_findings)]
    max_findings: usize,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
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
                    "{:<7} {:<28} {:<8} {:<8} {}",
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
            writeln!(out, "# {} {}\n", r.code, r.name)?;
            writeln!(
                out,
                "Severity: {}. Confidence: {}. {}.\n",
                r.severity,
                r.confidence,
                r.cwe_id()
            )?;
            for line in r.docs.lines() {
                writeln!(out, "{}", line.strip_prefix(' ').unwrap_or(line))?;
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Scan(args) => scan(args, &mut out),
    }
}

fn scan(args: ScanArgs, out: &mut dyn Write) -> Result<ExitCode> {
    for p in &args.paths {
        if !p.exists() && p.symlink_metadata().is_err() {
            bail!("{}: no such file or directory", p.display());
        }
    }
    for name in &args.allow_global {
        if !name.contains('.') || name.contains('*') {
            bail!("--allow-global takes an exact `module.qualname`, not {name:?}");
        }
    }
    let scanner = scan::Scanner {
        options: ScanOptions {
            pickle: Options {
                limits: Limits {
                    max_stack: args.max_stack,
                    max_marks: args.max_marks,
                    max_memo: args.max_memo,
                    max_depth: args.max_depth,
                    max_findings: args.max_findings,
                    ..Limits::default()
                },
                strict: args.strict,
                ..Options::default()
            },
            limits: ContainerLimits {
                max_depth: args.max_container_depth,
                max_member_bytes: args.max_member_bytes,
                ..ContainerLimits::default()
            },
        },
        policy: Policy::with_extra_allowed(args.allow_global.iter().map(String::as_str)),
    };
    let targets = scanner.scan_paths(&args.paths);
    let verdict = targets
        .iter()
        .map(scan::Target::verdict)
        .max()
        .unwrap_or(Verdict::Safe);
    match args.format {
        Format::Json => output::json::render(out, &targets, verdict)?,
        Format::Text => {
            let color = match args.color {
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
        }
    }
    out.flush().context("writing the report")?;
    let failed = args.fail_on.threshold().is_some_and(|t| {
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
