package io.pgcreds.catalog;

import java.util.ArrayList;
import java.util.List;

/**
 * What a credential may do on a table or a column, as the server itself answers it
 * ({@code has_table_privilege}, {@code has_column_privilege}: grants to the role, to PUBLIC and to
 * every role it inherits from, and everything as owner or superuser). The SQL computes one bit per
 * privilege and sends a small integer; Java turns it into a sorted list, one shared immutable list
 * per mask. Stateless and thread-safe.
 */
final class Privileges {
    /**
     * Table privileges, sorted: bit i of a mask stands for element i. MAINTAIN (VACUUM, ANALYZE,
     * REINDEX, ...) exists from PostgreSQL 17 on and is asked only there: older servers refuse the word.
     */
    static final List<String> TABLE = List.of("DELETE", "INSERT", "MAINTAIN", "REFERENCES", "SELECT", "TRIGGER",
            "TRUNCATE", "UPDATE");
    private static final String SINCE_17 = "MAINTAIN";
    /** Column privileges (the ones PostgreSQL grants per column), sorted, as bits the same way. */
    static final List<String> COLUMN = List.of("INSERT", "REFERENCES", "SELECT", "UPDATE");
    private static final List<List<String>> TABLE_LISTS = everyList(TABLE);
    private static final List<List<String>> COLUMN_LISTS = everyList(COLUMN);

    private Privileges() {
    }

    /** SQL for the table privilege mask of the relation whose oid is {@code oid} (e.g. {@code c.oid}). */
    static String tableMask(String oid) {
        return mask(TABLE, privilege -> {
            String check = "pg_catalog.has_table_privilege(" + oid + ", '" + privilege + "')";
            // CASE evaluates the check only where the condition holds, so a PostgreSQL 16 never sees the word
            return privilege.equals(SINCE_17) ? "(CASE WHEN pg_catalog.current_setting('server_version_num')::int"
                    + " >= 170000 THEN " + check + " ELSE false END)" : check;
        });
    }

    /** SQL for the column privilege mask of column {@code attnum} of relation {@code oid}. */
    static String columnMask(String oid, String attnum) {
        return mask(COLUMN, privilege -> "pg_catalog.has_column_privilege(" + oid + ", " + attnum + ", '" + privilege + "')");
    }

    /** The sorted table privileges of a mask from {@link #tableMask}. */
    static List<String> ofTable(int mask) {
        return TABLE_LISTS.get(mask);
    }

    /** The sorted column privileges of a mask from {@link #columnMask}. */
    static List<String> ofColumn(int mask) {
        return COLUMN_LISTS.get(mask);
    }

    private static String mask(List<String> privileges, java.util.function.Function<String, String> check) {
        List<String> terms = new ArrayList<>();
        for (int bit = 0; bit < privileges.size(); bit++) {
            terms.add(check.apply(privileges.get(bit)) + "::int * " + (1 << bit));
        }
        return "(" + String.join(" + ", terms) + ")";
    }

    private static List<List<String>> everyList(List<String> privileges) {
        List<List<String>> lists = new ArrayList<>();
        for (int mask = 0; mask < 1 << privileges.size(); mask++) {
            List<String> list = new ArrayList<>();
            for (int bit = 0; bit < privileges.size(); bit++) {
                if ((mask & 1 << bit) != 0) {
                    list.add(privileges.get(bit));
                }
            }
            lists.add(List.copyOf(list));
        }
        return List.copyOf(lists);
    }
}
