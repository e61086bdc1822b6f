package io.pgcreds.catalog;

/**
 * The catalog's SQL, run as the credential asked about, so that the server answers what that role
 * may see and do. Tables are the rows information_schema.tables shows the role (the same kinds, the
 * same visibility test, the same type names), read straight from pg_catalog so that one pass also
 * has each table's oid for the privilege checks: one round trip per answer. Parameters are always
 * bound ({@code ?}); names are compared as text, never cast to {@code name}, which would cut them
 * at 63 bytes and find a table the client did not name.
 */
final class CatalogQueries {
    private static final String SYSTEM_SCHEMAS = "NOT IN ('pg_catalog', 'information_schema')"
            + " AND %1$s NOT LIKE 'pg\\_toast%%' AND %1$s NOT LIKE 'pg\\_temp\\_%%'";

    /**
     * information_schema.tables' test (owned through membership, or with any privilege) on its kinds
     * r, v, f, p and also m: a materialized view is read like a table, though the standard's view
     * leaves it out.
     */
    private static final String VISIBLE = "c.relkind IN ('r', 'v', 'f', 'p', 'm')"
            + " AND NOT pg_catalog.pg_is_other_temp_schema(n.oid)"
            + " AND (pg_catalog.pg_has_role(c.relowner, 'USAGE')"
            + " OR pg_catalog.has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"
            + " OR pg_catalog.has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))"
            + " AND n.nspname " + String.format(SYSTEM_SCHEMAS, "n.nspname");

    /** information_schema.tables' table_type, and MATERIALIZED VIEW (a name of ours: the standard has none). */
    private static final String TYPE = "CASE WHEN n.oid = pg_catalog.pg_my_temp_schema() THEN 'LOCAL TEMPORARY'"
            + " WHEN c.relkind IN ('r', 'p') THEN 'BASE TABLE' WHEN c.relkind = 'v' THEN 'VIEW'"
            + " WHEN c.relkind = 'f' THEN 'FOREIGN' WHEN c.relkind = 'm' THEN 'MATERIALIZED VIEW' END";

    /** Whether the role may use the table's schema: without USAGE its privileges on the table are moot. */
    private static final String SCHEMA_USAGE = "pg_catalog.has_schema_privilege(n.oid, 'USAGE')";

    private static final String RELATIONS = " FROM pg_catalog.pg_namespace n"
            + " JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid";

    /**
     * One page of tables, sorted by schema and name (byte order: {@code name} sorts in the C
     * collation): schema, name, type, table privilege mask, row security, schema usage. Parameters:
     * the schema twice (or nulls), limit, offset.
     */
    static final String TABLES = "SELECT n.nspname::text, c.relname::text, " + TYPE + ", "
            + Privileges.tableMask("c.oid") + ", c.relrowsecurity, " + SCHEMA_USAGE + RELATIONS
            + " WHERE " + VISIBLE + " AND (?::text IS NULL OR n.nspname::text = ?::text)"
            + " ORDER BY n.nspname, c.relname LIMIT ? OFFSET ?";

    /**
     * One table and its columns, one row per column (one row of nulls after the table's own fields
     * when it shows none): type, table privilege mask, row security; column name, type, nullable,
     * default, position, column privilege mask, position in the primary key; schema usage; the
     * number of the primary key's columns (null without one). Only the
     * columns information_schema.columns shows the role: on a table it owns, every one, else those
     * it has a privilege on (table-level SELECT gives every one). No row when the table does not
     * exist or the role cannot see it. Parameters: schema, name.
     */
    static final String TABLE = "SELECT " + TYPE + ", " + Privileges.tableMask("c.oid") + ", c.relrowsecurity,"
            // a column of a NOT NULL domain is not nullable either (information_schema.columns says so too)
            + " a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod),"
            + " NOT (a.attnotnull OR COALESCE(t.typtype = 'd' AND t.typnotnull, false)),"
            + " CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END, a.attnum, "
            + Privileges.columnMask("c.oid", "a.attnum") + ","
            // a position past indnkeyatts is an INCLUDE column, not part of the key (int2vector's
            // subscripts start at 0, hence the offset from array_lower)
            + " CASE WHEN pg_catalog.array_position(i.indkey::int2[], a.attnum)"
            + " - pg_catalog.array_lower(i.indkey::int2[], 1) < i.indnkeyatts"
            + " THEN pg_catalog.array_position(i.indkey::int2[], a.attnum) END, " + SCHEMA_USAGE + ","
            + " i.indnkeyatts" + RELATIONS
            + " LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
            + " AND (pg_catalog.pg_has_role(c.relowner, 'USAGE')"
            + " OR pg_catalog.has_column_privilege(c.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES'))"
            + " LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
            + " LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum"
            + " LEFT JOIN pg_catalog.pg_index i ON i.indrelid = c.oid AND i.indisprimary"
            + " WHERE n.nspname::text = ? AND c.relname::text = ? AND " + VISIBLE
            + " ORDER BY a.attnum";

    /** The schemas the role can see, and their owners, sorted by name. */
    static final String SCHEMAS = "SELECT schema_name::text, schema_owner::text FROM information_schema.schemata"
            + " WHERE schema_name " + String.format(SYSTEM_SCHEMAS, "schema_name") + " ORDER BY schema_name";

    private CatalogQueries() {
    }
}
