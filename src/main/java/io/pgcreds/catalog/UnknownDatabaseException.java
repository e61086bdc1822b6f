package io.pgcreds.catalog;

import io.pgcreds.util.PgCredsException;

import java.util.Collection;

/** An access matrix was asked for a database that none of the credentials connects to. */
public final class UnknownDatabaseException extends PgCredsException {
    /** @param database as the request gave it (already checked: short, no control characters) */
    public UnknownDatabaseException(String database, Collection<String> known) {
        super("no credential connects to a database named '" + database + "'; databases: "
                + (known.isEmpty() ? "none" : String.join(", ", known)));
    }
}
