//! One engine for text that agents read: model cards, metadata strings,
//! config fields, chat templates. Every text source calls [`scan_text`] (or
//! [`scan_card`] for markdown cards), with the place the text came from, and
//! gets findings with line and column. No I/O.
#![forbid(unsafe_code)]

pub mod rules;

use loadguard_core::{Finding, Location, Rule, Severity};

/// What kind of text it is: it decides which rules apply and how code is
/// recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Markdown (model cards): fenced and inline code are code; HTML comments
    /// and hidden elements are hidden markup.
    Markdown,
    /// A metadata value or config field: plain text, no code blocks.
    Metadata,
    /// A chat template: role markers are its job, not an injection.
    Template,
    /// A document a retrieval pipeline ingests (web page, report, email,
    /// dataset row): plain text like [`Kind::Metadata`], but a line that
    /// starts with `System:` is a label (spec sheets, forms), only chat
    /// tokens are role markers, and a mention of credentials is ordinary
    /// documentation (low) unless another rule sees them sent somewhere.
    Document,
}

/// A region of text with its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Region {
    Prose,
    Code,
    Hidden,
}

/// Scans one text. `logical` names where it came from (a metadata key, a
/// config field); it is put in every finding's location.
pub fn scan_text(text: &str, kind: Kind, logical: Option<&str>) -> Vec<Finding> {
    let mut out = Vec::new();
    // The phrase rules read the text the way a model does: without the
    // invisible characters, which would otherwise split "ig\u{200B}nore"
    // into two words and hide the phrase (columns after one shift by it).
    let cleaned;
    let text = if text.is_ascii() {
        text
    } else {
        characters(text, logical, &mut out);
        cleaned = text
            .chars()
            .filter(|&c| !is_invisible(c) && !is_tag(c))
            .collect::<String>();
        cleaned.as_str()
    };
    let regions = regions(text, kind);
    let lines = line_starts(text);
    for &(start, end, region) in &regions {
        let chunk = &text[start..end];
        phrases(text, &lines, start, chunk, region, kind, logical, &mut out);
    }
    if text.contains("://") || text.contains("](") {
        urls(text, &lines, &regions, logical, &mut out);
    }
    out
}

/// Scans a model card: front matter checks, then the markdown body.
pub fn scan_card(text: &str) -> Vec<Finding> {
    let mut out = front_matter(text);
    out.extend(scan_text(text, Kind::Markdown, None));
    out
}

/// Scans `config.json` / `tokenizer_config.json`: `auto_map` means custom
/// code, and every string value goes through the text rules.
pub fn scan_config_json(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let lines = line_starts(text);
    let (strings, keys) = json_strings(text);
    if let Some(at) = keys
        .iter()
        .find(|(k, _)| k == "auto_map")
        .map(|(_, at)| *at)
    {
        let (line, column) = position(text, &lines, at);
        out.push(
            Finding::builder(
                &rules::remote_code::RULE,
                "`auto_map` names classes defined in this repository's Python files: trust_remote_code=True imports them".to_owned(),
            )
            .at(Location::default().with_logical("auto_map").with_line_column(line, column))
            .build(),
        );
    }
    for (key, value, at) in strings {
        if value.len() < 8 || key == "chat_template" && value.contains("{%") {
            // Short values cannot carry instructions; templates are
            // checked as templates by their own scanner (the container
            // layer hands them to it).
            continue;
        }
        let (line, column) = position(text, &lines, at);
        for mut f in scan_text(&value, Kind::Metadata, Some(&key)) {
            f.location.line = Some(line);
            f.location.column = Some(column);
            out.push(f);
        }
    }
    out
}

// ---- characters -------------------------------------------------------------------

fn is_tag(c: char) -> bool {
    ('\u{E0000}'..='\u{E007F}').contains(&c)
}

fn is_emoji_like(c: char) -> bool {
    matches!(c as u32, 0x2190..=0x2BFF | 0x1F000..=0x1FAFF | 0xFE0F | 0x20E3)
}

fn is_complex_script(c: char) -> bool {
    // Indic, Arabic/Persian, Sinhala, Myanmar, Khmer: scripts that use ZWJ/ZWNJ.
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0x0900..=0x0DFF | 0x1000..=0x109F | 0x1780..=0x17FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

/// Whether an invisible character is one that text legitimately needs here.
fn legitimate(c: char, prev: Option<char>, next: Option<char>) -> bool {
    match c {
        '\u{200D}' => {
            prev.is_some_and(|p| is_emoji_like(p) || is_complex_script(p))
                && next.is_some_and(|n| is_emoji_like(n) || is_complex_script(n))
        }
        '\u{200C}' => prev.is_some_and(is_complex_script) || next.is_some_and(is_complex_script),
        '\u{FE0E}' | '\u{FE0F}' => prev.is_some_and(|p| {
            is_emoji_like(p) || p.is_ascii_digit() || p == '#' || p == '*' || !p.is_ascii()
        }),
        '\u{FEFF}' => prev.is_none(),
        _ => false,
    }
}

fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x200B..=0x200D | 0x2060..=0x2064 | 0xFEFF | 0x180E | 0x202A..=0x202E | 0x2066..=0x2069
        | 0xFE00..=0xFE0F | 0xE0100..=0xE01EF | 0x00AD)
}

fn characters(text: &str, logical: Option<&str>, out: &mut Vec<Finding>) {
    let chars: Vec<char> = text.chars().collect();
    let (mut line, mut col) = (1u32, 1u32);
    let mut i = 0;
    let mut tag_run: Option<(u32, u32, String)> = None;
    let mut invisible: Option<(u32, u32, Vec<u32>, usize)> = None;
    while i < chars.len() {
        let c = chars[i];
        if is_tag(c) {
            let run = tag_run.get_or_insert((line, col, String::new()));
            let v = c as u32 - 0xE0000;
            if (0x20..0x7F).contains(&v) {
                run.2.push(char::from_u32(v).unwrap_or('?'));
            }
        } else if let Some(run) = tag_run.take() {
            report_tag_run(out, logical, run);
        }
        if is_invisible(c)
            && !legitimate(
                c,
                i.checked_sub(1).map(|j| chars[j]),
                chars.get(i + 1).copied(),
            )
        {
            let entry = invisible.get_or_insert((line, col, Vec::new(), 0));
            if entry.2.len() < 8 {
                entry.2.push(c as u32);
            }
            entry.3 += 1;
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
        i += 1;
    }
    if let Some(run) = tag_run {
        report_tag_run(out, logical, run);
    }
    if let Some((l, co, points, count)) = invisible {
        let shown: Vec<String> = points.iter().map(|p| format!("U+{p:04X}")).collect();
        let bidi = points
            .iter()
            .any(|p| matches!(p, 0x202A..=0x202E | 0x2066..=0x2069));
        // Fewer than four zero-width characters cannot spell a message
        // (word-break hints that CMSes and docs generators insert).
        let few = count < 4;
        push(
            out,
            &rules::invisible_characters::RULE,
            if bidi {
                Some(Severity::High)
            } else if few {
                Some(Severity::Low)
            } else {
                None
            },
            logical,
            l,
            co,
            format!(
                "{count} invisible or reordering character(s), first {}",
                shown.join(" ")
            ),
        );
    }
}

/// A run of tag characters, shown as the ASCII text it spells.
fn report_tag_run(
    out: &mut Vec<Finding>,
    logical: Option<&str>,
    (line, column, hidden): (u32, u32, String),
) {
    push(
        out,
        &rules::tag_characters::RULE,
        None,
        logical,
        line,
        column,
        format!("hidden tag-character text: {hidden:?}"),
    );
}

fn push(
    out: &mut Vec<Finding>,
    rule: &'static Rule,
    severity: Option<Severity>,
    logical: Option<&str>,
    line: u32,
    column: u32,
    message: String,
) {
    let mut location = Location::default().with_line_column(line, column);
    if let Some(l) = logical {
        location = location.with_logical(l.to_owned());
    }
    let mut b = Finding::builder(rule, message);
    if let Some(s) = severity {
        b = b.severity(s);
    }
    out.push(b.at(location).build());
}

// ---- regions: code, hidden markup, prose ------------------------------------------

fn regions(text: &str, kind: Kind) -> Vec<(usize, usize, Region)> {
    if kind != Kind::Markdown {
        return vec![(0, text.len(), Region::Prose)];
    }
    let mut marks: Vec<(usize, usize, Region)> = Vec::new();
    // Fenced code blocks.
    let mut offset = 0;
    let mut fence: Option<(usize, &str)> = None;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        match fence {
            None if t.starts_with("```") || t.starts_with("~~~") => fence = Some((offset, &t[..3])),
            Some((start, f)) if t.starts_with(f) => {
                marks.push((start, offset + line.len(), Region::Code));
                fence = None;
            }
            _ => {}
        }
        offset += line.len();
    }
    if let Some((start, _)) = fence {
        marks.push((start, text.len(), Region::Code));
    }
    let in_code = |i: usize, marks: &[(usize, usize, Region)]| {
        marks
            .iter()
            .any(|(s, e, r)| *r == Region::Code && (*s..*e).contains(&i))
    };
    // HTML comments, markdown reference comments, hidden elements.
    let mut hidden = Vec::new();
    let mut i = 0;
    while let Some(p) = text[i..].find("<!--") {
        let s = i + p;
        let e = text[s..].find("-->").map_or(text.len(), |q| s + q + 3);
        if !in_code(s, &marks) {
            hidden.push((s, e, Region::Hidden));
        }
        i = e;
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if (t.starts_with("[//]: #") || t.starts_with("[comment]: #")) && !in_code(offset, &marks) {
            hidden.push((offset, offset + line.len(), Region::Hidden));
        }
        offset += line.len();
    }
    let lower = text.to_ascii_lowercase();
    for needle in [
        "display:none",
        "display: none",
        "visibility:hidden",
        "visibility: hidden",
        "font-size:0",
        "font-size: 0",
        " hidden>",
        " hidden ",
    ] {
        let mut from = 0;
        while let Some(p) = lower[from..].find(needle) {
            let at = from + p;
            // The element: from its '<' to the end of its closing tag.
            if let Some(open) = lower[..at].rfind('<') {
                let tag: String = lower[open + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                let close = format!("</{tag}>");
                let end = lower[at..]
                    .find(&close)
                    .map_or_else(|| (at + 200).min(text.len()), |q| at + q + close.len());
                if !tag.is_empty() && !in_code(open, &marks) && text.is_char_boundary(end) {
                    hidden.push((open, end, Region::Hidden));
                }
            }
            from = at + needle.len();
        }
    }
    marks.extend(hidden);
    marks.sort_unstable();
    // Prose is what is left.
    let mut out = Vec::new();
    let mut cursor = 0;
    for (s, e, r) in marks {
        if s < cursor {
            continue;
        }
        if s > cursor {
            out.push((cursor, s, Region::Prose));
        }
        out.push((s, e, r));
        cursor = e;
    }
    if cursor < text.len() {
        out.push((cursor, text.len(), Region::Prose));
    }
    out.retain(|(s, e, _)| text.is_char_boundary(*s) && text.is_char_boundary(*e));
    out
}

/// Where lines start, and the last column found: a column is counted in
/// characters from the line's start, so a text of one long line with many
/// findings would cost their number times its length; counting on from
/// the last place asked for on the same line keeps it linear.
struct Lines {
    starts: Vec<usize>,
    /// (byte offset, its 1-based column) of the last position asked for.
    last: std::cell::Cell<(usize, usize)>,
}

fn line_starts(text: &str) -> Lines {
    Lines {
        starts: std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
        last: std::cell::Cell::new((0, 1)),
    }
}

fn position(text: &str, lines: &Lines, at: usize) -> (u32, u32) {
    let at = at.min(text.len());
    let idx = lines.starts.partition_point(|&s| s <= at).saturating_sub(1);
    let line_start = lines.starts[idx];
    let (from, column) = match lines.last.get() {
        (b, c) if b >= line_start && b <= at && text.is_char_boundary(b) => (b, c),
        _ => (line_start, 1),
    };
    let col = column + text.get(from..at).map_or(0, |s| s.chars().count());
    lines.last.set((at, col));
    ((idx + 1) as u32, col as u32)
}

// ---- phrases ------------------------------------------------------------------------

const OVERRIDES: &[&[&str]] = &[
    &["ignore", "previous", "instructions"],
    &["ignore", "all", "previous", "instructions"],
    &["ignore", "all", "prior", "instructions"],
    &["ignore", "prior", "instructions"],
    &["ignore", "the", "above"],
    &["ignore", "all", "above"],
    &["ignore", "your", "instructions"],
    &["disregard", "previous"],
    &["disregard", "all", "previous"],
    &["disregard", "the", "above"],
    &["disregard", "your", "instructions"],
    &["forget", "your", "instructions"],
    &["forget", "all", "previous"],
    &["forget", "previous", "instructions"],
    &["your", "new", "instructions"],
    &["reveal", "the", "system", "prompt"],
    &["reveal", "your", "system", "prompt"],
    &["print", "your", "system", "prompt"],
    &["system", "override"],
    &["instead", "of", "answering"],
    &["instead", "of", "summarizing"],
    &["instead", "of", "summarising"],
    &["these", "new", "instructions"],
    &["new", "instructions", "are"],
    &["new", "instructions", "follow"],
    &["override", "your", "instructions"],
    &["override", "the", "system", "prompt"],
    &["you", "are", "now", "in"],
    &["you", "are", "now", "a"],
    &["you", "are", "now", "an"],
];

const SECRECY: &[&[&str]] = &[
    &["do", "not", "tell", "the", "user"],
    &["don't", "tell", "the", "user"],
    &["dont", "tell", "the", "user"],
    &["without", "telling", "the", "user"],
    &["without", "informing", "the", "user"],
    &["do", "not", "mention", "this"],
    &["don't", "mention", "this"],
    &["keep", "this", "secret"],
    &["do", "not", "reveal", "this"],
    &["hide", "this", "from", "the", "user"],
    &["user", "must", "not", "know"],
    &["never", "tell", "the", "user"],
    &["do", "not", "mention", "that"],
    &["don't", "mention", "that"],
    &["do", "not", "inform", "the", "user"],
    &["do", "not", "notify", "the", "user"],
    &["without", "the", "user", "knowing"],
    &["do", "not", "let", "the", "user", "know"],
    &["don't", "let", "the", "user", "know"],
    &["never", "mention", "that"],
    &["never", "mention", "this"],
];

struct Matchers {
    triggers: aho_corasick::AhoCorasick,
    addressees: aho_corasick::AhoCorasick,
    actions: aho_corasick::AhoCorasick,
    document_actions: aho_corasick::AhoCorasick,
}

/// One automaton per word list, built once: a line is searched for all of
/// a list's words in one pass.
fn matchers() -> &'static Matchers {
    static M: std::sync::OnceLock<Matchers> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        let build = |words: &[&str]| {
            aho_corasick::AhoCorasick::new(words)
                .unwrap_or_else(|e| panic!("static word list is invalid: {e}"))
        };
        Matchers {
            triggers: build(TRIGGERS),
            addressees: build(ADDRESSEES),
            actions: build(ACTIONS),
            document_actions: build(DOCUMENT_ACTIONS),
        }
    })
}

/// Substrings that any phrase rule needs; lines without them are skipped.
const TRIGGERS: &[&str] = &[
    "ignore",
    "disregard",
    "forget",
    "new instructions",
    "override",
    "you are now",
    "tell the user",
    "informing",
    "mention this",
    "mention that",
    "inform the user",
    "notify the user",
    "user knowing",
    "user know",
    "secret",
    "reveal",
    "from the user",
    "must not know",
    "system",
    "[inst]",
    "<<sys>>",
    "<|",
    "~/",
    "id_rsa",
    "id_ed25519",
    ".aws",
    ".netrc",
    "credentials",
    "/etc/",
    "token",
    "api_key",
    "api key",
    "private key",
    ".docker",
    ".kube",
];

const ADDRESSEES: &[&str] = &[
    "ai",
    "assistant",
    "assistants",
    "agent",
    "agents",
    "llm",
    "llms",
    "chatbot",
    "claude",
    "chatgpt",
    "copilot",
    "cursor",
    "gemini",
];
const ACTIONS: &[&str] = &[
    "run",
    "execute",
    "install",
    "download",
    "send",
    "post",
    "upload",
    "fetch",
    "curl",
    "wget",
    "open",
    "delete",
    "modify",
    "disable",
    "email",
    "exfiltrate",
    "read",
    "copy",
    "invoke",
    "call",
    "visit",
    "navigate",
    "click",
    "approve",
    "grant",
    "commit",
    "push",
];
const MODALS: &[&str] = &[
    "must", "should", "shall", "need", "needs", "always", "never", "please", "required", "have",
    "has",
];

const SECRETS: &[&str] = &[
    "~/.ssh",
    "id_rsa",
    "id_ed25519",
    ".aws/credentials",
    ".netrc",
    ".git-credentials",
    "/etc/shadow",
    "/etc/passwd",
    "hf_token",
    "openai_api_key",
    "anthropic_api_key",
    "aws_secret_access_key",
    "github_token",
    ".docker/config.json",
    ".kube/config",
    "private key",
    "api key",
    "api_key",
    "secret key",
];

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace('’', "'"))
        .collect()
}

fn contains_seq(w: &[String], seq: &[&str]) -> Option<usize> {
    if seq.is_empty() || w.len() < seq.len() {
        return None;
    }
    (0..=w.len() - seq.len()).find(|&i| w[i..i + seq.len()].iter().zip(seq).all(|(a, b)| a == b))
}

/// "Disregard the documentation above", "ignore everything before this
/// line", "forget all the earlier context": a verb that dismisses,
/// followed within four words by what came before, and something that
/// holds instructions or content.
fn dismisses_what_came_before(w: &[String]) -> bool {
    const VERBS: &[&str] = &["ignore", "disregard", "forget"];
    const BEFORE: &[&str] = &[
        "above",
        "previous",
        "prior",
        "earlier",
        "preceding",
        "before",
    ];
    const WHAT: &[&str] = &[
        "instructions",
        "instruction",
        "documentation",
        "text",
        "content",
        "context",
        "everything",
        "directions",
        "rules",
        "prompt",
        "guidelines",
        "messages",
    ];
    w.iter().enumerate().any(|(i, x)| {
        VERBS.contains(&x.as_str()) && {
            let next = &w[i + 1..(i + 6).min(w.len())];
            next.iter().any(|n| BEFORE.contains(&n.as_str()))
                && next.iter().any(|n| WHAT.contains(&n.as_str()))
        }
    })
}

/// Removes inline code spans (`...`) from a line of markdown prose.
fn strip_inline_code(s: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for c in s.chars() {
        if c == '`' {
            in_code = !in_code;
            out.push(' ');
        } else if !in_code {
            out.push(c);
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn phrases(
    text: &str,
    lines: &Lines,
    start: usize,
    chunk: &str,
    region: Region,
    kind: Kind,
    logical: Option<&str>,
    out: &mut Vec<Finding>,
) {
    let mut hidden_hits: Vec<&'static str> = Vec::new();
    let mut offset = start;
    for raw in chunk.split_inclusive('\n') {
        let (line, column) = position(text, lines, offset);
        offset += raw.len();
        let lower = raw.to_lowercase();
        // Download-and-run is checked in code too: low there.
        if let Some(what) = download_and_run(&lower) {
            match region {
                Region::Hidden => hidden_hits.push("a download-and-run command"),
                Region::Code => push(
                    out,
                    &rules::download_and_run::RULE,
                    Some(Severity::Low),
                    logical,
                    line,
                    column,
                    format!("{what} in a code block"),
                ),
                Region::Prose => push(
                    out,
                    &rules::download_and_run::RULE,
                    None,
                    logical,
                    line,
                    column,
                    format!("{what} outside a code block"),
                ),
            }
        }
        if lower.contains("trust_remote_code=true") || lower.contains("trust_remote_code = true") {
            let sev = if region == Region::Code {
                Some(Severity::Low)
            } else {
                None
            };
            if region == Region::Hidden {
                hidden_hits.push("trust_remote_code=True");
            } else {
                push(
                    out,
                    &rules::trust_remote_code::RULE,
                    sev,
                    logical,
                    line,
                    column,
                    "asks to load with trust_remote_code=True".into(),
                );
            }
        }
        if region == Region::Code {
            continue;
        }
        // Most lines mention none of the trigger words: skip the word split.
        let m = matchers();
        let triggers = m.triggers.is_match(&lower)
            || (m.addressees.is_match(&lower)
                && (m.actions.is_match(&lower)
                    || kind == Kind::Document && m.document_actions.is_match(&lower)))
            || kind == Kind::Document && DOCUMENT_ADDRESSES.iter().any(|a| lower.contains(a));
        if !triggers {
            continue;
        }
        let prose = if kind == Kind::Markdown {
            strip_inline_code(raw)
        } else {
            raw.to_owned()
        };
        let w = words(&prose);
        let prose_lower = prose.to_lowercase();
        let mut hit = |rule: &'static Rule,
                       label: &'static str,
                       msg: String,
                       hidden_hits: &mut Vec<&'static str>| {
            if region == Region::Hidden {
                hidden_hits.push(label);
            } else {
                push(out, rule, None, logical, line, column, msg);
            }
        };
        if OVERRIDES.iter().any(|seq| contains_seq(&w, seq).is_some())
            || prose_lower.contains("new instructions:")
            || dismisses_what_came_before(&w)
        {
            hit(
                &rules::instruction_override::RULE,
                "an instruction override",
                format!("override phrase: {}", excerpt(&prose)),
                &mut hidden_hits,
            );
        }
        if SECRECY.iter().any(|seq| contains_seq(&w, seq).is_some()) {
            hit(
                &rules::secrecy_request::RULE,
                "a secrecy request",
                format!("secrecy request: {}", excerpt(&prose)),
                &mut hidden_hits,
            );
        }
        if addressed_instruction(&w, &prose_lower, kind == Kind::Document) {
            hit(
                &rules::agent_instruction::RULE,
                "instructions to an AI agent",
                format!("instruction to an AI agent: {}", excerpt(&prose)),
                &mut hidden_hits,
            );
        }
        if kind != Kind::Template && role_marker(&prose_lower, kind == Kind::Document) {
            hit(
                &rules::role_marker::RULE,
                "a chat role marker",
                format!("chat role marker in text: {}", excerpt(&prose)),
                &mut hidden_hits,
            );
        }
        if let Some(s) = SECRETS.iter().find(|s| prose_lower.contains(*s)) {
            let generic = matches!(*s, "api key" | "api_key" | "private key" | "secret key");
            if kind == Kind::Document && region == Region::Prose && generic {
                push(
                    out,
                    &rules::secret_reference::RULE,
                    Some(Severity::Low),
                    logical,
                    line,
                    column,
                    format!("refers to credentials ({s}): {}", excerpt(&prose)),
                );
            } else {
                hit(
                    &rules::secret_reference::RULE,
                    "a reference to credentials",
                    format!("refers to credentials ({s}): {}", excerpt(&prose)),
                    &mut hidden_hits,
                );
            }
        }
    }
    if region == Region::Hidden && !hidden_hits.is_empty() {
        hidden_hits.dedup();
        let (line, column) = position(text, lines, start);
        push(
            out,
            &rules::hidden_markup::RULE,
            None,
            logical,
            line,
            column,
            format!(
                "hidden markup contains {}: {}",
                hidden_hits.join(", "),
                excerpt(chunk)
            ),
        );
    }
}

fn excerpt(s: &str) -> String {
    quote(s, 160)
}

/// Text as a finding quotes it: whitespace folded, at most `max`
/// characters (an ellipsis after a cut), in Rust string syntax so that
/// control and invisible characters show escaped.
pub fn quote(s: &str, max: usize) -> String {
    let t: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut e: String = t.chars().take(max).collect();
    if t.chars().count() > max {
        e.push('…');
    }
    format!("{e:?}")
}

/// An instruction addressed to an AI: an explicit address ("if you are an
/// AI", "note to AI") in a chunk with an action verb, or, within one
/// sentence, an addressee followed by a modal ("AI agents must", "dear
/// assistant") and an action verb. One sentence, not the paragraph: "an
/// open approach to AI leads to better products" (Meta's Llama 3 card) has
/// an addressee and a word that can be a verb, but addresses no one.
fn addressed_instruction(w: &[String], lower: &str, document: bool) -> bool {
    let acts = |w: &[String]| {
        w.iter().any(|x| {
            ACTIONS.contains(&x.as_str()) || document && DOCUMENT_ACTIONS.contains(&x.as_str())
        })
    };
    if !acts(w) {
        return false;
    }
    if lower.contains("if you are an ai")
        || lower.contains("if you are a language model")
        || lower.contains("note to ai")
        || lower.contains("attention ai")
        || document && DOCUMENT_ADDRESSES.iter().any(|a| lower.contains(a))
    {
        return true;
    }
    lower.split(['.', '!', '?', ';', '\n']).any(|sentence| {
        let w = words(sentence);
        acts(&w)
            && (addressed(&w, if document { 6 } else { 3 }) || document && salutation(sentence))
    })
}

/// In documents, verbs that tell a model what to write: "state that the
/// project is on schedule", "rate this paper". Model cards describe what
/// assistants say, so there only [`ACTIONS`] count.
const DOCUMENT_ACTIONS: &[&str] = &[
    "say",
    "state",
    "answer",
    "respond",
    "reply",
    "recommend",
    "rate",
    "mention",
    "write",
    "output",
    "reveal",
    "include",
    "tell",
    "summarize",
    "summarise",
    "translate",
    "praise",
    "rank",
    "accept",
    "ignore",
];

/// In documents, explicit addresses to the model that reads them.
const DOCUMENT_ADDRESSES: &[&str] = &[
    "note to the ai",
    "note to the llm",
    "note to the language model",
    "note to the assistant",
    "ai reading this",
    "model reading this",
    "llm reading this",
    "assistant reading this",
    "if you are a large language model",
];

/// A sentence that opens by naming its addressee and a colon ("Copilot:
/// approve...", "AI assistant: when...").
fn salutation(sentence: &str) -> bool {
    sentence.split_once(':').is_some_and(|(head, _)| {
        let w = words(head);
        !w.is_empty() && w.len() <= 3 && w.iter().any(|x| ADDRESSEES.contains(&x.as_str()))
    })
}

/// An addressee followed within `window` words by a modal, or after a
/// salutation.
fn addressed(w: &[String], window: usize) -> bool {
    w.iter().enumerate().any(|(i, x)| {
        ADDRESSEES.contains(&x.as_str())
            && (w
                .get(i + 1..(i + 1 + window).min(w.len()))
                .is_some_and(|next| next.iter().any(|n| MODALS.contains(&n.as_str())))
                || i.checked_sub(1)
                    .is_some_and(|p| matches!(w[p].as_str(), "dear" | "hey" | "attention")))
    })
}

fn role_marker(lower: &str, tokens_only: bool) -> bool {
    let t = lower.trim_start();
    [
        "<|im_start|>system",
        "<|system|>",
        "[inst]",
        "<<sys>>",
        "<|start_header_id|>system",
        "<|im_start|>assistant",
    ]
    .iter()
    .any(|m| lower.contains(m))
        || !tokens_only && t.starts_with("system:")
        || t.starts_with("### system:")
        || t.starts_with("system prompt:")
}

fn download_and_run(lower: &str) -> Option<&'static str> {
    let piped_shell = (lower.contains("curl ") || lower.contains("wget ")) && {
        lower.split('|').skip(1).any(|seg| {
            let first = seg.split_whitespace().next().unwrap_or("");
            matches!(
                first,
                "sh" | "bash" | "zsh" | "python" | "python3" | "sudo" | "perl" | "ruby" | "node"
            )
        })
    };
    if piped_shell {
        return Some("a download piped into a shell");
    }
    if (lower.contains("bash -c") || lower.contains("sh -c"))
        && (lower.contains("$(curl") || lower.contains("$(wget"))
    {
        return Some("a shell running a downloaded script");
    }
    if lower.contains("iex (iwr")
        || lower.contains("iex(iwr")
        || lower.contains("invoke-expression")
        || (lower.contains("iwr ") && lower.contains("| iex"))
    {
        return Some("PowerShell running a downloaded script");
    }
    if lower.contains("powershell")
        && (lower.contains(" -enc ") || lower.contains("-encodedcommand"))
    {
        return Some("an encoded PowerShell command");
    }
    None
}

// ---- links and domains -----------------------------------------------------------

const KNOWN_DOMAINS: &[&str] = &[
    "huggingface.co",
    "github.com",
    "pypi.org",
    "pytorch.org",
    "githubusercontent.com",
    "kaggle.com",
    "arxiv.org",
    "google.com",
    "microsoft.com",
    "openai.com",
    "anthropic.com",
    "python.org",
];

/// Real, unrelated sites within two edits of a known domain: never
/// lookalikes (`gitlab.com` is two edits from `github.com`).
const KNOWN_NEIGHBOURS: &[&str] = &[
    "gitlab.com",
    "gitee.com",
    "github.io",
    "python.com",
    "pypi.io",
];

fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, r)| r)?;
    let host = rest.split(['/', '?', '#', ':']).next()?.to_lowercase();
    let host = host.rsplit('@').next()?.to_owned();
    (!host.is_empty()).then_some(host)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            cur[j] = (prev[j] + 1)
                .min(cur[j - 1] + 1)
                .min(prev[j - 1] + usize::from(a[i - 1] != b[j - 1]));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn urls(
    text: &str,
    lines: &Lines,
    regions: &[(usize, usize, Region)],
    logical: Option<&str>,
    out: &mut Vec<Finding>,
) {
    let in_code = |at: usize| {
        regions
            .iter()
            .any(|(s, e, r)| *r == Region::Code && (*s..*e).contains(&at))
    };
    // Markdown links and images: [text](url) / ![alt](url).
    let mut from = 0;
    while let Some(p) = text[from..].find("](") {
        let mid = from + p;
        from = mid + 2;
        let Some(close) = text[mid + 2..].find(')') else {
            break;
        };
        let url = text[mid + 2..mid + 2 + close]
            .split_whitespace()
            .next()
            .unwrap_or("");
        let Some(open) = matching_open(text, mid) else {
            continue;
        };
        let label = &text[open + 1..mid];
        let image = text[..open].ends_with('!');
        if in_code(mid) {
            continue;
        }
        let (line, column) = position(text, lines, open);
        if let Some(why) = exfil_url(url) {
            push(
                out,
                &rules::exfiltration_link::RULE,
                (!image).then_some(Severity::Medium),
                logical,
                line,
                column,
                format!("{} URL {url:?} {why}", if image { "image" } else { "link" }),
            );
        }
        if !label.starts_with("![")
            && let (Some(shown), Some(target)) = (label_host(label), host_of(url))
            && shown.trim_start_matches("www.") != target.trim_start_matches("www.")
            && !target.ends_with(&format!(".{shown}"))
        {
            push(
                out,
                &rules::deceptive_link::RULE,
                None,
                logical,
                line,
                column,
                format!("link text shows {shown}, the link goes to {target}"),
            );
        }
    }
    // Every URL: punycode, non-ASCII and look-alike hosts.
    let mut from = 0;
    while let Some(p) = text[from..].find("://") {
        let at = from + p;
        from = at + 3;
        // Just past the delimiter, which may be wider than a byte (a
        // no-break space is whitespace and two bytes of UTF-8).
        let start = text[..at]
            .char_indices()
            .rev()
            .find(|&(_, c)| c.is_whitespace() || c == '(' || c == '<' || c == '"' || c == '[')
            .map_or(0, |(s, c)| s + c.len_utf8());
        let end = text[at..]
            .find(|c: char| c.is_whitespace() || c == ')' || c == '>' || c == '"')
            .map_or(text.len(), |e| at + e);
        let url = &text[start..end];
        let Some(host) = host_of(url) else { continue };
        let suspicious = if host.split('.').any(|l| l.starts_with("xn--")) {
            Some("uses punycode".to_owned())
        } else if !host.is_ascii() {
            Some("uses non-ASCII letters".to_owned())
        } else {
            let base: String = host.trim_start_matches("www.").to_owned();
            let real = KNOWN_NEIGHBOURS
                .iter()
                .any(|n| base == *n || base.ends_with(&format!(".{n}")));
            KNOWN_DOMAINS.iter().filter(|_| !real).find_map(|d| {
                let d1 = edit_distance(&base, d);
                (d1 > 0 && d1 <= 2 && !base.ends_with(&format!(".{d}")))
                    .then(|| format!("looks like {d}"))
            })
        };
        if let Some(why) = suspicious {
            let (line, column) = position(text, lines, start);
            push(
                out,
                &rules::lookalike_domain::RULE,
                None,
                logical,
                line,
                column,
                format!("host {host} {why}"),
            );
        }
    }
}

/// The `[` that opens the link text whose `]` is at `close`, skipping
/// nested brackets (badges: `[![alt](img)](link)`).
fn matching_open(text: &str, close: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text[..close].char_indices().rev() {
        match c {
            ']' => depth += 1,
            '[' if depth == 0 => return Some(i),
            '[' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn label_host(label: &str) -> Option<String> {
    let l = label.trim();
    if let Some(h) = host_of(l) {
        return Some(h);
    }
    let host = l.split('/').next().unwrap_or(l).to_lowercase();
    let tld = host.rsplit('.').next().unwrap_or("");
    let looks_like_domain = !l.contains(' ')
        && host.contains('.')
        && l.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '/'))
        // A name under a public suffix (`llama.cpp` is not one), and not a
        // file whose extension is also a country's domain (`README.md`,
        // `train.py`, `run.sh`, `model.pt`).
        && psl::suffix(host.as_bytes()).is_some_and(|s| s.is_known())
        && !FILE_EXTENSIONS.contains(&tld);
    looks_like_domain.then_some(host)
}

/// File extensions that are also top-level domains, as link text shows
/// file names.
const FILE_EXTENSIONS: &[&str] = &[
    "md", "py", "sh", "rs", "pt", "pl", "so", "ps", "cc", "mk", "in", "ml", "rb", "ts", "cs", "pm",
    "sc",
];

fn exfil_url(url: &str) -> Option<&'static str> {
    let lower = url.to_lowercase();
    let query = lower.split_once('?').map(|(_, q)| q)?;
    if query.contains('{')
        || query.contains("$(")
        || query.contains("${")
        || query.contains('<')
        || query.contains("[data]")
    {
        return Some("has a placeholder to be filled with data");
    }
    let secret_keys = [
        "secret",
        "token",
        "password",
        "apikey",
        "api_key",
        "conversation",
        "chat",
        "history",
        "prompt",
        "ssh",
        "credentials",
    ];
    query
        .split('&')
        .any(|kv| {
            secret_keys
                .iter()
                .any(|k| kv.split('=').next().unwrap_or("").contains(k))
        })
        .then_some("sends a parameter named like a secret or the conversation")
}

// ---- model-card front matter ------------------------------------------------------

const MAX_FRONT_MATTER: usize = 64 * 1024;

fn front_matter(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let body = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let Some(rest) = body
        .strip_prefix("---\n")
        .or_else(|| body.strip_prefix("---\r\n"))
    else {
        push(
            &mut out,
            &rules::card_hygiene::RULE,
            None,
            None,
            1,
            1,
            "no front matter: no license, base model or datasets declared".into(),
        );
        return out;
    };
    let end = rest.find("\n---").unwrap_or(rest.len());
    let fm = &rest[..end];
    if fm.len() > MAX_FRONT_MATTER {
        push(
            &mut out,
            &rules::front_matter::RULE,
            None,
            None,
            1,
            1,
            format!(
                "front matter of {} bytes (limit {MAX_FRONT_MATTER})",
                fm.len()
            ),
        );
    }
    let aliases = fm
        .lines()
        .filter(|l| {
            let v = l
                .split_once(':')
                .map_or(l.trim(), |(_, v)| v.trim())
                .trim_start_matches("- ");
            v.starts_with('&')
                || v.starts_with('*')
                || v.contains(" &")
                || v.contains("[*")
                || v.contains(", *")
        })
        .count();
    if aliases > 0 {
        push(
            &mut out,
            &rules::front_matter::RULE,
            None,
            None,
            2,
            1,
            format!("{aliases} line(s) use YAML anchors or aliases, which loaders expand"),
        );
    }
    let keys: Vec<&str> = fm
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('-') && !l.starts_with('#'))
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim()))
        .collect();
    let mut missing = Vec::new();
    if !keys.contains(&"license") {
        missing.push("license");
    }
    if !keys.iter().any(|k| matches!(*k, "base_model" | "datasets")) {
        missing.push("base_model or datasets");
    }
    if !missing.is_empty() {
        push(
            &mut out,
            &rules::card_hygiene::RULE,
            None,
            None,
            1,
            1,
            format!("front matter declares no {}", missing.join(", no ")),
        );
    }
    out
}

// ---- JSON string values (for config files) ------------------------------------------

/// (key, value, offset) of every `"key": "value"` string in a JSON text,
/// without building a tree (configs can be large; order is kept).
/// String values with the key they follow, and every key (decoded: a key
/// written `"auto\u005fmap"` is `auto_map` to `json.loads`), with offsets.
type Keyed = Vec<(String, String, usize)>;

fn json_strings(text: &str) -> (Keyed, Vec<(String, usize)>) {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut keys = Vec::new();
    let mut i = 0;
    let mut last_key = String::new();
    while i < b.len() {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i;
        let mut s = String::new();
        i += 1;
        while i < b.len() && b[i] != b'"' {
            if b[i] == b'\\' && i + 1 < b.len() {
                i += 1;
                match b[i] {
                    b'n' => s.push('\n'),
                    b't' => s.push('\t'),
                    b'u' if i + 4 < b.len() => {
                        let hex = std::str::from_utf8(&b[i + 1..i + 5]).unwrap_or("0");
                        let cp = u32::from_str_radix(hex, 16).unwrap_or(0xFFFD);
                        let mut ch = char::from_u32(cp);
                        i += 4;
                        // Surrogate pairs.
                        if (0xD800..0xDC00).contains(&cp)
                            && b.get(i + 1) == Some(&b'\\')
                            && b.get(i + 2) == Some(&b'u')
                        {
                            let lo = std::str::from_utf8(b.get(i + 3..i + 7).unwrap_or(b"0"))
                                .ok()
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .unwrap_or(0);
                            ch = char::from_u32(
                                0x10000 + ((cp - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF),
                            );
                            i += 6;
                        }
                        s.push(ch.unwrap_or('\u{FFFD}'));
                    }
                    c => s.push(c as char),
                }
                i += 1;
                continue;
            }
            if !text.is_char_boundary(i) {
                // After a malformed escape: resynchronise on a character.
                i += 1;
                continue;
            }
            let ch_len = text[i..].chars().next().map_or(1, char::len_utf8);
            s.push_str(&text[i..i + ch_len]);
            i += ch_len;
        }
        i += 1;
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if b.get(j) == Some(&b':') {
            keys.push((s.clone(), start));
            last_key = s;
        } else {
            out.push((last_key.clone(), s, start));
        }
    }
    (out, keys)
}

#[cfg(test)]
mod tests;
