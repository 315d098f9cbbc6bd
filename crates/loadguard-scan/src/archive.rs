//! Archive walkers: zip (PyTorch, TorchScript, Keras and plain), tar and 7z.
//! Every member is handed back to the detector table by content.

use std::borrow::Cow;

use loadguard_core::{Finding, Severity};

use crate::compress::{self, Codec, Stopped};
use crate::inflight::{self, Buffer};
use crate::{Ctx, Format, Origin, Source, location, npy, rules, source, tar, zip};

/// A member's bytes: as read from the source (borrowed where it lies when
/// it can be), or decoded (and charged to the process-wide pool until
/// dropped).
enum Bytes<'s> {
    Read(Cow<'s, [u8]>),
    Decoded(Buffer),
}

impl std::ops::Deref for Bytes<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Self::Read(b) => b,
            Self::Decoded(b) => b,
        }
    }
}

/// Members in a PyTorch zip from which its pickle is scanned beside the
/// rest of the archive (below, handing it to another thread is not worth
/// it).
const PARALLEL_MEMBERS: usize = 4096;

/// A PyTorch checkpoint's pickle, found from the central directory alone,
/// to scan while the rest of the archive is resolved and checked. The walk
/// later reaches the same member; only if it would scan it by content, with
/// the same bytes, do the early findings count ([`Early::is`]).
struct Early<'s> {
    name: String,
    member: Vec<String>,
    data_offset: u64,
    data: Cow<'s, [u8]>,
}

impl<'s> Early<'s> {
    fn find(src: &'s dyn Source, dir: &zip::Directory, path: &[String]) -> Option<Self> {
        // Remote sources read in order; there the network is the cost.
        if dir.entries.len() < PARALLEL_MEMBERS || src.contiguous().is_none() {
            return None;
        }
        // The entry the walk takes the checkpoint's prefix from.
        let e = dir.entries.iter().find(|e| e.name.ends_with("data.pkl"))?;
        if e.method != 0 {
            return None;
        }
        let data_offset = zip::data_offset(src, e)?;
        let data = src
            .read_at(data_offset, usize::try_from(e.compressed_size).ok()?)
            .ok()?;
        if data.len() as u64 != e.compressed_size {
            return None;
        }
        let mut member = path.to_vec();
        member.push(e.name.clone());
        Some(Self {
            name: e.name.clone(),
            member,
            data_offset,
            data,
        })
    }

    /// Whether the walk reached this member, with these bytes.
    fn is(&self, entry: &zip::Entry, data: &[u8]) -> bool {
        entry.name == self.name
            && entry.method == 0
            && entry.data_offset == self.data_offset
            && data.len() == self.data.len()
    }
}

impl Ctx<'_> {
    pub(crate) fn zip(&mut self, src: &dyn Source, path: &[String], depth: u32) -> Format {
        let max_members = self.options.limits.max_members;
        let dir = zip::directory(src, max_members);
        let early = Early::find(src, &dir, path);
        let (policy, options, budget_start) = (self.policy, self.options, self.total_bytes);
        let deadline = self.deadline;
        // The early member's own context (no sibling reader: archive
        // members never read files beside them).
        let mut aside: Option<Ctx<'_>> = None;
        let (mut format, mut claimed) = (Format::Zip, false);
        rayon::scope(|scope| {
            if let Some(early) = &early {
                let slot = &mut aside;
                scope.spawn(move |_| {
                    let mut ctx = Ctx::new(None, policy, options);
                    ctx.total_bytes = budget_start;
                    ctx.deadline = deadline;
                    // Joined below by a thread that may hold the most.
                    inflight::never_wait(|| {
                        ctx.node(
                            &early.data.as_ref(),
                            Some(&early.name),
                            &early.member,
                            depth + 1,
                            Origin::Member,
                        );
                    });
                    *slot = Some(ctx);
                });
            }
            let archive = zip::resolve(src, dir, max_members);
            (format, claimed) = self.zip_members(src, archive, path, depth, early.as_ref());
        });
        if claimed && let Some(aside) = aside {
            self.absorb(aside, budget_start);
        }
        format
    }

    /// Walks a resolved zip's members. Returns whether the member scanned
    /// early (`early`) was reached where the walk scans a member by content,
    /// so that its findings count.
    fn zip_members(
        &mut self,
        src: &dyn Source,
        archive: zip::Archive,
        path: &[String],
        depth: u32,
        early: Option<&Early<'_>>,
    ) -> (Format, bool) {
        let mut claimed = false;
        for issue in &archive.issues {
            self.zip_issue(issue, path);
        }
        let torch_prefix = archive
            .entries
            .iter()
            .find(|e| e.name.ends_with("data.pkl") || e.name == "data.pkl")
            .map(|e| e.name.trim_end_matches("data.pkl").to_owned());
        let is_script = archive
            .entries
            .iter()
            .any(|e| e.name.ends_with("constants.pkl") || e.name.contains("/code/__torch__/"));
        let is_keras = archive.entries.iter().any(|e| e.name == "config.json")
            && archive
                .entries
                .iter()
                .any(|e| e.name == "model.weights.h5" || e.name == "metadata.json");
        let office = if torch_prefix.is_some() {
            None
        } else {
            Office::of(archive.entries.iter().map(|e| e.name.as_str()))
        };
        let mut office_parts: Vec<(String, Bytes<'_>)> = Vec::new();
        // An `.npz` or any zip that no loader above reads as its own.
        let plain = torch_prefix.is_none() && !is_script && !is_keras && office.is_none();
        let storages = torch_prefix.as_ref().map(|p| format!("{p}data/"));
        let mut script_files = Vec::new();
        for entry in &archive.entries {
            let mut member = path.to_vec();
            member.push(entry.name.clone());
            self.check_member_name(&entry.name, &member);
            if entry.name.ends_with('/') && entry.size == 0 {
                continue;
            }
            // Storages of a torch zip are raw tensor bytes: torch never
            // decompresses or unpickles them. Read a prefix, and the whole
            // member only if that prefix is a pickle.
            let is_storage = storages
                .as_ref()
                .is_some_and(|p| entry.name.starts_with(p.as_str()));
            if plain
                && entry.method != 0
                && entry.name.ends_with(".npy")
                && self.npy_member_header(src, entry, &member)
            {
                continue;
            }
            let Some(data) = self.member_bytes(src, entry, &member, is_storage) else {
                continue;
            };
            // A stored storage's prefix is borrowed where it lies (a
            // checkpoint can have 200,000 of them).
            if is_storage {
                let window = &data[..data.len().min(64 * 1024)];
                let whole = entry.size <= window.len() as u64;
                if loadguard_pickle::sniff_strict(window, whole)
                    && let Some(full) = self.member_bytes(src, entry, &member, false)
                {
                    self.pickle(&full.as_ref(), &member, false);
                }
                continue;
            }
            if entry.crc32 != crc32fast::hash(&data) && data.len() as u64 == entry.size {
                self.report(
                    &rules::zip_bad_crc::RULE,
                    &member,
                    Some(entry.data_offset),
                    format!(
                        "CRC-32 {:#010x} recorded, {:#010x} computed: zipfile refuses it, PyTorch loads it",
                        entry.crc32,
                        crc32fast::hash(&data)
                    ),
                );
            }
            if let Some(kind) = executable_kind(&entry.name, &data) {
                self.report(
                    &rules::executable_member::RULE,
                    &member,
                    Some(entry.data_offset),
                    format!("{kind} in the archive: loading or unpacking this model can run it"),
                );
                continue;
            }
            if let Some(office) = office {
                if entry.name.ends_with("vbaProject.bin") {
                    self.report_with_severity(
                        &rules::executable_member::RULE,
                        Severity::Medium,
                        &member,
                        Some(entry.data_offset),
                        "VBA macros in an Office document: Office runs them when the user enables macros"
                            .to_owned(),
                    );
                    continue;
                }
                if office.is_text_part(&entry.name) {
                    office_parts.push((entry.name.clone(), data));
                    continue;
                }
                if office.is_package_part(&entry.name) {
                    // Package plumbing the suite reads as settings
                    // (relationships, content types, manifest, fonts,
                    // themes): no text an extractor returns.
                    continue;
                }
            }
            if entry.name.ends_with(".py") {
                if is_script && entry.name.contains("/code/") {
                    script_files.push((member.clone(), data.to_vec(), entry.data_offset));
                } else {
                    self.report_with_severity(
                        &rules::executable_member::RULE,
                        Severity::Medium,
                        &member,
                        Some(entry.data_offset),
                        "Python source in the archive: code that tooling may import or run"
                            .to_owned(),
                    );
                }
                continue;
            }
            if is_keras && entry.name == "config.json" {
                self.streams += 1;
                self.keras_config(&data, 0, &member);
                continue;
            }
            let name_says_pickle = entry.name.ends_with(".pkl") || entry.name.ends_with(".pickle");
            if is_script
                && (name_says_pickle || entry.name.ends_with(".debug_pkl"))
                && loadguard_pickle::sniff(&data)
            {
                self.pickle_with(&data.as_ref(), &member, false, true);
                continue;
            }
            if (torch_prefix.is_some() || is_script) && is_torch_metadata(&entry.name, &data) {
                continue;
            }
            // Scanned early, from the same bytes: its findings count.
            if !claimed && early.is_some_and(|e| e.is(entry, &data)) {
                claimed = true;
                continue;
            }
            self.node(
                &data.as_ref(),
                Some(&entry.name),
                &member,
                depth + 1,
                Origin::Member,
            );
        }
        if !script_files.is_empty() {
            self.torchscript(&script_files);
        }
        if let Some(office) = office {
            self.streams += 1;
            let parts: Vec<(&str, &[u8])> = office_parts
                .iter()
                .map(|(n, d)| (n.as_str(), &**d))
                .collect();
            let doc = office.document(&parts, &self.options.documents);
            for mut f in doc.findings() {
                let mut members = path.to_vec();
                members.append(&mut f.location.members);
                f.location.members = members;
                self.findings.push(f);
            }
        }
        let format = if let Some(office) = office {
            Format::Document(office.kind())
        } else if is_script {
            Format::TorchScript
        } else if is_keras {
            Format::Keras
        } else if torch_prefix.is_some() {
            Format::TorchZip
        } else {
            Format::Zip
        };
        (format, claimed)
    }

    /// A compressed `.npy` member of a plain zip (an `.npz`): NumPy reads
    /// its header, then array bytes it never interprets; only an object
    /// dtype makes it unpickle. So the header is decoded from the member's
    /// first bytes, and the rest is left compressed unless the dtype holds
    /// objects (then false: the member is decoded and scanned whole). A
    /// `np.savez_compressed` of zeros (deflate's best ratio, past the ratio
    /// limit) is then no bomb, and a 2 GB array costs one block of inflate.
    fn npy_member_header(
        &mut self,
        src: &dyn Source,
        entry: &zip::Entry,
        member: &[String],
    ) -> bool {
        let Some(prefix) = self.member_bytes(src, entry, member, true) else {
            return false;
        };
        let header = npy::header_end(&prefix)
            .filter(|&end| end <= prefix.len())
            .and_then(|end| npy::parse(&prefix[..end]).ok());
        let Some(h) = header.filter(|h| !h.has_object) else {
            return false;
        };
        self.npy_header(&h, entry.size.saturating_sub(h.data_offset as u64), member);
        true
    }

    /// A member's bytes (a prefix only, when `prefix_only`), decompressed
    /// within the limits. `None` when it cannot be read (already reported).
    /// A member's bytes: borrowed from the source when stored (no copy of a
    /// 20 MB `data.pkl`), decoded otherwise.
    fn member_bytes<'s>(
        &mut self,
        src: &'s dyn Source,
        entry: &zip::Entry,
        member: &[String],
        prefix_only: bool,
    ) -> Option<Bytes<'s>> {
        let want = if prefix_only {
            entry.compressed_size.min(64 * 1024)
        } else {
            entry.compressed_size
        };
        let Ok(raw) = src.read_at(
            entry.data_offset,
            usize::try_from(want).unwrap_or(usize::MAX),
        ) else {
            return None;
        };
        if (raw.len() as u64) < want {
            self.report(
                &rules::zip_malformed::RULE,
                member,
                Some(entry.data_offset),
                format!(
                    "member data runs past the end of the archive ({} of {want} bytes)",
                    raw.len()
                ),
            );
        }
        let codec = match entry.method {
            0 => {
                if !prefix_only && !self.spend(raw.len() as u64, member) {
                    return None;
                }
                return Some(Bytes::Read(raw));
            }
            8 => Codec::Deflate,
            12 => Codec::Bzip2,
            14 => Codec::Lzma,
            93 => Codec::Zstd,
            m => {
                self.report(
                    &rules::unsupported_compression::RULE,
                    member,
                    Some(entry.data_offset),
                    format!("compression method {m} is not decoded; the member was not scanned"),
                );
                return None;
            }
        };
        let bound = if prefix_only {
            compress::Bound::bytes(64 * 1024)
        } else {
            self.bound()
        };
        // Zip's LZMA (method 14) has a 4-byte header before the properties.
        let input: &[u8] = if entry.method == 14 && raw.len() > 4 {
            &raw[4..]
        } else {
            &raw
        };
        let decoded = if entry.method == 14 {
            decode_zip_lzma(input, entry.size, bound)
        } else {
            compress::decompress(codec, input, bound)
        };
        if !prefix_only {
            match &decoded.stopped {
                Some(Stopped::Corrupt { reason }) => self.report(
                    &rules::corrupt_data::RULE,
                    member,
                    Some(entry.data_offset),
                    format!(
                        "{} data is corrupt ({reason}); the decoded part was scanned",
                        codec.name()
                    ),
                ),
                Some(stop) => self.report_stop(stop, member, Some(entry.data_offset), "member"),
                None => {}
            }
            if !self.spend(decoded.data.len() as u64, member) {
                return None;
            }
        }
        Some(Bytes::Decoded(decoded.data))
    }

    fn zip_issue(&mut self, issue: &zip::Issue, path: &[String]) {
        use zip::Issue;
        let member = |name: &str| {
            let mut p = path.to_vec();
            p.push(name.to_owned());
            p
        };
        match issue {
            Issue::NameMismatch { central, local, offset } => self.report(
                &rules::zip_name_mismatch::RULE,
                &member(central),
                Some(*offset),
                format!("the local header names it {local:?}; readers disagree on what this member is"),
            ),
            Issue::Duplicate { name, case_only } => {
                let what = if *case_only { "names that differ only in case" } else { "the same name twice" };
                self.report(
                    &rules::zip_duplicate_member::RULE,
                    &member(name),
                    None,
                    format!("{what}: PyTorch loads the first match (ignoring case), zipfile the last; every copy was scanned"),
                );
            }
            Issue::FlagBits { name, flags } => self.report(
                &rules::zip_flag_bits::RULE,
                &member(name),
                None,
                format!("general-purpose flags {flags:#06x} (encryption/patch bits): zipfile refuses the member, PyTorch ignores the bits"),
            ),
            Issue::Hidden { name, offset } => self.report(
                &rules::zip_hidden_member::RULE,
                &member(name),
                Some(*offset),
                "a local header that the central directory does not list; it was scanned".to_owned(),
            ),
            Issue::Overlap { first, second, offset } => self.report(
                &rules::zip_overlapping_members::RULE,
                &member(second),
                Some(*offset),
                format!("overlaps {first:?}"),
            ),
            Issue::Prepended { bytes } => self.report(
                &rules::zip_prepended_data::RULE,
                path,
                Some(0),
                format!("{bytes} bytes before the first zip member (a file with a zip appended)"),
            ),
            Issue::Malformed { reason, offset } => {
                self.report(&rules::zip_malformed::RULE, path, Some(*offset), reason.clone());
            }
        }
    }

    fn check_member_name(&mut self, name: &str, member: &[String]) {
        let traversal = name.starts_with('/')
            || name.starts_with('\\')
            || name.as_bytes().get(1) == Some(&b':')
            || name.split(['/', '\\']).any(|c| c == "..");
        if traversal {
            self.report(
                &rules::path_traversal::RULE,
                member,
                None,
                "the member name leaves the extraction folder".to_owned(),
            );
        }
    }

    pub(crate) fn tar(&mut self, src: &dyn Source, path: &[String], depth: u32) {
        let archive = tar::read(src, self.options.limits.max_members);
        if let Some((reason, offset)) = &archive.error {
            self.report(
                &rules::corrupt_data::RULE,
                path,
                Some(*offset),
                format!("tar: {reason}"),
            );
        }
        for m in &archive.members {
            let mut member = path.to_vec();
            member.push(m.name.clone());
            self.check_member_name(&m.name, &member);
            match m.kind {
                tar::Kind::File => {}
                tar::Kind::Directory => continue,
                tar::Kind::Symlink | tar::Kind::Hardlink => {
                    self.report(
                        &rules::special_member::RULE,
                        &member,
                        Some(m.data_offset.saturating_sub(512)),
                        format!(
                            "link to {:?}: extraction or loading follows it out of the archive",
                            m.target
                        ),
                    );
                    continue;
                }
                tar::Kind::Device | tar::Kind::Fifo | tar::Kind::Other(_) => {
                    self.report(
                        &rules::special_member::RULE,
                        &member,
                        Some(m.data_offset.saturating_sub(512)),
                        format!("{:?} member: not a regular file", m.kind),
                    );
                    continue;
                }
            }
            if !self.spend(m.size, &member) {
                return;
            }
            let Ok(data) =
                src.read_at(m.data_offset, usize::try_from(m.size).unwrap_or(usize::MAX))
            else {
                continue;
            };
            if let Some(kind) = executable_kind(&m.name, &data) {
                self.report(
                    &rules::executable_member::RULE,
                    &member,
                    Some(m.data_offset),
                    format!("{kind} in the archive: loading or unpacking this model can run it"),
                );
                continue;
            }
            self.node(
                &data.as_ref(),
                Some(&m.name),
                &member,
                depth + 1,
                Origin::Member,
            );
        }
    }

    /// 7z archives (checkpoints have shipped 7z-compressed). Every member
    /// is decoded within the limits and scanned by content as soon as it is
    /// decoded (one member in memory at a time). The ratio limit is judged
    /// as the archive is decoded: all output so far against all bytes read
    /// (a solid block cannot be split by member).
    pub(crate) fn seven_zip(&mut self, src: &dyn Source, path: &[String], depth: u32) {
        let read = std::cell::Cell::new(0u64);
        let mut reader = match sevenz_rust2::ArchiveReader::new_with_memory_limit(
            source::SourceReader::counted(src, &read),
            sevenz_rust2::Password::empty(),
            256 * 1024,
        ) {
            Ok(r) => r,
            Err(e) => {
                self.report(
                    &rules::corrupt_data::RULE,
                    path,
                    Some(0),
                    format!("7z archive cannot be read: {e}"),
                );
                return;
            }
        };
        reader.set_thread_count(1);
        let limits = self.options.limits.clone();
        let deadline = self.deadline;
        // Output and ratio across the archive (a solid block spans members).
        let mut output = 0u64;
        let mut ratio = compress::Ratio::new(limits.max_ratio);
        let mut chunk = vec![0u8; 64 << 10];
        let result = reader.for_each_entries(|entry, r| {
            if entry.is_directory() {
                return Ok(true);
            }
            let limit = limits
                .max_member_bytes
                .min(limits.max_total_bytes.saturating_sub(self.total_bytes));
            let mut data = Buffer::new(limits.max_in_flight, limit);
            let mut stopped = None;
            loop {
                let n = r.read(&mut chunk)?;
                if n == 0 {
                    break;
                }
                let room =
                    usize::try_from(limit.saturating_sub(data.len() as u64)).unwrap_or(usize::MAX);
                data.extend(&chunk[..n.min(room)]);
                output += n as u64;
                if n > room {
                    stopped = Some(Stopped::Limit { limit });
                    break;
                }
                if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                    stopped = Some(Stopped::Time);
                    break;
                }
                ratio.note(&chunk[..n]);
                if ratio.over(output, read.get()) {
                    stopped = Some(Stopped::Ratio {
                        ratio: limits.max_ratio,
                        output,
                        consumed: read.get(),
                    });
                    break;
                }
            }
            let go_on = self.seven_zip_member(entry.name(), &data, stopped.as_ref(), path, depth);
            Ok(go_on && stopped.is_none())
        });
        if let Err(e) = result {
            self.report(
                &rules::corrupt_data::RULE,
                path,
                None,
                format!(
                    "7z data could not be fully decoded ({e}); the decoded members were scanned"
                ),
            );
        }
    }

    /// One decoded 7z member; false when the artifact's byte budget is spent.
    fn seven_zip_member(
        &mut self,
        name: &str,
        data: &[u8],
        stopped: Option<&Stopped>,
        path: &[String],
        depth: u32,
    ) -> bool {
        let mut member = path.to_vec();
        member.push(name.to_owned());
        self.check_member_name(name, &member);
        if let Some(stop) = stopped {
            self.report_stop(stop, &member, None, "member");
        }
        if !self.spend(data.len() as u64, &member) {
            return false;
        }
        if let Some(kind) = executable_kind(name, data) {
            self.report(
                &rules::executable_member::RULE,
                &member,
                None,
                format!("{kind} in the archive: loading or unpacking this model can run it"),
            );
            return true;
        }
        self.node(&data, Some(name), &member, depth + 1, Origin::Member);
        true
    }

    fn torchscript(&mut self, files: &[(Vec<String>, Vec<u8>, u64)]) {
        const NOT_TORCHSCRIPT: &[&str] = &[
            "__import__",
            "import os",
            "os.system",
            "subprocess",
            "eval(",
            "exec(",
            "open(",
            "__builtins__",
            "globals()",
            "load_library",
        ];
        let mut suspicious = false;
        for (member, data, offset) in files {
            let text = String::from_utf8_lossy(data);
            if let Some(word) = NOT_TORCHSCRIPT.iter().find(|w| text.contains(*w)) {
                suspicious = true;
                let f = Finding::builder(
                    &rules::torchscript_code::RULE,
                    format!(
                        "TorchScript code uses `{word}`, which ordinary TorchScript never contains"
                    ),
                )
                .severity(Severity::High)
                .at(location(member, Some(*offset)))
                .build();
                self.findings.push(f);
            }
        }
        if !suspicious {
            let (member, _, offset) = &files[0];
            let mut f = Finding::builder(
                &rules::torchscript_code::RULE,
                format!(
                    "{} TorchScript code file(s): torch.jit.load compiles and runs them",
                    files.len()
                ),
            )
            .at(location(&member[..member.len() - 1], Some(*offset)))
            .build();
            f.occurrences = u32::try_from(files.len()).unwrap_or(u32::MAX);
            self.findings.push(f);
        }
    }
}

/// Zip method 14: a 2-byte version, 2-byte properties size, then LZMA
/// properties and data without the size field of the `.lzma` format.
fn decode_zip_lzma(input: &[u8], size: u64, bound: compress::Bound) -> compress::Decoded {
    if input.len() < 5 {
        return compress::Decoded {
            data: Buffer::new(bound.max_in_flight, 0),
            stopped: Some(Stopped::Corrupt {
                reason: "truncated LZMA properties".into(),
            }),
        };
    }
    let mut alone = input[..5].to_vec();
    alone.extend_from_slice(&size.to_le_bytes());
    alone.extend_from_slice(&input[5..]);
    compress::decompress(Codec::Lzma, &alone, bound)
}

/// Native code by content (ELF, PE, Mach-O) or by name.
/// XML parts of an OOXML package that hold settings, not text: content
/// types, relationships, fonts, themes, numbering, web settings, custom XML
/// properties.
/// An office document: a zip whose text parts go to a document reader
/// together (styles apply across parts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Office {
    Word,
    Excel,
    PowerPoint,
    OpenDocument,
    Epub,
}

impl Office {
    fn of<'a>(names: impl Iterator<Item = &'a str> + Clone) -> Option<Self> {
        use loadguard_docs::{docx, epub, odf, pptx, xlsx};
        if docx::is_docx(names.clone()) {
            Some(Self::Word)
        } else if xlsx::is_xlsx(names.clone()) {
            Some(Self::Excel)
        } else if pptx::is_pptx(names.clone()) {
            Some(Self::PowerPoint)
        } else if odf::is_odf(names.clone()) {
            Some(Self::OpenDocument)
        } else if epub::is_epub(names) {
            Some(Self::Epub)
        } else {
            None
        }
    }

    fn kind(self) -> loadguard_docs::Kind {
        match self {
            Self::Word => loadguard_docs::Kind::Docx,
            Self::Excel => loadguard_docs::Kind::Xlsx,
            Self::PowerPoint => loadguard_docs::Kind::Pptx,
            Self::OpenDocument => loadguard_docs::Kind::Odf,
            Self::Epub => loadguard_docs::Kind::Epub,
        }
    }

    fn is_text_part(self, name: &str) -> bool {
        use loadguard_docs::{docx, epub, odf, pptx, xlsx};
        match self {
            Self::Word => docx::is_text_part(name),
            Self::Excel => xlsx::is_text_part(name),
            Self::PowerPoint => pptx::is_text_part(name),
            Self::OpenDocument => odf::is_text_part(name),
            Self::Epub => epub::is_text_part(name),
        }
    }

    /// Package plumbing the suite reads as settings, never as text
    /// (relationships, content types, manifests, themes, masters and
    /// layouts, fonts, printer settings). Macros and embedded objects are
    /// not plumbing: they are scanned as members.
    fn is_package_part(self, name: &str) -> bool {
        let root = match self {
            Self::Word => "word/",
            Self::Excel => "xl/",
            Self::PowerPoint => "ppt/",
            Self::OpenDocument => return loadguard_docs::odf::is_package_part(name),
            Self::Epub => return loadguard_docs::epub::is_package_part(name),
        };
        let inside = name.starts_with(root)
            || name.starts_with("docProps/")
            || name.starts_with("customXml/");
        name == "[Content_Types].xml"
            || name.ends_with(".rels")
            || inside
                && (name.ends_with(".xml")
                    || name.ends_with(".vml")
                    || name.contains("/printerSettings/")
                    || name.contains("/fonts/"))
    }

    fn document(
        self,
        parts: &[(&str, &[u8])],
        limits: &loadguard_docs::Limits,
    ) -> loadguard_docs::Document {
        use loadguard_docs::{docx, epub, odf, pptx, xlsx};
        match self {
            Self::Word => docx::document(parts, limits),
            Self::Excel => xlsx::document(parts, limits),
            Self::PowerPoint => pptx::document(parts, limits),
            Self::OpenDocument => odf::document(parts, limits),
            Self::Epub => epub::document(parts, limits),
        }
    }
}

fn executable_kind(name: &str, data: &[u8]) -> Option<&'static str> {
    let by_content = match data {
        [0x7f, b'E', b'L', b'F', ..] => Some("an ELF binary"),
        [b'M', b'Z', ..] if data.len() > 64 => Some("a Windows executable"),
        [0xfe, 0xed, 0xfa, 0xce | 0xcf, ..] | [0xce | 0xcf, 0xfa, 0xed, 0xfe, ..] => {
            Some("a Mach-O binary")
        }
        _ => None,
    };
    let lower = name.to_ascii_lowercase();
    let by_name = [".so", ".dll", ".dylib", ".pyd", ".exe"]
        .iter()
        .any(|ext| lower.ends_with(ext) || lower.contains(&format!("{ext}.")))
        .then_some("a native library");
    by_content.or(by_name)
}

/// The small text records `torch.save` and `torch.jit.save` write beside
/// the pickles (`version`, `byteorder`, `.data/serialization_id`...): torch
/// reads them as text, nothing unpickles them.
fn is_torch_metadata(name: &str, data: &[u8]) -> bool {
    const NAMES: &[&str] = &[
        "version",
        ".format_version",
        ".storage_alignment",
        "byteorder",
        ".data/version",
        ".data/serialization_id",
    ];
    let known = NAMES
        .iter()
        .any(|n| name == *n || name.ends_with(&format!("/{n}")));
    known
        && data.len() <= 256
        && data
            .iter()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
}
