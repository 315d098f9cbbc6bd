//! `loadguard scan`: options into a scanner, targets into a report.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use loadguard_core::{Severity, Verdict};
use loadguard_pickle::{Limits, Options, Policy};
use loadguard_scan::{ContainerLimits, ScanOptions};

use crate::cli::{Color, FailOn, Format, ScanArgs};
use crate::{config, hub, mcp, output, progress, registry, scan};

/// Everything a scan needs, built once from the arguments and the
/// configuration, then used for every target (the batch mode scans many
/// with one).
pub(crate) struct Session {
    pub(crate) scanner: scan::Scanner,
    cfg: config::Config,
    fail_on: FailOn,
    verify_options: loadguard_signing::VerifyOptions,
    require_signature: bool,
    /// Name of `-` (standard input) in the report.
    stdin_name: String,
    /// Per-target budgets.
    timeout: Option<Duration>,
    max_bytes: Option<u64>,
}

/// What one group of targets came to.
pub(crate) struct Scanned {
    pub(crate) targets: Vec<scan::Target>,
    /// Findings dropped by `rules.ignore`.
    pub(crate) suppressed: usize,
}

impl Session {
    /// Reads the configuration (looking beside `local_paths` only to warn
    /// about one inside a target) and sets up the scanner.
    pub(crate) fn new(args: &ScanArgs, local_paths: &[PathBuf]) -> Result<Self> {
        let cwd = std::env::current_dir().context("reading the working directory")?;
        let loaded = config::load(args.config.as_deref(), args.no_config, &cwd, local_paths)?;
        let cfg = loaded.config;
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
                        max_globals: args.max_globals.or(l.max_globals).unwrap_or(pl.max_globals),
                        max_depth: args.max_depth.or(l.max_depth).unwrap_or(pl.max_depth),
                        max_findings: args
                            .max_findings
                            .or(l.max_findings)
                            .unwrap_or(pl.max_findings),
                        max_opcodes: args.max_opcodes.or(l.max_opcodes).unwrap_or(pl.max_opcodes),
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
                    max_ratio: args.max_ratio.or(l.max_ratio).unwrap_or(cl.max_ratio),
                    max_total_bytes: args
                        .max_artifact_bytes
                        .or(l.max_artifact_bytes)
                        .unwrap_or(cl.max_total_bytes),
                    max_members: args.max_members.or(l.max_members).unwrap_or(cl.max_members),
                    max_time: match args.file_timeout.or(l.file_timeout) {
                        Some(s) => Some(crate::cli::seconds(s).with_context(|| {
                            format!("file-timeout: {s} is not a number of seconds above 0")
                        })?),
                        None => None,
                    },
                    max_in_flight: args
                        .max_decoded_in_flight
                        .or(l.max_decoded_in_flight)
                        .unwrap_or(cl.max_in_flight),
                },
                mcp_lock: args.mcp_lock.as_deref().map(mcp::load_lock).transpose()?,
                documents: loadguard_docs::Limits::default(),
            },
            policy: Policy::with_extra_allowed(allowed),
            hash: args.format == Format::Cyclonedx,
            done: Default::default(),
            total: Default::default(),
        };
        // Signature status of every scanned folder.
        let config_dir = loaded
            .path
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."));
        let verify_options = args.signer.or_config(&cfg, config_dir).options()?;
        let require_signature = args.require_signature || cfg.signature.require == Some(true);
        Ok(Self {
            scanner,
            fail_on,
            verify_options,
            require_signature,
            stdin_name: args
                .stdin_filename
                .clone()
                .unwrap_or_else(|| "-".to_owned()),
            timeout: args.target_timeout.map(Duration::from_secs_f64),
            max_bytes: args.target_max_bytes,
            cfg,
        })
    }

    /// A fresh budget for one target (or for the whole of an ordinary scan).
    pub(crate) fn budget(&self) -> scan::Budget {
        scan::Budget::new(self.timeout, self.max_bytes)
    }

    /// Scans local paths (`-` is standard input) and Hub targets into
    /// per-file targets, with the signature status of every folder and the
    /// configuration's rule settings applied.
    pub(crate) fn scan(
        &self,
        local_paths: &[PathBuf],
        hub_targets: &[String],
        input: &crate::Input,
        budget: &scan::Budget,
        show_progress: bool,
        hub_progress: bool,
    ) -> Result<Scanned> {
        let stdin = Path::new("-");
        let files: Vec<PathBuf> = local_paths
            .iter()
            .filter(|p| p.as_path() != stdin)
            .cloned()
            .collect();
        for p in &files {
            if !p.exists() && p.symlink_metadata().is_err() {
                bail!("{}: no such file or directory", p.display());
            }
        }
        let scanner = &self.scanner;
        let mut targets =
            progress::with_progress(show_progress, &scanner.done, &scanner.total, || {
                scanner.scan_paths(&files, budget)
            });
        if files.len() < local_paths.len() {
            let data = input.read_stdin().context("reading standard input")?;
            targets.push(scanner.scan_bytes(&self.stdin_name, &data));
        }
        targets.extend(hub::scan_targets(
            hub_targets,
            scanner,
            budget,
            hub_progress,
        )?);
        for root in files.iter().filter(|p| p.is_dir()) {
            for (dir, findings) in
                loadguard_signing::statuses(root, &self.verify_options, self.require_signature)
            {
                targets.push(scan::Target::folder(dir.display().to_string(), findings));
            }
        }
        scan::remote_code_beside_models(&mut targets);
        add_campaigns(&mut targets);
        let suppressed = apply_rule_config(&mut targets, &self.cfg);
        Ok(Scanned {
            targets,
            suppressed,
        })
    }

    /// Every repository in the local Hugging Face cache (`--hf-cache`).
    pub(crate) fn scan_cache(&self) -> Scanned {
        let mut targets = hub::scan_cache(&self.scanner);
        let suppressed = apply_rule_config(&mut targets, &self.cfg);
        Scanned {
            targets,
            suppressed,
        }
    }

    /// The exit code for a worst finding and whether something could not be
    /// read: 1 when the finding reaches `--fail-on`, else 2 when something
    /// could not be read, else 0. Also for the records of an earlier run.
    pub(crate) fn code_for(&self, worst: Option<Severity>, error: bool) -> u8 {
        let failed = self
            .fail_on
            .threshold()
            .is_some_and(|t| worst.is_some_and(|w| w >= t));
        if failed {
            1
        } else if error {
            2
        } else {
            0
        }
    }

    /// The exit code for these targets (see [`Session::code_for`]).
    pub(crate) fn exit_code<'a>(&self, targets: impl IntoIterator<Item = &'a scan::Target>) -> u8 {
        let (mut worst, mut error) = (None, false);
        for t in targets {
            worst = worst.max(t.findings.iter().map(|f| f.severity).max());
            error |= t.error.is_some();
        }
        self.code_for(worst, error)
    }
}

pub(crate) fn scan(args: ScanArgs, out: &mut dyn Write, input: &crate::Input) -> Result<u8> {
    if args.targets.is_some() || args.format == Format::Jsonl {
        return crate::batch::run(&args, out, input);
    }
    if args.output.is_some() || args.shard.is_some() || args.per_file {
        bail!("--output, --shard and --per-file go with --targets or --format jsonl");
    }
    let (mut local_paths, hub_targets) = hub::split(&args.paths);
    if args.mcp {
        let cwd = std::env::current_dir().context("reading the working directory")?;
        local_paths.extend(mcp::discovered(&cwd));
    }
    let session = Session::new(&args, &local_paths)?;
    let show_progress = !args.no_progress && !args.quiet && io::stderr().is_terminal();
    let budget = session.budget();
    let mut scanned = session.scan(
        &local_paths,
        &hub_targets,
        input,
        &budget,
        show_progress,
        hub::progress_allowed(args.quiet, args.no_progress),
    )?;
    if args.hf_cache {
        let cache = session.scan_cache();
        scanned.targets.extend(cache.targets);
        scanned.suppressed += cache.suppressed;
    }
    let Scanned {
        targets,
        suppressed,
    } = scanned;
    let verdict = targets
        .iter()
        .map(scan::Target::verdict)
        .max()
        .unwrap_or(Verdict::Safe);
    if !crate::render_machine_format(out, args.format, &targets, verdict)? {
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
    Ok(session.exit_code(&targets))
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

/// One planted passage in several documents of this scan: reported once,
/// on the first file, with every place (`loadguard_docs::campaign`).
fn add_campaigns(targets: &mut [scan::Target]) {
    let mut owner = Vec::new();
    let mut items = Vec::new();
    for (t, target) in targets.iter().enumerate() {
        for f in &target.findings {
            owner.push(t);
            items.push((target.path.as_str(), f));
        }
    }
    let found = loadguard_docs::campaign::campaigns(&items);
    for (item, mut finding) in found {
        finding.location.path = targets[owner[item]].path.clone();
        targets[owner[item]].findings.push(finding);
    }
}
