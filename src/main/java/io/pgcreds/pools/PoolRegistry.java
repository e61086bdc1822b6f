package io.pgcreds.pools;

import io.pgcreds.discovery.IgnoredVar;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The credentials the service holds, as one immutable snapshot replaced whole by the reconciler.
 * Readers take the snapshot once per operation, so a request never sees half a reload.
 * Thread-safe.
 */
public final class PoolRegistry {
    private final String defaultCredential;
    private final AtomicReference<Snapshot> current;
    private final Object published = new Object();
    private volatile boolean reconciling;
    private volatile boolean changeNoticed;

    public PoolRegistry(String defaultCredential) {
        this.defaultCredential = defaultCredential;
        this.current = new AtomicReference<>(new Snapshot(Map.of(), List.of(), Instant.now()));
    }

    /** One consistent view: entries by name, ignored vars, and when it was published. */
    public record Snapshot(Map<String, CredentialEntry> entries, List<IgnoredVar> ignored, Instant publishedAt) {
        public Snapshot {
            entries = Map.copyOf(entries);
            ignored = List.copyOf(ignored);
        }

        /** Entries sorted by name. */
        public Collection<CredentialEntry> sorted() {
            return new TreeMap<>(entries).values();
        }

        /** Finds a credential by its name or by the name of any of its config vars without {@code _URL}. */
        public CredentialEntry find(String nameOrAlias) {
            CredentialEntry entry = entries.get(nameOrAlias);
            if (entry != null) {
                return entry;
            }
            String var = nameOrAlias + "_URL";
            for (CredentialEntry candidate : entries.values()) {
                if (candidate.configVars().contains(var)) {
                    return candidate;
                }
            }
            return null;
        }
    }

    public Snapshot snapshot() {
        return current.get();
    }

    public String defaultCredentialName() {
        return defaultCredential;
    }

    /** The default credential ({@code PGCREDS_DEFAULT_CREDENTIAL}, by name or alias), or null. */
    public CredentialEntry defaultEntry(Snapshot snapshot) {
        return snapshot.find(defaultCredential);
    }

    public CredentialEntry resolve(String nameOrAlias) {
        Snapshot snapshot = current.get();
        CredentialEntry entry = snapshot.find(nameOrAlias);
        if (entry == null) {
            throw new UnknownCredentialException(nameOrAlias, new TreeMap<>(snapshot.entries()).keySet());
        }
        return entry;
    }

    /** Makes {@code snapshot} the current one, for every request that starts from now on. For the reconciler. */
    public void publish(Snapshot snapshot) {
        current.set(snapshot);
        synchronized (published) {
            published.notifyAll();
        }
    }

    /** Whether a reconciliation runs now (new pools may be published soon). For the reconciler. */
    public void reconciling(boolean inProgress) {
        reconciling = inProgress;
        synchronized (published) {
            published.notifyAll();
        }
    }

    /**
     * A config source has seen a change that no reconciliation has read yet: from this moment, not
     * only from when the reconciliation starts, requests for a credential that is down wait for it.
     * For the reconciler.
     */
    public void changeNoticed(boolean noticed) {
        changeNoticed = noticed;
        synchronized (published) {
            published.notifyAll();
        }
    }

    /** True while a reconciliation runs or a noticed change waits for one: new pools may be published soon. */
    public boolean isReconciling() {
        return reconciling || changeNoticed;
    }

    /**
     * Waits until a snapshot other than {@code seen} is published or no reconciliation is running,
     * at most {@code timeout}. Requests for a credential that is down use it to wait for a
     * replacement that is being validated instead of failing at once.
     */
    public void awaitReconciliation(Snapshot seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (published) {
            while (isReconciling() && current.get() == seen) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return;
                }
                published.wait(Math.max(1, remaining / 1_000_000));
            }
        }
    }

    /**
     * Takes the current pool of a credential for one request. A pool retired between reading the
     * registry and taking it is skipped for its successor, which is always published first, so a
     * request holds exactly one generation from start to end and a draining pool waits for it.
     */
    Lease lease(String nameOrAlias) {
        while (true) {
            CredentialEntry entry = resolve(nameOrAlias);
            if (!entry.hasPool()) {
                throw new CredentialUnavailableException("credential " + entry.name()
                        + " has no usable configuration: " + entry.error(), ErrorClass.CONFIG, null);
            }
            if (entry.pool().tryEnter()) {
                return new Lease(entry.pool());
            }
            Thread.onSpinWait();
        }
    }
}
