package io.pgcreds.util;

/**
 * The one unchecked base of every failure pgcreds reports on purpose. Subclasses are named after
 * what failed; messages never contain a password or a whole connection URL.
 */
public class PgCredsException extends RuntimeException {
    public PgCredsException(String message) {
        super(message);
    }

    public PgCredsException(String message, Throwable cause) {
        super(message, cause);
    }
}
