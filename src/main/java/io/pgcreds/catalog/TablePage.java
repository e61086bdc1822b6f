package io.pgcreds.catalog;

import java.util.List;

/** The {@code /tables} answer: one page of tables, sorted by schema and name. */
record TablePage(String credential, int generation, String schema, int limit, int offset, boolean hasMore,
                        List<TableInfo> tables) {
    public TablePage {
        tables = List.copyOf(tables);
    }
}
