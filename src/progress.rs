//! A progress line on stderr for long scans, only on a terminal.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Runs `work`, printing `[done/total]` to stderr every 200 ms when `show`.
pub(crate) fn with_progress<T>(
    show: bool,
    done: &AtomicUsize,
    total: &AtomicUsize,
    work: impl FnOnce() -> T,
) -> T {
    if !show {
        return work();
    }
    let finished = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut printed = false;
            // Quiet for the first second: short scans print nothing.
            std::thread::sleep(Duration::from_millis(1000));
            while !finished.load(Ordering::Relaxed) {
                let (d, t) = (done.load(Ordering::Relaxed), total.load(Ordering::Relaxed));
                let _ = write!(
                    std::io::stderr(),
                    "\r\x1b[Kloadguard: scanned {d}/{t} files"
                );
                printed = true;
                std::thread::sleep(Duration::from_millis(200));
            }
            if printed {
                let _ = write!(std::io::stderr(), "\r\x1b[K");
            }
        });
        let result = work();
        finished.store(true, Ordering::Relaxed);
        result
    })
}
