package io.pgcreds.pools;

import io.pgcreds.util.PgCredsException;

/**
 * A request's pool was replaced under it: while it waited for a connection, or while its read-only
 * work ran on the old server and the old server went away (a failover). Either way it has changed
 * nothing, so it starts over on the successor and still answers from one generation.
 */
final class PoolRetiredException extends PgCredsException {
    PoolRetiredException(ManagedPool pool) {
        super("pool " + pool + " was replaced while a request used it");
    }
}
