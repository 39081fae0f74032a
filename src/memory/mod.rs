//! Large allocations on transparent huge pages.
//!
//! Pattern: a global allocator that hands every allocation of at least
//! [`HUGE_PAGE`] bytes out 2 MiB-aligned, rounded up to whole huge pages,
//! and asks the kernel to back it with huge pages (`madvise`); smaller ones
//! go to the system allocator unchanged.
//! Reasoning: the tick jumps about arrays of tens of megabytes (the grid's
//! cells, the prefix sums, the ECS tables). On 4 KiB pages nearly every
//! such jump misses the TLB, and in a virtual machine each miss is a
//! two-level page walk. Linux's default (`madvise` mode) gives huge pages
//! only where asked.

use std::alloc::{GlobalAlloc, Layout, System};

/// Asks the processor to bring `item`'s cache line into the first-level
/// cache, to be read or written soon: a hint only, with no effect on any
/// result. For loops over a list of random places (releases by id, claims)
/// that know the next places before they need them.
#[inline]
pub fn prefetch<T>(item: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and reads nothing; the pointer comes
    // from a reference.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((item as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = item;
}

/// The x86-64 and aarch64 (4 KiB granule) huge page.
pub const HUGE_PAGE: usize = 2 << 20;

/// The system allocator, with allocations of [`HUGE_PAGE`] bytes or more
/// advised onto huge pages. Install it in a binary with
/// `#[global_allocator]`.
pub struct HugePageAlloc;

/// The layout a large request is served with: whole, aligned huge pages.
#[inline]
fn huge(layout: Layout) -> Option<Layout> {
    if layout.size() < HUGE_PAGE {
        return None;
    }
    let size = layout.size().checked_add(HUGE_PAGE - 1)? & !(HUGE_PAGE - 1);
    Layout::from_size_align(size, layout.align().max(HUGE_PAGE)).ok()
}

#[cfg(target_os = "linux")]
fn advise(ptr: *mut u8, size: usize) {
    // Advice only: on failure (no THP in this kernel) the pages stay small.
    // SAFETY: `ptr..ptr + size` is one live block of ours; the advice does
    // not change its contents or its mapping.
    unsafe { libc::madvise(ptr.cast(), size, libc::MADV_HUGEPAGE) };
}

#[cfg(not(target_os = "linux"))]
fn advise(_ptr: *mut u8, _size: usize) {}

// SAFETY: every block comes from `System` with the layout `huge` gives
// (or the caller's, for small blocks), and goes back to it with the same
// layout, which `huge` recomputes from the caller's layout alone.
unsafe impl GlobalAlloc for HugePageAlloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match huge(layout) {
            None => unsafe { System.alloc(layout) },
            Some(h) => {
                let ptr = unsafe { System.alloc(h) };
                if !ptr.is_null() {
                    advise(ptr, h.size());
                }
                ptr
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let Some(h) = huge(layout) else { return unsafe { System.alloc_zeroed(layout) } };
        // Advised (in `alloc`) before the first touch, so the zeroing faults
        // in huge pages.
        let ptr = unsafe { self.alloc(layout) };
        if !ptr.is_null() {
            unsafe { ptr.write_bytes(0, h.size()) };
        }
        ptr
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, huge(layout).unwrap_or(layout)) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (huge(layout), huge(new)) {
            // Both small: the system allocator may grow in place.
            (None, None) => unsafe { System.realloc(ptr, layout, new_size) },
            // Both already whole huge pages of the same size: nothing to do.
            (Some(a), Some(b)) if a.size() == b.size() => ptr,
            _ => {
                let fresh = unsafe { self.alloc(new) };
                if !fresh.is_null() {
                    unsafe {
                        std::ptr::copy_nonoverlapping(ptr, fresh, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                }
                fresh
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Allocates `size` bytes filled with a pattern through the allocator.
    fn filled(size: usize) -> (*mut u8, Layout) {
        let layout = Layout::from_size_align(size, 8).unwrap();
        let ptr = unsafe { HugePageAlloc.alloc(layout) };
        assert!(!ptr.is_null());
        for i in 0..size {
            unsafe { ptr.add(i).write(i as u8) };
        }
        (ptr, layout)
    }

    fn pattern_holds(ptr: *const u8, len: usize) -> bool {
        (0..len).all(|i| unsafe { ptr.add(i).read() } == i as u8)
    }

    #[test]
    fn large_blocks_are_huge_page_aligned_and_small_ones_untouched() {
        let (big, layout) = filled(3 * HUGE_PAGE + 5);
        assert_eq!(big as usize % HUGE_PAGE, 0);
        assert_eq!(huge(layout).unwrap().size(), 4 * HUGE_PAGE);
        assert!(pattern_holds(big, layout.size()));
        unsafe { HugePageAlloc.dealloc(big, layout) };
        assert!(huge(Layout::from_size_align(HUGE_PAGE - 1, 8).unwrap()).is_none());
    }

    #[test]
    fn realloc_keeps_the_contents_across_the_threshold() {
        // Small → large → larger (same pages) → larger (more pages) → small.
        let (mut ptr, mut layout) = filled(1000);
        for size in [HUGE_PAGE + 1, HUGE_PAGE + 4096, 2 * HUGE_PAGE + 1, 512] {
            let kept = layout.size().min(size);
            ptr = unsafe { HugePageAlloc.realloc(ptr, layout, size) };
            assert!(!ptr.is_null());
            assert!(pattern_holds(ptr, kept), "contents lost growing to {size}");
            layout = Layout::from_size_align(size, 8).unwrap();
            for i in kept..size {
                unsafe { ptr.add(i).write(i as u8) };
            }
        }
        unsafe { HugePageAlloc.dealloc(ptr, layout) };
    }

    #[test]
    fn zeroed_large_blocks_are_zero() {
        // Dirty a block, free it, and ask for a zeroed one of the same size:
        // the system allocator may hand the dirty pages back.
        let (dirty, layout) = filled(2 * HUGE_PAGE);
        unsafe { HugePageAlloc.dealloc(dirty, layout) };
        let ptr = unsafe { HugePageAlloc.alloc_zeroed(layout) };
        assert!(!ptr.is_null());
        assert!((0..layout.size()).all(|i| unsafe { ptr.add(i).read() } == 0));
        unsafe { HugePageAlloc.dealloc(ptr, layout) };
    }

    /// Where the kernel has transparent huge pages at all, the block's
    /// mapping must be eligible for them.
    #[cfg(target_os = "linux")]
    #[test]
    fn large_blocks_are_advised_onto_huge_pages() {
        let mode = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled").unwrap_or_default();
        if !mode.contains("[madvise]") && !mode.contains("[always]") {
            return; // No THP on this kernel: the advice is rightly ignored.
        }
        let (ptr, layout) = filled(4 * HUGE_PAGE);
        let at = ptr as usize;
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        // Each mapping starts with "start-end ..."; its THPeligible line
        // follows before the next mapping.
        let mut eligible = None;
        let mut inside = false;
        for line in smaps.lines() {
            if let Some((range, _)) = line.split_once(' ')
                && let Some((a, b)) = range.split_once('-')
                && let (Ok(a), Ok(b)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
            {
                inside = a <= at && at < b;
            } else if inside && let Some(v) = line.strip_prefix("THPeligible:") {
                eligible = Some(v.trim() == "1");
            }
        }
        unsafe { HugePageAlloc.dealloc(ptr, layout) };
        assert_eq!(eligible, Some(true), "block at {at:#x} not eligible for huge pages");
    }
}
