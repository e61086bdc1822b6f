package io.pgcreds.catalog;

/** One row of information_schema.tables as a credential sees it. */
public record TableInfo(String schema, String name, String type) {
}
