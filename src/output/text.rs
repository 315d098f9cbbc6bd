//! The terminal report: one block per target that has something to say, then
//! a verdict line.

use std::io::{self, Write};

use loadguard_core::{Severity, Verdict};

use crate::scan::Target;

pub(crate) struct Style {
    pub(crate) color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.paint(code, &format!("{:<8}", s.as_str()))
    }

    fn verdict(&self, v: Verdict) -> String {
        let code = match v {
            Verdict::Safe => "32",
            Verdict::NotScanned => "35",
            Verdict::Review => "33",
            Verdict::NotSafe => "1;31",
        };
        self.paint(code, v.headline())
    }
}

/// Text from the artifact can contain anything: keep it on one line and
/// free of terminal escapes.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

pub(crate) fn render(
    out: &mut dyn Write,
    targets: &[Target],
    verdict: Verdict,
    style: &Style,
    quiet: bool,
) -> io::Result<()> {
    for t in targets {
        let v = t.verdict();
        let shown: Vec<_> = t
            .findings
            .iter()
            // Info is hidden, except provenance: who signed the folder.
            .filter(|f| f.severity > Severity::Info || f.rule.code == "SIG005")
            .collect();
        let what = match t.format {
            loadguard_scan::Format::Unsupported(reason) => reason,
            f => f.name(),
        };
        if quiet && v <= Verdict::NotScanned {
            continue;
        }
        if shown.is_empty() && t.error.is_none() && v <= Verdict::NotScanned {
            writeln!(out, "{}: {} ({what})", clean(&t.path), style.verdict(v))?;
            continue;
        }
        writeln!(
            out,
            "{}: {} ({}, {} finding{})",
            clean(&t.path),
            style.verdict(v),
            what,
            shown.len(),
            if shown.len() == 1 { "" } else { "s" }
        )?;
        if let Some(e) = &t.error {
            writeln!(out, "  error: {}", clean(e))?;
        }
        for f in shown {
            finding(out, f, style)?;
        }
    }
    let (mut not_safe, mut review, mut not_scanned, mut safe) = (0, 0, 0, 0);
    for t in targets {
        match t.verdict() {
            Verdict::NotSafe => not_safe += 1,
            Verdict::Review => review += 1,
            Verdict::NotScanned => not_scanned += 1,
            Verdict::Safe => safe += 1,
        }
    }
    let not_scanned = if not_scanned > 0 {
        format!(" {not_scanned} not scanned,")
    } else {
        String::new()
    };
    writeln!(
        out,
        "\n{} file{}: {not_safe} not safe, {review} to review,{not_scanned} {safe} safe. Verdict: {}",
        targets.len(),
        if targets.len() == 1 { "" } else { "s" },
        style.verdict(verdict)
    )
}

/// One finding: severity, rule, where, then the message.
fn finding(out: &mut dyn Write, f: &loadguard_core::Finding, style: &Style) -> io::Result<()> {
    let mut at = String::new();
    if let Some(m) = f.location.member_path() {
        at.push_str(&format!("{} ", clean(&m)));
    }
    if let Some(l) = &f.location.logical {
        at.push_str(&format!("[{}] ", clean(l)));
    }
    match (f.location.line, f.location.column) {
        (Some(l), Some(c)) => at.push_str(&format!("line {l}, column {c} ")),
        (Some(l), None) => at.push_str(&format!("line {l} ")),
        _ => {}
    }
    if let Some(o) = f.location.offset {
        at.push_str(&format!("offset {o}"));
    }
    if let Some(op) = f.location.opcode {
        at.push_str(&format!(" {op}"));
    }
    if let Some(s) = f.location.stream.filter(|s| *s > 0) {
        at.push_str(&format!(" stream {s}"));
    }
    let count = if f.occurrences > 1 {
        format!(" (x{})", f.occurrences)
    } else {
        String::new()
    };
    writeln!(
        out,
        "  {} {} {}  {}{count}",
        style.severity(f.severity),
        f.rule.code,
        f.rule.name,
        at.trim()
    )?;
    writeln!(out, "           {}", clean(&f.message))
}

/// `loadguard verify`: the findings about the signature (the outcome line
/// that follows says who signed), without a scan summary.
pub(crate) fn render_verification(
    out: &mut dyn Write,
    target: &Target,
    style: &Style,
) -> io::Result<()> {
    for f in target.findings.iter().filter(|f| f.rule.code != "SIG005") {
        finding(out, f, style)?;
    }
    Ok(())
}
