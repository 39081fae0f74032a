//! Ctrl-C (SIGINT) and SIGTERM while runs go on: the first asks them to
//! stop after the tick under way, so every output folder being written is
//! removed and nothing half-written is left; a second kills at once (the
//! handler is reset when it fires).
//!
//! Installed by the batch and run commands only; `mando serve` lets tokio
//! handle Ctrl-C.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

static REQUESTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    REQUESTED.store(true, Relaxed);
}

/// Catches the next SIGINT and SIGTERM.
pub fn install() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: a zeroed sigaction is valid; the handler only stores to
        // an atomic, which is async-signal-safe.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as *const () as usize;
            action.sa_flags = libc::SA_RESETHAND;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// Whether a stop was asked for.
pub fn requested() -> bool {
    REQUESTED.load(Relaxed)
}
