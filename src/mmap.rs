//! The one reviewed `unsafe` in loadguard: mapping a file read-only, and
//! surviving the file shrinking under the map.
//!
//! A page of a mapped file past the file's current end cannot be read: the
//! kernel raises SIGBUS, whose default action ends the process. Another
//! process truncating a file while loadguard scans it (a download being
//! replaced, a cache being pruned) would then end the whole scan, or the
//! Python process that called `loadguard.scan(path)`. So every map is
//! registered in a fixed table, and a SIGBUS handler, installed once, checks
//! the faulting address: inside a registered map, it puts a zero page where
//! the vanished one was (an anonymous map over that page), marks the map as
//! shrunk and returns, so the read is retried and sees zeros; the scan
//! finishes, and the file is reported as changed during the scan (`LG004`),
//! its verdict never "safe". A fault anywhere else goes to the handler that
//! was installed before (Python's `faulthandler`, for instance) or to the
//! default action.
//!
//! The handler only loads atomics and calls `mmap(2)`, a system call; it
//! does not allocate or lock.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::ops::Deref;

/// Files smaller than this are read into memory; mapping costs more.
const MMAP_THRESHOLD: u64 = 1 << 20;

/// The bytes of a file, mapped or read.
pub(crate) enum FileBytes {
    Mapped(Guarded),
    Read(Vec<u8>),
}

impl Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Self::Mapped(m) => &m.map,
            Self::Read(v) => v,
        }
    }
}

impl loadguard_scan::FileView for FileBytes {
    fn shrank(&self) -> bool {
        match self {
            Self::Mapped(m) => m.shrank(),
            Self::Read(_) => false,
        }
    }
}

pub(crate) fn open(path: &std::path::Path) -> io::Result<FileBytes> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if len < MMAP_THRESHOLD {
        let mut v = Vec::with_capacity(len as usize);
        io::Read::read_to_end(&mut file, &mut v)?;
        return Ok(FileBytes::Read(v));
    }
    // SAFETY: the map is read-only and private to this process; nothing
    // writes through it or hands out references that outlive it. A file
    // that shrinks while mapped is handled by `guard` (see the module doc):
    // its lost pages read as zeros and the scan reports the change.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    match guard::register(&map) {
        Some(slot) => Ok(FileBytes::Mapped(Guarded { map, slot })),
        // Every slot taken (more maps at once than the table holds): read
        // the file instead of mapping it unprotected.
        None => {
            drop(map);
            let mut v = Vec::with_capacity(len as usize);
            io::Read::read_to_end(&mut file, &mut v)?;
            Ok(FileBytes::Read(v))
        }
    }
}

/// A map registered with the SIGBUS handler for as long as it lives.
pub(crate) struct Guarded {
    map: memmap2::Mmap,
    slot: usize,
}

impl Guarded {
    fn shrank(&self) -> bool {
        guard::shrank(self.slot)
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        // Unregistered before `map` is unmapped (fields drop after this).
        guard::unregister(self.slot);
    }
}

#[cfg(unix)]
mod guard {
    use std::sync::Once;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// How many maps can be registered at once; beyond, files are read.
    const SLOTS: usize = 256;

    struct Slot {
        /// 0 when free.
        start: AtomicUsize,
        len: AtomicUsize,
        shrank: AtomicBool,
    }

    #[allow(clippy::declare_interior_mutable_const)]
    const FREE: Slot = Slot {
        start: AtomicUsize::new(0),
        len: AtomicUsize::new(0),
        shrank: AtomicBool::new(false),
    };
    static TABLE: [Slot; SLOTS] = [FREE; SLOTS];
    static PAGE: AtomicUsize = AtomicUsize::new(4096);
    static INSTALL: Once = Once::new();
    /// The SIGBUS action before ours, written once before ours is installed.
    static mut PREVIOUS: Option<libc::sigaction> = None;
    static INSTALLED: AtomicBool = AtomicBool::new(false);

    pub(super) fn register(map: &[u8]) -> Option<usize> {
        INSTALL.call_once(install);
        if !INSTALLED.load(Ordering::Acquire) || map.is_empty() {
            return None;
        }
        let start = map.as_ptr() as usize;
        for (i, slot) in TABLE.iter().enumerate() {
            if slot
                .start
                .compare_exchange(0, usize::MAX, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                slot.shrank.store(false, Ordering::Relaxed);
                slot.len.store(map.len(), Ordering::Relaxed);
                // Published last: the handler sees a whole entry or none.
                slot.start.store(start, Ordering::Release);
                return Some(i);
            }
        }
        None
    }

    pub(super) fn unregister(slot: usize) {
        TABLE[slot].start.store(0, Ordering::Release);
    }

    pub(super) fn shrank(slot: usize) -> bool {
        TABLE[slot].shrank.load(Ordering::Acquire)
    }

    fn install() {
        // SAFETY: sysconf and sigaction with valid, zero-initialised
        // structures; PREVIOUS is written here, once, before the handler
        // that reads it can run (it is installed by the second sigaction).
        unsafe {
            let page = libc::sysconf(libc::_SC_PAGESIZE);
            if page > 0 {
                PAGE.store(page as usize, Ordering::Relaxed);
            }
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut old) != 0 {
                return;
            }
            PREVIOUS = Some(old);
            let mut new: libc::sigaction = std::mem::zeroed();
            new.sa_sigaction = on_sigbus as *const () as usize;
            new.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
            libc::sigemptyset(&mut new.sa_mask);
            if libc::sigaction(libc::SIGBUS, &new, std::ptr::null_mut()) == 0 {
                INSTALLED.store(true, Ordering::Release);
            }
        }
    }

    extern "C" fn on_sigbus(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
        // SAFETY: `info` is the kernel's siginfo for this synchronous fault.
        let addr = unsafe { (*info).si_addr() } as usize;
        for slot in &TABLE {
            let start = slot.start.load(Ordering::Acquire);
            if start == 0 || start == usize::MAX {
                continue;
            }
            let len = slot.len.load(Ordering::Relaxed);
            if addr >= start && addr - start < len {
                let page = PAGE.load(Ordering::Relaxed);
                let at = addr & !(page - 1);
                // SAFETY: the page lies inside a live read-only map that
                // this process owns (registered until it is unmapped); an
                // anonymous page replaces the one the file lost.
                let p = unsafe {
                    libc::mmap(
                        at as *mut libc::c_void,
                        page,
                        libc::PROT_READ,
                        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                        -1,
                        0,
                    )
                };
                if p != libc::MAP_FAILED {
                    slot.shrank.store(true, Ordering::Release);
                    return;
                }
                break;
            }
        }
        // Not ours (or the page could not be replaced): what was there before.
        // SAFETY: PREVIOUS was written before this handler was installed.
        let previous = unsafe { *std::ptr::addr_of!(PREVIOUS) };
        match previous {
            Some(old) if old.sa_sigaction != libc::SIG_DFL && old.sa_sigaction != libc::SIG_IGN => {
                // SAFETY: calling the handler that was installed, with the
                // arguments of its kind.
                unsafe {
                    if old.sa_flags & libc::SA_SIGINFO != 0 {
                        let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                            std::mem::transmute(old.sa_sigaction);
                        f(sig, info, ctx);
                    } else {
                        let f: extern "C" fn(libc::c_int) = std::mem::transmute(old.sa_sigaction);
                        f(sig);
                    }
                }
            }
            _ => {
                // The default action: restore it and return; the fault
                // happens again and ends the process as it would have.
                // SAFETY: a valid, zero-initialised sigaction.
                unsafe {
                    let mut dfl: libc::sigaction = std::mem::zeroed();
                    dfl.sa_sigaction = libc::SIG_DFL;
                    libc::sigemptyset(&mut dfl.sa_mask);
                    libc::sigaction(libc::SIGBUS, &dfl, std::ptr::null_mut());
                }
            }
        }
    }
}

#[cfg(not(unix))]
mod guard {
    //! Windows refuses to truncate a file while it is mapped: nothing to guard.
    pub(super) fn register(_: &[u8]) -> Option<usize> {
        Some(0)
    }
    pub(super) fn unregister(_: usize) {}
    pub(super) fn shrank(_: usize) -> bool {
        false
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use loadguard_scan::FileView;

    #[test]
    fn a_file_truncated_while_mapped_reads_as_zeros_and_says_so() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.bin");
        std::fs::write(&path, vec![0xABu8; 3 << 20]).expect("test file");
        let bytes = open(&path).expect("test file");
        assert!(matches!(bytes, FileBytes::Mapped(_)));
        assert!(!bytes.shrank());
        assert_eq!(bytes[0], 0xAB);
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .expect("test file")
            .set_len(1 << 20)
            .expect("test file");
        // The first MiB is still the file; the rest is gone and reads as zeros.
        let sum: u64 = bytes.iter().map(|&b| u64::from(b)).sum();
        assert_eq!(sum, 0xAB * (1 << 20));
        assert!(bytes.shrank());
        assert_eq!(bytes.len(), 3 << 20);
    }

    #[test]
    fn slots_are_reused_after_drop() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.bin");
        std::fs::write(&path, vec![1u8; 2 << 20]).expect("test file");
        // More opens than the table holds, one at a time: each is mapped.
        for _ in 0..300 {
            let b = open(&path).expect("test file");
            assert!(matches!(b, FileBytes::Mapped(_)));
            assert!(!b.shrank());
        }
    }
}
