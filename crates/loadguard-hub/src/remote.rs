//! A remote file as a [`Source`]: HTTP range requests behind the same
//! random-access interface the container layer reads local files through,
//! so the zip, pickle and format scanners run unchanged.
//!
//! Reads are planned to cost few requests: bytes come in aligned blocks kept
//! in a small LRU cache; a miss fetches every missing block of the read in
//! one range, and sequential misses double the read-ahead (up to
//! [`MAX_READAHEAD`]), so walking the local headers of a zip with 200,000
//! members is a handful of requests, not 200,000. The first request follows
//! the Hub's redirect to the CDN once; later ranges go to the CDN URL
//! directly (without the token). A server that ignores `Range` (a `200`)
//! is detected: the file is then read whole if it is small enough, or not
//! at all, and the anomaly is recorded for a finding.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::Mutex;

use loadguard_scan::Source;

use crate::client::{Client, HubError};

/// Cache block size.
pub const BLOCK: u64 = 64 * 1024;
/// The most a sequential run of misses reads ahead in one request.
pub const MAX_READAHEAD: u64 = 16 << 20;
/// Cached bytes per file.
pub const MAX_CACHED: u64 = 128 << 20;

/// A file at a commit, read by ranges.
pub struct RemoteFile<'c> {
    client: &'c Client,
    url: String,
    size: u64,
    what: String,
    /// Read whole when the server ignores `Range` and the file is at most this.
    whole_limit: u64,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Where the bytes really are, once the first redirect was followed.
    direct_url: Option<String>,
    blocks: HashMap<u64, Vec<u8>>,
    order: VecDeque<u64>,
    cached: u64,
    /// End of the last fetch, to detect sequential reads.
    last_end: u64,
    readahead: u64,
    /// The whole file, when the server ignored `Range`.
    whole: Option<Vec<u8>>,
    /// What went wrong or looked odd, for findings.
    anomalies: Vec<String>,
}

impl<'c> RemoteFile<'c> {
    pub fn new(client: &'c Client, url: String, size: u64, what: String, whole_limit: u64) -> Self {
        Self {
            client,
            url,
            size,
            what,
            whole_limit,
            state: Mutex::new(State {
                readahead: BLOCK,
                ..State::default()
            }),
        }
    }

    /// What looked wrong while reading (sizes, ignored ranges, errors).
    pub fn anomalies(&self) -> Vec<String> {
        self.state
            .lock()
            .map(|s| s.anomalies.clone())
            .unwrap_or_default()
    }

    /// Fetches `[start, end)` (block aligned, clamped to the size).
    fn fetch(&self, state: &mut State, start: u64, end: u64) -> Result<(), HubError> {
        let url = state.direct_url.clone().unwrap_or_else(|| self.url.clone());
        let len = end - start;
        let a = self
            .client
            .get(&url, Some((start, end - 1)), len, &self.what);
        let a = match a {
            Ok(a) => a,
            // A 200 with the whole file is larger than the range asked for.
            Err(HubError::Protocol(_, m)) if m.starts_with("answer larger") => {
                return self.read_whole(state, &url, "the server ignored the Range header");
            }
            Err(e) => return Err(e),
        };
        self.client.check(&a, &self.what)?;
        if a.url != self.url {
            state.direct_url = Some(a.url.clone());
        }
        if a.status == 200 {
            // The whole file came back (it was no larger than the range).
            if a.body.len() as u64 != self.size {
                state.anomalies.push(format!(
                    "the server ignored the Range header and sent {} bytes; the listing says {}",
                    a.body.len(),
                    self.size
                ));
            }
            state.whole = Some(a.body);
            return Ok(());
        }
        let expected_range = format!("bytes {start}-{}/{}", end - 1, self.size);
        if a.content_range.as_deref() != Some(expected_range.as_str()) {
            let got = a.content_range.unwrap_or_else(|| "none".into());
            state.anomalies.push(format!(
                "asked for {expected_range}, the server answered Content-Range {got}"
            ));
            if !got.ends_with(&format!("/{}", self.size)) {
                return Err(HubError::Protocol(
                    self.what.clone(),
                    format!(
                        "the file's size is not the listing's {} (Content-Range {got})",
                        self.size
                    ),
                ));
            }
        }
        if a.body.len() as u64 != len {
            return Err(HubError::Protocol(
                self.what.clone(),
                format!("asked for {len} bytes at {start}, got {}", a.body.len()),
            ));
        }
        for (i, chunk) in a.body.chunks(BLOCK as usize).enumerate() {
            let index = start / BLOCK + i as u64;
            if state.blocks.insert(index, chunk.to_vec()).is_none() {
                state.order.push_back(index);
                state.cached += chunk.len() as u64;
            }
        }
        while state.cached > MAX_CACHED {
            let Some(old) = state.order.pop_front() else {
                break;
            };
            if let Some(b) = state.blocks.remove(&old) {
                state.cached -= b.len() as u64;
            }
        }
        Ok(())
    }

    fn read_whole(&self, state: &mut State, url: &str, why: &str) -> Result<(), HubError> {
        if self.size > self.whole_limit {
            // `read_at` records the failure as an anomaly.
            return Err(HubError::Protocol(
                self.what.clone(),
                format!(
                    "{why}; the file ({} bytes) is larger than the whole-file limit ({}) and was not read",
                    self.size, self.whole_limit
                ),
            ));
        }
        let a = self.client.get(url, None, self.whole_limit, &self.what)?;
        self.client.check(&a, &self.what)?;
        state.anomalies.push(format!(
            "{why}; the whole file was read instead ({} bytes)",
            a.body.len()
        ));
        state.whole = Some(a.body);
        Ok(())
    }
}

impl Source for RemoteFile<'_> {
    fn size(&self) -> u64 {
        self.size
    }

    fn read_at(&self, offset: u64, len: usize) -> io::Result<Cow<'_, [u8]>> {
        let end = offset.saturating_add(len as u64).min(self.size);
        if offset >= end {
            return Ok(Cow::Owned(Vec::new()));
        }
        let mut state = self
            .state
            .lock()
            .map_err(|_| io::Error::other("remote file state poisoned"))?;
        if let Some(w) = &state.whole {
            let s = usize::try_from(offset).unwrap_or(usize::MAX).min(w.len());
            let e = usize::try_from(end).unwrap_or(usize::MAX).min(w.len());
            return Ok(Cow::Owned(w[s..e].to_vec()));
        }
        let first = offset / BLOCK;
        let last = (end - 1) / BLOCK;
        if let Some(missing) = (first..=last).find(|b| !state.blocks.contains_key(b)) {
            let start = missing * BLOCK;
            // Sequential misses read further ahead each time.
            state.readahead = if start == state.last_end {
                (state.readahead * 2).min(MAX_READAHEAD)
            } else {
                BLOCK
            };
            let want_end = ((last + 1) * BLOCK).max(start + state.readahead);
            let fetch_end = want_end.min(self.size);
            if let Err(e) = self.fetch(&mut state, start, fetch_end) {
                // Recorded here, once for every caller: a scanner that
                // skips what it could not read still leaves a finding.
                state.anomalies.push(format!(
                    "reading bytes {start}-{} failed ({e}): that part was not scanned",
                    fetch_end - 1
                ));
                return Err(io::Error::other(e.to_string()));
            }
            state.last_end = fetch_end;
            if let Some(w) = &state.whole {
                let s = usize::try_from(offset).unwrap_or(usize::MAX).min(w.len());
                let e = usize::try_from(end).unwrap_or(usize::MAX).min(w.len());
                return Ok(Cow::Owned(w[s..e].to_vec()));
            }
        }
        let mut out = Vec::with_capacity((end - offset) as usize);
        for b in first..=last {
            let Some(block) = state.blocks.get(&b) else {
                let why = "a block was evicted while reading";
                state
                    .anomalies
                    .push(format!("{why} (bytes {offset}-{}): not scanned", end - 1));
                return Err(io::Error::other(why));
            };
            let block_start = b * BLOCK;
            let s = offset.max(block_start) - block_start;
            let e = end.min(block_start + block.len() as u64) - block_start;
            out.extend_from_slice(&block[s as usize..e as usize]);
        }
        Ok(Cow::Owned(out))
    }
}
