package io.pgcreds.pools;

import io.pgcreds.util.PgCredsException;

import java.sql.SQLException;

/**
 * A request's read met SQLSTATE 26000 or 42P05: a named server-side statement lost to a
 * transaction-mode pooler. It changed nothing, and the pool now uses unnamed statements only
 * ({@link PoolerSwitch}), so {@link Leases} runs the work once more.
 */
final class NamedStatementLostException extends PgCredsException {
    private final transient SQLException failure;

    NamedStatementLostException(ManagedPool pool, SQLException failure) {
        super("credential " + pool.name() + " lost a named statement to a transaction-mode pooler (SQLSTATE "
                + failure.getSQLState() + ")", failure);
        this.failure = failure;
    }

    /** What the server said. */
    SQLException failure() {
        return failure;
    }
}
