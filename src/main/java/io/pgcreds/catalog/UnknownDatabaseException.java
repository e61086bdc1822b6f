package io.pgcreds.catalog;

import io.pgcreds.util.Echo;
import io.pgcreds.util.PgCredsException;

import java.util.Collection;

/** An access matrix was asked for a database that none of the credentials connects to. */
public final class UnknownDatabaseException extends PgCredsException {
    /**
     * @param database as the request gave it (quoted shortened and escaped)
     * @param known    every database the credentials connect to, as {@code host:port/name}
     */
    public UnknownDatabaseException(String database, Collection<String> known) {
        super("no credential connects to a database " + Echo.quoted(database) + "; give its name or host:port/name; databases: "
                + (known.isEmpty() ? "none" : String.join(", ", known)));
    }
}
