package io.pgcreds.catalog;

import io.pgcreds.util.Echo;
import io.pgcreds.util.PgCredsException;

/**
 * A table that does not exist, or that the credential cannot see: one answer for both, so that
 * asking never tells whether a table the credential may not see exists.
 */
public final class TableNotFoundException extends PgCredsException {
    public TableNotFoundException(String credential, String schema, String name) {
        super("no table " + quoted(schema) + "." + quoted(name) + " that credential " + credential + " can see");
    }

    /** An identifier as SQL quotes it, shortened and escaped as {@link Echo} does. */
    private static String quoted(String identifier) {
        return "\"" + Echo.shown(identifier).replace("\"", "\"\"") + "\"";
    }
}
