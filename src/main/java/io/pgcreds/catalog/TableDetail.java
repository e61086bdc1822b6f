package io.pgcreds.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The {@code /tables/{schema}/{name}} answer: one table as a credential sees it.
 *
 * @param privileges  the credential's table privileges, sorted (see {@link TableInfo})
 * @param schemaUsage whether the credential may use the table's schema (see {@link TableInfo})
 * @param columns     the columns the credential can see (as information_schema.columns shows them: every
 *                    one of a table it owns, else those it has a privilege on), by position, each with
 *                    the credential's privileges on it
 * @param primaryKey  the primary key's columns in key order, those the credential can see (empty when it
 *                    sees none of them); null when the table has no primary key
 * @param primaryKeySize how many columns the primary key has, those the credential cannot see included,
 *                    so that a key shown in part is not taken for the whole; null without a primary key
 */
record TableDetail(String credential, int generation, String schema, String name, String type,
                   List<String> privileges, boolean rowSecurity, boolean schemaUsage, List<ColumnInfo> columns,
                   List<String> primaryKey, Integer primaryKeySize) {
    public TableDetail {
        privileges = List.copyOf(privileges);
        columns = List.copyOf(columns);
        primaryKey = primaryKey == null ? null : List.copyOf(primaryKey);
    }

    /** Collects the rows of {@link CatalogQueries#TABLE}, one per column. Not thread-safe: one request's. */
    static final class Rows {
        private final List<ColumnInfo> columns = new ArrayList<>();
        private final TreeMap<Integer, String> keyColumns = new TreeMap<>();
        private String type;
        private int privileges;
        private boolean rowSecurity;
        private boolean schemaUsage;
        private boolean found;
        private Integer keySize;

        void read(ResultSet row) throws SQLException {
            found = true;
            type = row.getString(1);
            privileges = row.getInt(2);
            rowSecurity = row.getBoolean(3);
            schemaUsage = row.getBoolean(11);
            int size = row.getInt(12);
            keySize = row.wasNull() ? null : size;
            String column = row.getString(4);
            if (column == null) {
                return; // a table without columns
            }
            columns.add(new ColumnInfo(column, row.getString(5), row.getBoolean(6), row.getString(7), row.getInt(8),
                    Privileges.ofColumn(row.getInt(9))));
            int keyPosition = row.getInt(10);
            if (!row.wasNull()) {
                keyColumns.put(keyPosition, column);
            }
        }

        /** The table, or null when the query found none (it does not exist or the credential cannot see it). */
        TableDetail detail(String credential, int generation, String schema, String name) {
            if (!found) {
                return null;
            }
            return new TableDetail(credential, generation, schema, name, type, Privileges.ofTable(privileges),
                    rowSecurity, schemaUsage, columns, keySize == null ? null : new ArrayList<>(keyColumns.values()), keySize);
        }
    }
}
