package io.pgcreds.reload;

import java.util.List;

/**
 * What one reconciliation did, by credential name: added, removed, replaced (a new pool serves),
 * unchanged, pending (the new config does not work yet, the old pool serves), failed (neither
 * works), recovered (a failed credential now works), and the errors met, each naming its credential.
 *
 * @param publishedAtNanos {@link System#nanoTime()} when its registry snapshot was published: from then on
 *                         requests get the new pools
 */
public record ReloadResult(List<String> added, List<String> removed, List<String> replaced,
                           List<String> unchanged, List<String> pending, List<String> failed,
                           List<String> recovered, List<String> errors, long publishedAtNanos) {
    public ReloadResult {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        replaced = List.copyOf(replaced);
        unchanged = List.copyOf(unchanged);
        pending = List.copyOf(pending);
        failed = List.copyOf(failed);
        recovered = List.copyOf(recovered);
        errors = List.copyOf(errors);
    }

    public boolean changedAnything() {
        return !added.isEmpty() || !removed.isEmpty() || !replaced.isEmpty() || !recovered.isEmpty();
    }

    /** True when some credential waits for a retry: pending or failed. */
    public boolean needsRetry() {
        return !pending.isEmpty() || !failed.isEmpty();
    }
}
