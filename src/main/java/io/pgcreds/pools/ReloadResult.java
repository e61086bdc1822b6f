package io.pgcreds.pools;

import java.util.List;

/** What one reconciliation changed, by credential name. */
public record ReloadResult(List<String> added, List<String> removed, List<String> replaced,
                          List<String> unchanged, List<String> errors) {
    public ReloadResult {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        replaced = List.copyOf(replaced);
        unchanged = List.copyOf(unchanged);
        errors = List.copyOf(errors);
    }

    public boolean changedAnything() {
        return !added.isEmpty() || !removed.isEmpty() || !replaced.isEmpty();
    }
}
