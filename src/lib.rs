//! The `loadguard` command line as a library: scan AI artifacts before you
//! load them, without running them.
//!
//! The `loadguard` binary and the Python package (its `loadguard` command
//! and `loadguard.scan()`) both call into here: one parser, one code path.
//!
//! Exit codes: 0 no finding at or above `--fail-on`; 1 at least one; 2 the
//! scan could not run or could not read a target.

mod batch;
mod cli;
mod config;
mod hub;
mod mcp;
mod mmap;
mod output;
mod progress;
mod registry;
mod rules;
mod scan;
mod scan_cmd;
mod verify_cmd;

use std::ffi::OsString;
use std::io::{self, Write};

use anyhow::{Context, Result, bail};
use clap::{CommandFactory, Parser};
use loadguard_core::Verdict;

use crate::cli::{Cli, Command, Format, McpCommand};

/// What `-` (standard input) reads.
#[derive(Default)]
pub(crate) struct Input {
    /// Bytes given in memory (the Python API); `None` reads standard input.
    pub(crate) stdin: Option<Vec<u8>>,
}

impl Input {
    pub(crate) fn read_stdin(&self) -> io::Result<Vec<u8>> {
        match &self.stdin {
            Some(b) => Ok(b.clone()),
            None => {
                let mut v = Vec::new();
                io::Read::read_to_end(&mut io::stdin().lock(), &mut v)?;
                Ok(v)
            }
        }
    }
}

/// Runs a command line (program name first) as the `loadguard` binary does:
/// the report on standard output, errors on standard error. Returns the exit
/// code.
pub fn main_from<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return u8::try_from(e.exit_code()).unwrap_or(2);
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = dispatch(cli, &mut out, &Input::default()).and_then(|code| {
        out.flush().context("writing the report")?;
        Ok(code)
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`loadguard scan . | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<io::Error>()
                    .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            }) {
                return 0;
            }
            let _ = writeln!(io::stderr(), "loadguard: error: {e:#}");
            2
        }
    }
}

/// A command run with its output captured (the Python API).
#[derive(Debug)]
pub struct Captured {
    /// The exit code the command would have had.
    pub code: u8,
    /// What it wrote to standard output.
    pub stdout: Vec<u8>,
}

/// Runs a command line with standard output captured and, when `stdin` is
/// given, `-` reading those bytes. A command that cannot run (bad
/// arguments, missing target) is an `Err` with the message the binary
/// would print.
pub fn run_captured<I, T>(args: I, stdin: Option<Vec<u8>>) -> Result<Captured, String>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = Cli::try_parse_from(args).map_err(|e| e.render().to_string())?;
    let mut out = Vec::new();
    let code = dispatch(cli, &mut out, &Input { stdin }).map_err(|e| format!("{e:#}"))?;
    Ok(Captured { code, stdout: out })
}

fn dispatch(cli: Cli, out: &mut dyn Write, input: &Input) -> Result<u8> {
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
            Ok(0)
        }
        Command::Explain { rule } => {
            let Some(r) = registry::find(&rule) else {
                bail!("no rule named {rule:?}; `loadguard rules` lists them");
            };
            out.write_all(registry::page(r).as_bytes())?;
            out.flush()?;
            Ok(0)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "loadguard", out);
            out.flush()?;
            Ok(0)
        }
        Command::GenerateDocs { out: dir } => {
            registry::write_docs(&dir)?;
            Ok(0)
        }
        Command::Scan(args) => scan_cmd::scan(*args, out, input),
        Command::Verify(args) => verify_cmd::verify(args, out),
        Command::Mcp {
            command: McpCommand::Pin { paths, lock },
        } => {
            mcp::pin(&paths, &lock, out)?;
            out.flush()?;
            Ok(0)
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
            Ok(0)
        }
    }
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
        Format::Jsonl => {
            let target = targets.first().map_or("", |t| t.path.as_str());
            output::jsonl::write_records(out, target, targets, None, 0.0, false)?;
        }
        Format::Text => return Ok(false),
    }
    Ok(true)
}
