package io.pgcreds.pools;

import io.pgcreds.PgCredsException;

/**
 * A request waited for a connection from a pool that was replaced meanwhile. It has done no
 * database work yet, so it starts over on the successor and still runs on one generation.
 */
public final class PoolRetiredException extends PgCredsException {
    PoolRetiredException(ManagedPool pool) {
        super("pool " + pool + " was replaced while a request waited for a connection");
    }
}
