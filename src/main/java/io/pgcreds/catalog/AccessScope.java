package io.pgcreds.catalog;

import io.pgcreds.discovery.CredentialSpec;
import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.pools.UnknownCredentialException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which credentials one access matrix compares: always the credentials of one database, identified
 * as {@code host:port/name} (a credential's identity without its user), since a table name means
 * nothing across databases and the same name may be on several servers. Chosen from one registry
 * snapshot: the credentials named (each by name or alias), else every credential of the database
 * named, else every credential of the default credential's database. A credential without a usable
 * configuration has no known database: it joins only when named, and then answers unavailable.
 * Immutable.
 *
 * @param database   the database's name, or null when no credential of the scope has a configuration
 * @param databaseId the database as {@code host:port/name}, or null with {@code database}
 * @param names      the credentials' names, sorted, without repeats
 */
record AccessScope(String database, String databaseId, List<String> names) {
    AccessScope {
        names = List.copyOf(names);
    }

    /** Where a credential connects: its database's identity, written {@code host:port/name} (an IPv6 host in brackets). */
    record Database(String host, int port, String name) {
        static Database of(CredentialEntry entry) {
            if (!entry.hasPool()) {
                return null;
            }
            CredentialSpec spec = entry.pool().spec();
            return new Database(spec.host(), spec.port(), spec.database());
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + name;
        }
    }

    /**
     * @param named    credential names or aliases (empty: not narrowed)
     * @param database {@code host:port/name}, or a name that only one server has (null: not narrowed);
     *                 with {@code named}, they must connect to it
     * @throws UnknownCredentialException a named credential, or the default one when nothing is named, does not exist
     * @throws UnknownDatabaseException   no credential connects to {@code database}
     * @throws AmbiguousDatabaseException {@code database} is a name that several servers have, and the
     *                                    credentials named do not say which
     * @throws MixedDatabasesException    the credentials asked for are not all of one database
     */
    static AccessScope select(PoolRegistry registry, List<String> named, String database) {
        PoolRegistry.Snapshot snapshot = registry.snapshot();
        Set<Database> candidates = database == null ? Set.of() : candidates(snapshot, database);
        Map<String, CredentialEntry> chosen = new TreeMap<>();
        if (!named.isEmpty()) {
            named.forEach(name -> add(chosen, snapshot, name));
        } else if (database != null) {
            if (candidates.size() > 1) {
                throw new AmbiguousDatabaseException(database, toStrings(candidates));
            }
            snapshot.entries().values().stream().filter(entry -> candidates.contains(Database.of(entry)))
                    .forEach(entry -> chosen.put(entry.name(), entry));
        } else {
            CredentialEntry defaultEntry = add(chosen, snapshot, registry.defaultCredentialName());
            Database itsDatabase = Database.of(defaultEntry);
            snapshot.entries().values().stream().filter(entry -> itsDatabase != null
                    && itsDatabase.equals(Database.of(entry))).forEach(entry -> chosen.put(entry.name(), entry));
        }
        Map<Database, Set<String>> byDatabase = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        chosen.values().stream().filter(CredentialEntry::hasPool).forEach(entry -> byDatabase
                .computeIfAbsent(Database.of(entry), key -> new TreeSet<>()).add(entry.name()));
        Database found = byDatabase.isEmpty() ? null : byDatabase.keySet().iterator().next();
        if (byDatabase.size() > 1 || database != null && found != null && !candidates.contains(found)) {
            Map<String, Set<String>> shown = new TreeMap<>();
            byDatabase.forEach((where, names) -> shown.put(where.toString(), names));
            throw new MixedDatabasesException(database, shown);
        }
        return new AccessScope(found == null ? null : found.name(), found == null ? null : found.toString(),
                new ArrayList<>(chosen.keySet()));
    }

    /** The databases {@code database} may mean: the one of that identity, else every one of that name. */
    private static Set<Database> candidates(PoolRegistry.Snapshot snapshot, String database) {
        Set<Database> known = new HashSet<>();
        snapshot.entries().values().stream().map(Database::of).filter(Objects::nonNull).forEach(known::add);
        Set<Database> byIdentity = new HashSet<>();
        Set<Database> byName = new HashSet<>();
        for (Database each : known) {
            if (each.toString().equals(database)) {
                byIdentity.add(each);
            } else if (each.name().equals(database)) {
                byName.add(each);
            }
        }
        Set<Database> found = byIdentity.isEmpty() ? byName : byIdentity;
        if (found.isEmpty()) {
            throw new UnknownDatabaseException(database, toStrings(known));
        }
        return found;
    }

    private static Set<String> toStrings(Set<Database> databases) {
        Set<String> shown = new TreeSet<>();
        databases.forEach(each -> shown.add(each.toString()));
        return shown;
    }

    private static CredentialEntry add(Map<String, CredentialEntry> chosen, PoolRegistry.Snapshot snapshot, String name) {
        CredentialEntry entry = snapshot.find(name);
        if (entry == null) {
            throw new UnknownCredentialException(name, new TreeMap<>(snapshot.entries()).keySet());
        }
        chosen.put(entry.name(), entry);
        return entry;
    }
}
