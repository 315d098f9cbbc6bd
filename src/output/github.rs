//! GitHub workflow-command annotations (`::error file=...::message`).
//!
//! Member names, callables and messages come from the scanned artifact, so
//! everything is escaped: a newline or `::` in a zip member name must not
//! start a workflow command of its own (`::add-mask::`, `::set-output`...).

use std::io::{self, Write};

use loadguard_core::Severity;

use crate::scan::Target;

/// Escaping for the message part.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping for `key=value` properties: also `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "notice",
    }
}

pub(crate) fn render(out: &mut dyn Write, targets: &[Target]) -> io::Result<()> {
    for t in targets {
        if let Some(e) = &t.error {
            writeln!(
                out,
                "::error file={},title={}::{}",
                escape_property(&t.path),
                escape_property("loadguard: unreadable"),
                escape_data(e)
            )?;
        }
        for f in &t.findings {
            let mut where_ = String::new();
            if let Some(m) = f.location.member_path() {
                where_.push_str(&format!(" [{m}"));
                if let Some(o) = f.location.offset {
                    where_.push_str(&format!(" offset {o}"));
                }
                where_.push(']');
            } else if let Some(o) = f.location.offset {
                where_.push_str(&format!(" [offset {o}]"));
            }
            let title = format!("{} {} ({})", f.rule.code, f.rule.name, f.severity);
            writeln!(
                out,
                "::{} file={},title={}::{}",
                command(f.severity),
                escape_property(&f.location.path),
                escape_property(&title),
                escape_data(&format!("{}{where_}", f.message))
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_cannot_start_a_command() {
        let hostile = "a.pkl\n::add-mask::secret,title=x:y%";
        let p = escape_property(hostile);
        assert!(!p.contains('\n') && !p.contains("::") && !p.contains(','));
        assert_eq!(
            escape_data("50%\r\n::warning::x"),
            "50%25%0D%0A::warning::x"
        );
        assert!(!escape_data("x\n::error::y").contains('\n'));
    }
}
