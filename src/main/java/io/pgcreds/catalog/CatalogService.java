package io.pgcreds.catalog;

import io.pgcreds.health.HealthMonitor;
import io.pgcreds.pools.CredentialUnavailableException;
import io.pgcreds.pools.ErrorClass;
import io.pgcreds.pools.ManagedPool;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.pools.PoolRetiredException;
import io.pgcreds.pools.ProbeResult;

import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads information_schema as a chosen credential: in a read-only transaction with a statement
 * timeout, parameters always bound. A request takes one pool (one generation) and keeps it to the
 * end. Thread-safe.
 */
public final class CatalogService {
    private static final int MAX_ATTEMPTS = 3;
    private static final String SYSTEM_SCHEMAS = "NOT IN ('pg_catalog', 'information_schema')"
            + " AND %1$s NOT LIKE 'pg\\_toast%%' AND %1$s NOT LIKE 'pg\\_temp\\_%%'";

    private final PoolRegistry registry;
    private final HealthMonitor monitor;
    private final Duration waitForReplacement;
    private final String tablesSql;
    private final String schemasSql;

    /**
     * @param waitForReplacement how long a request for a credential that is down may wait for a
     *                           reconciliation in progress to publish its replacement
     */
    public CatalogService(PoolRegistry registry, HealthMonitor monitor, Duration statementTimeout,
                          Duration waitForReplacement) {
        this.registry = registry;
        this.monitor = monitor;
        this.waitForReplacement = waitForReplacement;
        // the whole transaction in one round trip: pgjdbc sends the five statements together, with
        // one Sync, and the connection is back to idle when the answer arrives
        String begin = "BEGIN; SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = "
                + statementTimeout.toMillis() + "; ";
        String end = "; ROLLBACK";
        this.tablesSql = begin
                + "SELECT table_schema::text, table_name::text, table_type::text FROM information_schema.tables"
                + " WHERE table_schema " + String.format(SYSTEM_SCHEMAS, "table_schema")
                + " AND (?::text IS NULL OR table_schema::text = ?::text)"
                + " ORDER BY table_schema, table_name LIMIT ? OFFSET ?" + end;
        this.schemasSql = begin
                + "SELECT schema_name::text, schema_owner::text FROM information_schema.schemata"
                + " WHERE schema_name " + String.format(SYSTEM_SCHEMAS, "schema_name")
                + " ORDER BY schema_name" + end;
    }

    /**
     * What {@code /tables} sends for one page: a read-only transaction that ends in a rollback, all
     * in one round trip (parameters as {@code ?}). The benchmark runs the same with pgbench as its
     * baseline.
     */
    public String tablesSql() {
        return tablesSql;
    }

    public TablePage tables(String credential, String schema, int limit, int offset) {
        return onCurrentPool(credential, lease -> tables(lease, schema, limit, offset));
    }

    private TablePage tables(PoolRegistry.Lease lease, String schema, int limit, int offset) {
        ManagedPool pool = lease.pool();
        List<TableInfo> tables = new ArrayList<>();
        inReadOnlyTransaction(lease, tablesSql, statement -> {
            if (schema == null) {
                statement.setNull(1, Types.VARCHAR);
                statement.setNull(2, Types.VARCHAR);
            } else {
                statement.setString(1, schema);
                statement.setString(2, schema);
            }
            statement.setInt(3, limit + 1); // one more than asked tells whether there is a next page
            statement.setLong(4, offset);
        }, row -> tables.add(new TableInfo(row.getString(1), row.getString(2), row.getString(3))));
        boolean hasMore = tables.size() > limit;
        return new TablePage(pool.name(), pool.generation(), schema, limit, offset, hasMore,
                hasMore ? tables.subList(0, limit) : tables);
    }

    public SchemaList schemas(String credential) {
        return onCurrentPool(credential, lease -> {
            ManagedPool pool = lease.pool();
            List<SchemaInfo> schemas = new ArrayList<>();
            inReadOnlyTransaction(lease, schemasSql, statement -> { },
                    row -> schemas.add(new SchemaInfo(row.getString(1), row.getString(2))));
            return new SchemaList(pool.name(), pool.generation(), schemas);
        });
    }

    /**
     * Runs a request on the credential's current pool. When that pool is replaced while the request
     * waits for a connection, or its old server fails it after the replacement, the request starts
     * over on the successor: its work is read-only, so it changed nothing, and its answer still
     * comes from one generation from start to end.
     */
    private <T> T onCurrentPool(String credential, Function<PoolRegistry.Lease, T> work) {
        for (int attempt = 1; ; attempt++) {
            try (PoolRegistry.Lease lease = usablePool(credential)) {
                return work.apply(lease);
            } catch (PoolRetiredException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw new CredentialUnavailableException("credential " + credential
                            + " was replaced " + attempt + " times while this request ran", ErrorClass.OTHER, e);
                }
            }
        }
    }

    /**
     * A hold on the credential's current pool for this request, or an immediate 503 when it has no
     * pool, or is known to be down and holds no connection.
     */
    private PoolRegistry.Lease usablePool(String credential) {
        String name = credential == null ? registry.defaultCredentialName() : credential;
        long deadline = System.nanoTime() + waitForReplacement.toNanos();
        while (true) {
            PoolRegistry.Snapshot seen = registry.snapshot();
            PoolRegistry.Lease lease = registry.lease(name);
            ManagedPool pool = lease.pool();
            ProbeResult probe = pool.lastProbe();
            if (probe.status() != ProbeResult.Status.DOWN || pool.stats().total() > 0) {
                return lease;
            }
            lease.close();
            // a reconciliation may be validating this credential's replacement right now: wait for it
            if (registry.isReconciling() && System.nanoTime() < deadline) {
                try {
                    registry.awaitReconciliation(seen, Duration.ofNanos(deadline - System.nanoTime()));
                    continue;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ErrorClass errorClass = probe.errorClass() == null ? ErrorClass.OTHER : probe.errorClass();
            throw new CredentialUnavailableException("credential " + pool.name() + " is down (" + errorClass.wireName()
                    + ") as of " + probe.checkedAt(), errorClass, null);
        }
    }

    /**
     * After a failed statement (a timeout, say) the server skipped the batch's ROLLBACK and the
     * session is still in the aborted transaction: roll it back before the connection goes back to
     * the pool, or evict the connection when even that fails.
     */
    private static void endTransaction(ManagedPool pool, Connection connection) {
        try {
            if (connection.isClosed()
                    || connection.unwrap(BaseConnection.class).getTransactionState() == TransactionState.IDLE) {
                return;
            }
            try (Statement rollback = connection.createStatement()) {
                rollback.execute("ROLLBACK");
            }
        } catch (SQLException e) {
            pool.evict(connection);
        }
    }

    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private interface RowReader {
        void read(ResultSet row) throws SQLException;
    }

    private static void inReadOnlyTransaction(PoolRegistry.Lease lease, String sql, Binder binder, RowReader reader) {
        ManagedPool pool = lease.pool();
        try (Connection connection = lease.connection()) {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                binder.bind(statement);
                boolean isResultSet = statement.execute();
                while (!isResultSet) {
                    if (statement.getUpdateCount() == -1) {
                        throw new SQLException("the catalog query returned no rows");
                    }
                    isResultSet = statement.getMoreResults();
                }
                try (ResultSet rows = statement.getResultSet()) {
                    while (rows.next()) {
                        reader.read(rows);
                    }
                }
            } catch (SQLException e) {
                endTransaction(pool, connection);
                throw e;
            }
        } catch (SQLException e) {
            if (pool.isRetired()) {
                // replaced while this request ran, and the old server failed it (a failover's old
                // primary going away): the work was read-only, so it runs again on the successor
                throw new PoolRetiredException(pool);
            }
            pool.recordFailure(e);
            ErrorClass errorClass = ErrorClass.classify(e);
            throw new CredentialUnavailableException("credential " + pool.name() + " could not be read ("
                    + errorClass.wireName() + (e.getSQLState() == null ? "" : ", SQLSTATE " + e.getSQLState()) + ")",
                    errorClass, e);
        }
    }
}
