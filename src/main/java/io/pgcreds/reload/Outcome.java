package io.pgcreds.reload;

import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.ManagedPool;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one reconciliation decides, credential by credential: the entries of the next snapshot, the
 * pools to publish, retire or discard, the credentials leaving or kept (see {@link RemovalGrace}), and
 * the names for its {@link ReloadResult}. Its methods are
 * synchronized because changes are validated in parallel.
 */
final class Outcome {
    private final Map<String, CredentialEntry> next = new HashMap<>();
    private final List<String> added = new ArrayList<>();
    private final List<String> removed = new ArrayList<>();
    private final List<String> replaced = new ArrayList<>();
    private final List<String> unchanged = new ArrayList<>();
    private final List<String> pending = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();
    private final List<String> recovered = new ArrayList<>();
    private final List<String> leaving = new ArrayList<>();
    private final List<String> newlyLeaving = new ArrayList<>();
    private final List<String> kept = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    final List<ManagedPool> published = new ArrayList<>();
    final List<ManagedPool> retired = new ArrayList<>();
    final List<ManagedPool> discarded = new ArrayList<>();
    /** Each published pool that replaces one, with the one it replaces. */
    final Map<ManagedPool, ManagedPool> predecessors = new HashMap<>();

    synchronized void added(CredentialEntry entry) {
        next.put(entry.name(), entry);
        added.add(entry.name());
        published.add(entry.pool());
    }

    synchronized void unchanged(CredentialEntry entry) {
        next.put(entry.name(), entry);
        unchanged.add(entry.name());
    }

    synchronized void invalid(CredentialEntry entry) {
        next.put(entry.name(), entry);
        errors.add(entry.error());
    }

    synchronized void removed(CredentialEntry old) {
        removed.add(old.name());
        if (old.hasPool()) {
            retired.add(old.pool());
        }
    }

    /**
     * A credential absent from the config that keeps serving out its removal grace ({@code marked}
     * carries the mark); {@code started}: it was in the config until now.
     */
    synchronized void leaving(CredentialEntry marked, boolean started) {
        next.put(marked.name(), marked);
        leaving.add(marked.name());
        if (started) {
            newlyLeaving.add(marked.name());
        }
    }

    /** A credential that was leaving is back in the config within its grace: its removal is called off. */
    synchronized void kept(String name) {
        kept.add(name);
    }

    /** A failed credential's own pool works again, or still does not ({@code entry.error()}). */
    synchronized void revalidated(CredentialEntry entry) {
        next.put(entry.name(), entry);
        if (entry.error() == null) {
            recovered.add(entry.name());
        } else {
            failed.add(entry.name());
            errors.add(entry.name() + ": " + entry.error());
        }
    }

    /** A new pool serves: validated ({@code entry.error()} null) or, when the old one fails too, failing. */
    synchronized void published(CredentialEntry entry, CredentialEntry old) {
        next.put(entry.name(), entry);
        (entry.error() == null ? replaced : failed).add(entry.name());
        if (entry.error() != null) {
            errors.add(entry.name() + ": " + entry.error());
        }
        published.add(entry.pool());
        if (old != null && old.hasPool()) {
            retired.add(old.pool());
            predecessors.put(entry.pool(), old.pool());
        }
    }

    /** The new config does not work yet and the old pool does: it keeps serving, the candidate goes. */
    synchronized void pending(CredentialEntry kept, ManagedPool candidate) {
        next.put(kept.name(), kept);
        pending.add(kept.name());
        errors.add(kept.name() + ": " + kept.error());
        discarded.add(candidate);
    }

    synchronized boolean decided(String name) {
        return next.containsKey(name);
    }

    synchronized Map<String, CredentialEntry> entries() {
        return Map.copyOf(next);
    }

    /** @param publishedAtNanos when the snapshot built from it was published ({@link System#nanoTime()}) */
    synchronized ReloadResult result(long publishedAtNanos) {
        return new ReloadResult(sorted(added), sorted(removed), sorted(replaced), sorted(unchanged),
                sorted(pending), sorted(failed), sorted(recovered), sorted(leaving), sorted(newlyLeaving), sorted(kept),
                sorted(errors), publishedAtNanos);
    }

    private static List<String> sorted(List<String> names) {
        return names.stream().sorted().toList();
    }
}
