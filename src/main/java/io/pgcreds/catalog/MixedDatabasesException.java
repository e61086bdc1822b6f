package io.pgcreds.catalog;

import io.pgcreds.util.Echo;
import io.pgcreds.util.PgCredsException;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The credentials an access matrix was asked to compare connect to different databases (or not to
 * the database asked for): a table name means nothing across databases, so one matrix covers one.
 */
public final class MixedDatabasesException extends PgCredsException {
    /**
     * @param database   the database asked for, or null
     * @param byDatabase the credentials' names by the database they connect to ({@code host:port/name})
     */
    public MixedDatabasesException(String database, Map<String, Set<String>> byDatabase) {
        super((database == null ? "the credentials connect to different databases"
                : "not every credential asked for connects to database " + Echo.quoted(database)) + ": " + byDatabase.entrySet().stream()
                .map(entry -> String.join(", ", entry.getValue()) + " to " + entry.getKey())
                .collect(Collectors.joining("; ")) + "; one matrix compares the credentials of one database");
    }
}
