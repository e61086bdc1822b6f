package io.pgcreds.pools;

import io.pgcreds.discovery.IgnoredVar;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The credentials the service holds, as one immutable snapshot replaced whole by the reconciler.
 * Readers take the snapshot once per operation, so a request never sees half a reload.
 * Thread-safe.
 */
public final class PoolRegistry {
    private final String defaultCredential;
    private final AtomicReference<Snapshot> current;
    /** Notified at every publication and every change of the reconciliation flags. */
    private final Object changed = new Object();
    private volatile boolean reconciling;
    private volatile boolean changeNoticed;

    public PoolRegistry(String defaultCredential) {
        this.defaultCredential = defaultCredential;
        this.current = new AtomicReference<>(new Snapshot(Map.of(), List.of(), Instant.now()));
    }

    /**
     * One consistent view: entries by name, ignored vars, when it was published, and the version of
     * the config it was built from (the Platform API's ETag, or null when the config has none).
     */
    public record Snapshot(Map<String, CredentialEntry> entries, List<IgnoredVar> ignored, Instant publishedAt,
                           String configVersion) {
        public Snapshot {
            entries = Map.copyOf(entries);
            ignored = List.copyOf(ignored);
        }

        /** A snapshot of a config without a version. */
        public Snapshot(Map<String, CredentialEntry> entries, List<IgnoredVar> ignored, Instant publishedAt) {
            this(entries, ignored, publishedAt, null);
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

    /** The credential by name or alias, in the current snapshot. */
    public CredentialEntry resolve(String nameOrAlias) {
        return resolve(current.get(), nameOrAlias);
    }

    private static CredentialEntry resolve(Snapshot snapshot, String nameOrAlias) {
        CredentialEntry entry = snapshot.find(nameOrAlias);
        if (entry == null) {
            throw new UnknownCredentialException(nameOrAlias, new TreeMap<>(snapshot.entries()).keySet());
        }
        return entry;
    }

    /** Makes {@code snapshot} the current one, for every request that starts from now on. For the reconciler. */
    public void publish(Snapshot snapshot) {
        current.set(snapshot);
        signalChange();
    }

    /** Whether a reconciliation runs now (new pools may be published soon). For the reconciler. */
    public void reconciling(boolean inProgress) {
        reconciling = inProgress;
        signalChange();
    }

    /**
     * A config source has seen a change that no reconciliation has read yet: from this moment, not
     * only from when the reconciliation starts, requests for a credential that is down wait for it.
     * For the reconciler.
     */
    public void changeNoticed(boolean noticed) {
        changeNoticed = noticed;
        signalChange();
    }

    /** True while a reconciliation runs or a noticed change waits for one: new pools may be published soon. */
    boolean isReconciling() {
        return reconciling || changeNoticed;
    }

    /**
     * Waits until a snapshot other than {@code seen} is published or no reconciliation is running,
     * at most until {@code deadlineNanos} ({@link System#nanoTime()}). Requests for a credential that
     * is down use it to wait for a replacement that is being validated instead of failing at once.
     */
    void awaitReconciliation(Snapshot seen, long deadlineNanos) {
        awaitChange(() -> !isReconciling() || current.get() != seen, deadlineNanos);
    }

    private void signalChange() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    /**
     * Waits for {@code done}, checked again at every publication and reconciliation signal, at most
     * until {@code deadlineNanos}; returns its last answer. An interrupt ends the wait (and stays set).
     */
    private boolean awaitChange(BooleanSupplier done, long deadlineNanos) {
        synchronized (changed) {
            while (!done.getAsBoolean()) {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(changed, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return done.getAsBoolean();
                }
            }
            return true;
        }
    }

    /**
     * Takes the current pool of a credential for one request. A pool retired between reading the
     * registry and taking it is skipped for its successor, which is always published first, so a
     * request holds exactly one generation from start to end and a draining pool waits for it. Waits
     * for that successor at most until {@code deadlineNanos}.
     *
     * @throws UnknownCredentialException     no such credential (any more)
     * @throws CredentialUnavailableException it has no usable configuration, or no successor came in time
     */
    Lease lease(String nameOrAlias, long deadlineNanos) {
        while (true) {
            Snapshot seen = current.get();
            CredentialEntry entry = resolve(seen, nameOrAlias);
            if (!entry.hasPool()) {
                throw new CredentialUnavailableException("credential " + entry.name()
                        + " has no usable configuration: " + entry.error(), ErrorClass.CONFIG, null);
            }
            if (entry.pool().occupancy().tryEnter()) {
                return new Lease(entry.pool());
            }
            if (!awaitChange(() -> current.get() != seen, deadlineNanos)) {
                throw new CredentialUnavailableException("credential " + entry.name()
                        + " was replaced and its successor is not serving yet", ErrorClass.OTHER, null);
            }
        }
    }
}
