package io.pgcreds.catalog;

import io.pgcreds.discovery.CredentialSpec;
import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.pools.UnknownCredentialException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which credentials one access matrix compares: always the credentials of one database (the same
 * host, port and database name), since a table name means nothing across databases. Chosen from one
 * registry snapshot: the credentials named (each by name or alias), else every credential of the
 * database named, else every credential of the default credential's database. A credential without
 * a usable configuration has no known database: it joins only when named, and then answers
 * unavailable. Immutable.
 *
 * @param database the database's name, or null when no credential of the scope has a configuration
 * @param names    the credentials' names, sorted, without repeats
 */
record AccessScope(String database, List<String> names) {
    AccessScope {
        names = List.copyOf(names);
    }

    /** Where a credential connects: its database's identity. */
    private record Database(String host, int port, String name) {
        static Database of(CredentialEntry entry) {
            if (!entry.hasPool()) {
                return null;
            }
            CredentialSpec spec = entry.pool().spec();
            return new Database(spec.host(), spec.port(), spec.database());
        }

        @Override
        public String toString() {
            return name + " on " + host + ":" + port;
        }
    }

    /**
     * @param named    credential names or aliases (empty: not narrowed)
     * @param database a database name (null: not narrowed); with {@code named}, they must connect to it
     * @throws UnknownCredentialException a named credential, or the default one when nothing is named, does not exist
     * @throws UnknownDatabaseException   no credential connects to {@code database}
     * @throws MixedDatabasesException    the credentials asked for are not all of one database
     */
    static AccessScope select(PoolRegistry registry, List<String> named, String database) {
        PoolRegistry.Snapshot snapshot = registry.snapshot();
        Map<String, CredentialEntry> chosen = new TreeMap<>();
        if (!named.isEmpty()) {
            named.forEach(name -> add(chosen, snapshot, name));
        } else if (database != null) {
            snapshot.entries().values().stream().filter(entry -> Database.of(entry) != null
                    && Database.of(entry).name().equals(database)).forEach(entry -> chosen.put(entry.name(), entry));
            if (chosen.isEmpty()) {
                throw new UnknownDatabaseException(database, databaseNames(snapshot));
            }
        } else {
            CredentialEntry defaultEntry = add(chosen, snapshot, registry.defaultCredentialName());
            Database itsDatabase = Database.of(defaultEntry);
            snapshot.entries().values().stream().filter(entry -> itsDatabase != null
                    && itsDatabase.equals(Database.of(entry))).forEach(entry -> chosen.put(entry.name(), entry));
        }
        Map<String, Set<String>> byDatabase = new TreeMap<>();
        chosen.values().stream().filter(CredentialEntry::hasPool).forEach(entry -> byDatabase
                .computeIfAbsent(Database.of(entry).toString(), key -> new TreeSet<>()).add(entry.name()));
        String found = chosen.values().stream().filter(CredentialEntry::hasPool).findFirst()
                .map(entry -> entry.pool().spec().database()).orElse(null);
        if (byDatabase.size() > 1 || database != null && found != null && !found.equals(database)) {
            throw new MixedDatabasesException(database, byDatabase);
        }
        return new AccessScope(found, new ArrayList<>(chosen.keySet()));
    }

    private static CredentialEntry add(Map<String, CredentialEntry> chosen, PoolRegistry.Snapshot snapshot, String name) {
        CredentialEntry entry = snapshot.find(name);
        if (entry == null) {
            throw new UnknownCredentialException(name, new TreeMap<>(snapshot.entries()).keySet());
        }
        chosen.put(entry.name(), entry);
        return entry;
    }

    private static Set<String> databaseNames(PoolRegistry.Snapshot snapshot) {
        Set<String> names = new TreeSet<>();
        snapshot.entries().values().stream().filter(CredentialEntry::hasPool)
                .forEach(entry -> names.add(entry.pool().spec().database()));
        return names;
    }
}
