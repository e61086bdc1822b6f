package io.pgcreds.catalog;

import io.pgcreds.pools.Lease;
import io.pgcreds.pools.Leases;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads information_schema as a chosen credential: in a read-only transaction with a statement
 * timeout, parameters always bound, on the lease {@link Leases} gives it (which decides whether to
 * wait, fail fast or start over on a replacement). Thread-safe.
 */
public final class CatalogService {
    private static final String SYSTEM_SCHEMAS = "NOT IN ('pg_catalog', 'information_schema')"
            + " AND %1$s NOT LIKE 'pg\\_toast%%' AND %1$s NOT LIKE 'pg\\_temp\\_%%'";

    private final Leases leases;
    private final String tablesSql;
    private final String schemasSql;

    public CatalogService(Leases leases, Duration statementTimeout) {
        this.leases = leases;
        this.tablesSql = tablesSql(statementTimeout);
        this.schemasSql = inOneRoundTrip(statementTimeout,
                "SELECT schema_name::text, schema_owner::text FROM information_schema.schemata"
                + " WHERE schema_name " + String.format(SYSTEM_SCHEMAS, "schema_name")
                + " ORDER BY schema_name");
    }

    /**
     * What {@code /tables} sends for one page: a read-only transaction that ends in a rollback, all
     * in one round trip (parameters as {@code ?}: schema twice, limit, offset). The benchmark runs
     * the same with pgbench as its baseline.
     */
    public static String tablesSql(Duration statementTimeout) {
        return inOneRoundTrip(statementTimeout,
                "SELECT table_schema::text, table_name::text, table_type::text FROM information_schema.tables"
                + " WHERE table_schema " + String.format(SYSTEM_SCHEMAS, "table_schema")
                + " AND (?::text IS NULL OR table_schema::text = ?::text)"
                + " ORDER BY table_schema, table_name LIMIT ? OFFSET ?");
    }

    /**
     * The whole transaction in one round trip: pgjdbc sends the five statements together, with one
     * Sync, and the connection is back to idle when the answer arrives.
     */
    private static String inOneRoundTrip(Duration statementTimeout, String query) {
        return "BEGIN; SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = " + statementTimeout.toMillis() + "; "
                + query + "; ROLLBACK";
    }

    public TablePage tables(String credential, String schema, int limit, int offset) {
        return leases.withLease(credential, lease -> {
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
            return new TablePage(lease.pool().name(), lease.pool().generation(), schema, limit, offset, hasMore,
                    hasMore ? tables.subList(0, limit) : tables);
        });
    }

    public SchemaList schemas(String credential) {
        return leases.withLease(credential, lease -> {
            List<SchemaInfo> schemas = new ArrayList<>();
            inReadOnlyTransaction(lease, schemasSql, statement -> { },
                    row -> schemas.add(new SchemaInfo(row.getString(1), row.getString(2))));
            return new SchemaList(lease.pool().name(), lease.pool().generation(), schemas);
        });
    }

    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private interface RowReader {
        void read(ResultSet row) throws SQLException;
    }

    private static void inReadOnlyTransaction(Lease lease, String sql, Binder binder, RowReader reader) {
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
                endTransaction(lease, connection);
                throw e;
            }
        } catch (SQLException e) {
            throw lease.failure(e);
        }
    }

    /**
     * After a failed statement (a timeout, say) the server skipped the batch's ROLLBACK and the
     * session may still be in the aborted transaction: roll it back before the connection goes back
     * to the pool (outside a transaction that is a warning, not an error), or evict the connection
     * when even that fails.
     */
    private static void endTransaction(Lease lease, Connection connection) {
        try {
            if (!connection.isClosed()) {
                try (Statement rollback = connection.createStatement()) {
                    rollback.execute("ROLLBACK");
                }
            }
        } catch (SQLException e) {
            lease.evict(connection);
        }
    }
}
