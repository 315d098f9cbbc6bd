//! Batch mode: `loadguard scan --targets FILE --format jsonl`, and
//! `--format jsonl` for ordinary scans. One record per target as given
//! (docs/batch.md), written as each target finishes:
//!
//! - resumable: with `--output`, targets that already have a record there
//!   are skipped, and a record cut short by an interruption is dropped;
//! - bounded: `--jobs` targets at a time, each with its own time and byte
//!   budget (LG003 names every file a budget left out);
//! - per file: `--per-file` writes one record per file of a target (one
//!   per document of a corpus), all of a target's records in one write;
//! - shardable: `--shard I/N` keeps the targets whose hash falls in shard I,
//!   so N independent runs (an indexed Kubernetes Job, the map step of a
//!   distributed engine) cover every target exactly once with no
//!   coordinator.

use std::collections::{HashMap, HashSet};
use std::fs::OpenOptions;
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use loadguard_core::{Severity, Verdict};

use crate::cli::{Format, ScanArgs};
use crate::scan_cmd::Session;
use crate::{Input, hub, mcp, output};

/// The pseudo-target that stands for `--hf-cache` in a record.
const HF_CACHE: &str = "--hf-cache";

/// `I/N` with `I < N`.
pub(crate) fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let parsed = s
        .split_once('/')
        .and_then(|(i, n)| Some((i.trim().parse::<u64>().ok()?, n.trim().parse::<u64>().ok()?)));
    match parsed {
        Some((i, n)) if n > 0 && i < n => Ok((i, n)),
        _ => Err(format!("{s:?} is not I/N with 0 <= I < N (e.g. 0/4)")),
    }
}

/// The shard a target belongs to: FNV-1a of its text, modulo `n`. Stable
/// across runs, machines and versions, and independent of the order and
/// number of the other targets.
pub(crate) fn shard_of(target: &str, n: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in target.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h % n
}

/// The targets of a `--targets` file (`-`: standard input): one per line,
/// trimmed; blank lines and `#` comments skipped.
fn read_targets(path: &Path, input: &Input) -> Result<Vec<String>> {
    let text = if path == Path::new("-") {
        String::from_utf8(
            input
                .read_stdin()
                .context("reading targets from standard input")?,
        )
        .context("the targets on standard input are not UTF-8")?
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("reading the targets file {}", path.display()))?
    };
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect())
}

/// What an earlier record said, for the exit code of a resumed run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Prior {
    worst: Option<Severity>,
    error: bool,
}

/// The targets already in an earlier output, after cutting off a last line
/// that an interruption left without its newline, and with `--per-file`
/// the last target's records if they stop before its `file_count`.
fn resume(path: &Path) -> Result<HashMap<String, Prior>> {
    let mut done: HashMap<String, Prior> = HashMap::new();
    let mut file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(done),
        Err(e) => return Err(e).with_context(|| format!("opening {}", path.display())),
    };
    let mut complete = 0u64;
    // The last target read, where its records start, and whether they are
    // all there (a target's records are written together, so only the last
    // one can have been cut short).
    let mut last: Option<(String, u64, bool)> = None;
    let mut reader = BufReader::new(&mut file);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .with_context(|| format!("reading {}", path.display()))?;
        if n == 0 || line.last() != Some(&b'\n') {
            break;
        }
        let start = complete;
        complete += n as u64;
        let Ok(record) = serde_json::from_slice::<serde_json::Value>(&line) else {
            continue;
        };
        let Some(target) = record.get("target").and_then(|t| t.as_str()) else {
            continue;
        };
        let worst = record
            .get("findings")
            .and_then(|f| f.as_array())
            .into_iter()
            .flatten()
            .filter_map(|f| Severity::parse(f.get("severity")?.as_str()?))
            .max();
        let error = record.get("error").is_some_and(|e| !e.is_null());
        let prior = done.entry(target.to_owned()).or_insert(Prior {
            worst: None,
            error: false,
        });
        prior.worst = prior.worst.max(worst);
        prior.error |= error;
        let number = |key: &str| record.get(key).and_then(serde_json::Value::as_u64);
        let whole = match (number("file_index"), number("file_count")) {
            (Some(i), Some(n)) => i + 1 >= n,
            _ => true,
        };
        match &mut last {
            Some((t, _, all)) if t == target => *all = whole,
            _ => last = Some((target.to_owned(), start, whole)),
        }
    }
    drop(reader);
    if let Some((target, start, false)) = last {
        done.remove(&target);
        complete = start;
    }
    if file.seek(SeekFrom::End(0))? != complete {
        file.set_len(complete).with_context(|| {
            format!("dropping the unfinished last record of {}", path.display())
        })?;
    }
    Ok(done)
}

/// Exit codes of two targets together: a failing finding (1) wins over an
/// unreadable target (2).
fn merge_codes(a: u8, b: u8) -> u8 {
    if a == 1 || b == 1 { 1 } else { a.max(b) }
}

/// One target's record, ready to write.
struct Done {
    line: Vec<u8>,
    /// The exit code this target alone would give.
    code: u8,
    not_safe: bool,
}

pub(crate) fn run(args: &ScanArgs, out: &mut dyn Write, input: &Input) -> Result<u8> {
    if args.format != Format::Jsonl {
        bail!("--targets writes one record per target: add --format jsonl");
    }
    let mut targets: Vec<String> = args
        .paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(file) = &args.targets {
        targets.extend(read_targets(file, input)?);
    }
    if args.mcp {
        let cwd = std::env::current_dir().context("reading the working directory")?;
        targets.extend(
            mcp::discovered(&cwd)
                .iter()
                .map(|p| p.display().to_string()),
        );
    }
    if args.hf_cache {
        targets.push(HF_CACHE.to_owned());
    }
    let mut seen = HashSet::new();
    targets.retain(|t| seen.insert(t.clone()));
    if let Some((i, n)) = args.shard {
        targets.retain(|t| shard_of(t, n) == i);
    }
    let session = Session::new(args, &[])?;
    let mut priors = Vec::new();
    let (mut sink, skipped): (Box<dyn Write>, usize) = match &args.output {
        Some(path) => {
            let done = resume(path)?;
            let before = targets.len();
            targets.retain(|t| match done.get(t) {
                Some(prior) => {
                    priors.push(*prior);
                    false
                }
                None => true,
            });
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("opening {}", path.display()))?;
            (Box::new(file), before - targets.len())
        }
        None => (Box::new(&mut *out), 0),
    };
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    );
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<Done>();
    // A resumed run answers for the whole output, not only for what it
    // scanned itself.
    let mut code = priors
        .iter()
        .map(|p| session.code_for(p.worst, p.error))
        .fold(0, merge_codes);
    let (mut scanned, mut not_safe) = (0usize, 0usize);
    std::thread::scope(|s| -> Result<()> {
        for _ in 0..jobs.min(targets.len()) {
            let tx = tx.clone();
            let (targets, next, session) = (&targets, &next, &session);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(target) = targets.get(i) else { break };
                    let done = scan_target(session, target, input, args.per_file);
                    if tx.send(done).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for done in rx {
            sink.write_all(&done.line)
                .and_then(|()| sink.flush())
                .context("writing the report")?;
            scanned += 1;
            not_safe += usize::from(done.not_safe);
            code = merge_codes(code, done.code);
        }
        Ok(())
    })?;
    if let Some(path) = &args.output
        && !args.quiet
    {
        let _ = writeln!(
            io::stderr(),
            "loadguard: {scanned} target(s) scanned ({not_safe} not safe), {skipped} already in {}",
            path.display()
        );
    }
    Ok(code)
}

/// Scans one target into its record. Never fails: an error becomes the
/// record's `error`, and a panic (a bug) costs this target, not the batch.
fn scan_target(session: &Session, target: &str, input: &Input, per_file: bool) -> Done {
    let start = Instant::now();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if target == HF_CACHE {
            return Ok(session.scan_cache());
        }
        let (local, hub_targets) = hub::split(&[PathBuf::from(target)]);
        session.scan(&local, &hub_targets, input, &session.budget(), false, false)
    }));
    let (files, error) = match result {
        Ok(Ok(scanned)) => (scanned.targets, None),
        Ok(Err(e)) => (Vec::new(), Some(format!("{e:#}"))),
        Err(_) => (
            Vec::new(),
            Some("internal error while scanning this target (a bug: please report it)".to_owned()),
        ),
    };
    let mut line = Vec::new();
    // Writing into a Vec cannot fail.
    let verdict = output::jsonl::write_records(
        &mut line,
        target,
        &files,
        error.as_deref(),
        start.elapsed().as_secs_f64(),
        per_file,
    )
    .unwrap_or(Verdict::NotScanned);
    Done {
        line,
        code: if error.is_some() {
            2
        } else {
            session.exit_code(&files)
        },
        not_safe: verdict == Verdict::NotSafe,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;
    use std::io::Read;

    #[test]
    fn shards_parse_and_partition() {
        assert_eq!(parse_shard("1/4"), Ok((1, 4)));
        assert!(parse_shard("4/4").is_err());
        assert!(parse_shard("0/0").is_err());
        assert!(parse_shard("x").is_err());
        // Every target lands in exactly one of N shards, and the same one
        // whatever the other targets are.
        let targets: Vec<String> = (0..1000).map(|i| format!("hf:org/model-{i}")).collect();
        let mut counts = [0usize; 7];
        for t in &targets {
            counts[shard_of(t, 7) as usize] += 1;
        }
        assert_eq!(counts.iter().sum::<usize>(), 1000);
        assert!(counts.iter().all(|&c| c > 100), "{counts:?}");
        assert_eq!(shard_of("hf:org/model-1", 7), shard_of("hf:org/model-1", 7));
    }

    #[test]
    fn resume_drops_an_unfinished_record() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.jsonl");
        std::fs::write(
            &path,
            "{\"target\":\"a\"}\n{\"target\":\"b\"}\n{\"target\":\"c\",\"verd",
        )
        .expect("write");
        let done = resume(&path).expect("resume");
        let mut targets: Vec<&String> = done.keys().collect();
        targets.sort();
        assert_eq!(targets, ["a", "b"]);
        let mut rest = String::new();
        File::open(&path)
            .and_then(|mut f| f.read_to_string(&mut rest))
            .expect("read");
        assert_eq!(rest, "{\"target\":\"a\"}\n{\"target\":\"b\"}\n");
    }
}
