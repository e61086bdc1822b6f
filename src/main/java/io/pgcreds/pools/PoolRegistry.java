package io.pgcreds.pools;

import io.pgcreds.discovery.IgnoredVar;

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

    void publish(Snapshot snapshot) {
        current.set(snapshot);
    }
}
