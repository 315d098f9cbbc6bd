//! `loadguard verify`: an OpenSSF Model Signing signature, offline.

use std::io::Write;

use anyhow::{Result, bail};
use loadguard_core::{Severity, Verdict};

use crate::cli::VerifyArgs;
use crate::{output, scan};

pub(crate) fn verify(args: VerifyArgs, out: &mut dyn Write) -> Result<u8> {
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
    let targets = vec![scan::Target::folder(
        args.model.display().to_string(),
        report.findings,
    )];
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
    if !crate::render_machine_format(out, args.format, &targets, verdict)? {
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
        loadguard_signing::Outcome::Verified { .. } if uncovered > 0 => 1,
        loadguard_signing::Outcome::Verified { .. } => 0,
        loadguard_signing::Outcome::Invalid => 1,
        loadguard_signing::Outcome::Unverifiable { .. } => 2,
    })
}
