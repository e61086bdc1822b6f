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
 * Reads the catalog as a chosen credential ({@link CatalogQueries}): what it can see and what it may
 * do there, in a read-only transaction with a statement timeout, parameters always bound, on the
 * lease {@link Leases} gives it (which decides whether to wait, fail fast or start over on a
 * replacement). Nothing is cached: every answer is the server's at that moment. Thread-safe.
 */
public final class CatalogService {
    private final Leases leases;
    private final String tablesSql;
    private final String schemasSql;
    private final String tableSql;

    public CatalogService(Leases leases, Duration statementTimeout) {
        this.leases = leases;
        this.tablesSql = tablesSql(statementTimeout);
        this.schemasSql = inOneRoundTrip(statementTimeout, CatalogQueries.SCHEMAS);
        this.tableSql = inOneRoundTrip(statementTimeout, CatalogQueries.TABLE);
    }

    /**
     * What {@code /tables} sends for one page: a read-only transaction that ends in a rollback, all
     * in one round trip (parameters as {@code ?}: schema twice, limit, offset). The benchmark runs
     * the same with pgbench as its baseline.
     */
    public static String tablesSql(Duration statementTimeout) {
        return inOneRoundTrip(statementTimeout, CatalogQueries.TABLES);
    }

    /**
     * The whole transaction in one round trip: pgjdbc sends the six statements together, with one
     * Sync, and the connection is back to idle when the answer arrives.
     */
    private static String inOneRoundTrip(Duration statementTimeout, String query) {
        // search_path pg_catalog first: a credential's own search_path (a schema with an operator
        // named like pg_catalog's, ahead of it) must not change what these queries mean
        return "BEGIN; SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = " + statementTimeout.toMillis() + "; "
                + "SET LOCAL search_path = pg_catalog, pg_temp; " + query + "; ROLLBACK";
    }

    /**
     * One page of the tables the credential ({@code null}: the default one) can see, of one schema
     * or (null) every schema but the system ones, sorted by schema and name, each with the
     * credential's privileges; {@code limit} is at most {@code Integer.MAX_VALUE - 1}.
     */
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
            }, row -> tables.add(new TableInfo(row.getString(1), row.getString(2), row.getString(3),
                    Privileges.ofTable(row.getInt(4)), row.getBoolean(5), row.getBoolean(6))));
            boolean hasMore = tables.size() > limit;
            return new TablePage(lease.pool().name(), lease.pool().generation(), schema, limit, offset, hasMore,
                    hasMore ? tables.subList(0, limit) : tables);
        });
    }

    /**
     * One table as the credential ({@code null}: the default one) sees it, with its columns and what
     * the credential may do on each; names exactly as stored (case, spaces and all).
     *
     * @throws TableNotFoundException the table does not exist or the credential cannot see it (one answer for both)
     */
    public TableDetail table(String credential, String schema, String name) {
        return leases.withLease(credential, lease -> {
            TableDetail.Rows rows = new TableDetail.Rows();
            inReadOnlyTransaction(lease, tableSql, statement -> {
                statement.setString(1, schema);
                statement.setString(2, name);
            }, rows::read);
            TableDetail detail = rows.detail(lease.pool().name(), lease.pool().generation(), schema, name);
            if (detail == null) {
                throw new TableNotFoundException(lease.pool().name(), schema, name);
            }
            return detail;
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
