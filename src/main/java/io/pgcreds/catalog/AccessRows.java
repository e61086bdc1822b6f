package io.pgcreds.catalog;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The union of several credentials' table lists, in the order the server sorts them (schema, then
 * name, by code point: the C collation of {@code name} on a UTF-8 server), each table with every
 * credential's privileges or null. Not thread-safe: one request's.
 */
final class AccessRows {
    /** By schema, then name, comparing code points (which is UTF-8 byte order), not UTF-16 units. */
    static final Comparator<TableInfo> ORDER = Comparator.comparing(TableInfo::schema, AccessRows::compareCodePoints)
            .thenComparing(TableInfo::name, AccessRows::compareCodePoints);

    private final List<String> credentials = new ArrayList<>();
    private final TreeMap<TableInfo, Map<String, TableInfo>> tables = new TreeMap<>(ORDER);

    /** @param pages one answered page per credential, sorted by credential name */
    AccessRows(List<TablePage> pages) {
        for (TablePage page : pages) {
            credentials.add(page.credential());
            for (TableInfo table : page.tables()) {
                tables.computeIfAbsent(table, key -> new LinkedHashMap<>()).put(page.credential(), table);
            }
        }
    }

    /** How many tables at least one credential can see, of those read. */
    int size() {
        return tables.size();
    }

    /** Rows {@code offset} to {@code offset + limit}, each with every answered credential (null: cannot see it). */
    List<AccessPage.Row> rows(int offset, int limit) {
        List<AccessPage.Row> rows = new ArrayList<>();
        tables.entrySet().stream().skip(offset).limit(limit).forEach(entry -> {
            Map<String, List<String>> byCredential = new LinkedHashMap<>();
            List<String> withoutSchemaUsage = new ArrayList<>();
            for (String credential : credentials) {
                TableInfo seen = entry.getValue().get(credential);
                byCredential.put(credential, seen == null ? null : seen.privileges());
                if (seen != null && !seen.schemaUsage()) {
                    withoutSchemaUsage.add(credential);
                }
            }
            TableInfo table = entry.getKey();
            rows.add(new AccessPage.Row(table.schema(), table.name(), table.type(), table.rowSecurity(), byCredential,
                    withoutSchemaUsage));
        });
        return rows;
    }

    static int compareCodePoints(String left, String right) {
        int i = 0;
        int j = 0;
        while (i < left.length() && j < right.length()) {
            int a = left.codePointAt(i);
            int b = right.codePointAt(j);
            if (a != b) {
                return Integer.compare(a, b);
            }
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Boolean.compare(i < left.length(), j < right.length());
    }
}
