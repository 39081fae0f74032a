//! Work over a table's slices, cut in chunks for the compute task pool.
//!
//! Pattern: a hot system takes a component's slice (`contiguous_iter`) and
//! hands it here with whether threads are on; each chunk is independent
//! work, so the result never depends on the cut.
//! Reasoning: a loop over a slice is inlined and skips change detection,
//! where a closure per item through `par_iter` was a call per agent.

use bevy_tasks::{ComputeTaskPool, ParallelSlice, ParallelSliceMut};

/// Runs `f(first, chunk)` over `out` cut in chunks, `first` being the
/// chunk's offset in `out` (to find the agent's other components in the
/// slices beside it): over the compute task pool when `parallel`, else as
/// one chunk. Returns `f`'s result for each chunk, in slice order.
pub fn over_chunks<T: Send, R: Send + 'static>(
    parallel: bool,
    mut out: &mut [T],
    f: impl Fn(usize, &mut [T]) -> R + Send + Sync,
) -> Vec<R> {
    match chunk_length(parallel, out.len()) {
        Some(size) => out.par_chunk_map_mut(ComputeTaskPool::get(), size, |i, chunk| f(i * size, chunk)),
        None => vec![f(0, out)],
    }
}

/// [`over_chunks`] for a slice that is only read.
pub fn over_read_chunks<T: Sync, R: Send + 'static>(
    parallel: bool,
    items: &[T],
    f: impl Fn(usize, &[T]) -> R + Send + Sync,
) -> Vec<R> {
    match chunk_length(parallel, items.len()) {
        Some(size) => items.par_chunk_map(ComputeTaskPool::get(), size, |i, chunk| f(i * size, chunk)),
        None => vec![f(0, items)],
    }
}

/// Where each chunk of [`over_chunks`] over `len` items starts: `[0]` when
/// the items run as one chunk.
pub fn chunk_starts(parallel: bool, len: usize) -> Vec<usize> {
    match chunk_length(parallel, len) {
        Some(size) => (0..len).step_by(size).collect(),
        None => vec![0],
    }
}

/// Length of the chunks `len` items are cut into, or `None` to run them
/// whole: a few chunks per thread (the pool's workers and the calling
/// thread) even out uneven work; small tables are not worth a task.
fn chunk_length(parallel: bool, len: usize) -> Option<usize> {
    const CHUNKS_PER_THREAD: usize = 4;
    (parallel && len >= 4096).then(|| len.div_ceil(CHUNKS_PER_THREAD * (ComputeTaskPool::get().thread_num() + 1)))
}
