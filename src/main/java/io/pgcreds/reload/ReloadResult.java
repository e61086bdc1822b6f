package io.pgcreds.reload;

import java.util.List;

/**
 * What one reconciliation did, by credential name: added, removed, replaced (a new pool serves),
 * unchanged, pending (the new config does not work yet, the old pool serves), failed (neither
 * works), recovered (a failed credential now works), leaving (absent from the config, serving out
 * its removal grace), kept (back in the config within its grace), and the errors met, each naming
 * its credential. Immutable.
 *
 * @param leaving          every credential leaving once it was published, the ones that began now included
 * @param newlyLeaving     those of {@code leaving} that were in the config until this reconciliation
 * @param publishedAtNanos {@link System#nanoTime()} when its registry snapshot was published: from then on
 *                         requests get the new pools
 */
public record ReloadResult(List<String> added, List<String> removed, List<String> replaced,
                           List<String> unchanged, List<String> pending, List<String> failed,
                           List<String> recovered, List<String> leaving, List<String> newlyLeaving,
                           List<String> kept, List<String> errors, long publishedAtNanos) {
    public ReloadResult {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        replaced = List.copyOf(replaced);
        unchanged = List.copyOf(unchanged);
        pending = List.copyOf(pending);
        failed = List.copyOf(failed);
        recovered = List.copyOf(recovered);
        leaving = List.copyOf(leaving);
        newlyLeaving = List.copyOf(newlyLeaving);
        kept = List.copyOf(kept);
        errors = List.copyOf(errors);
    }

    /** True when a credential came, went, changed its pool, recovered, began to leave or was kept. */
    public boolean changedAnything() {
        return !added.isEmpty() || !removed.isEmpty() || !replaced.isEmpty() || !recovered.isEmpty()
                || !newlyLeaving.isEmpty() || !kept.isEmpty();
    }

    /** True when some credential waits for a retry: pending or failed. */
    public boolean needsRetry() {
        return !pending.isEmpty() || !failed.isEmpty();
    }
}
