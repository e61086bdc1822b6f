package io.pgcreds.catalog;

import io.pgcreds.util.Echo;
import io.pgcreds.util.PgCredsException;

import java.util.Collection;

/**
 * An access matrix was asked for a database by a name that databases on several servers have: the
 * answer names them as {@code host:port/name} (never a user or password), which picks one.
 */
public final class AmbiguousDatabaseException extends PgCredsException {
    /**
     * @param database as the request gave it (quoted shortened and escaped)
     * @param matching the databases of that name, as {@code host:port/name}, sorted
     */
    public AmbiguousDatabaseException(String database, Collection<String> matching) {
        super("databases named " + Echo.quoted(database) + " are on " + matching.size() + " servers: "
                + String.join(", ", matching) + "; pick one with database=HOST:PORT/NAME (e.g. database="
                + matching.iterator().next() + "), or name credentials of one of them with credential=");
    }
}
