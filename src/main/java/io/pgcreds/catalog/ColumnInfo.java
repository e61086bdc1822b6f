package io.pgcreds.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * One column of a table as a credential sees it.
 *
 * @param dataType        the server's {@code format_type}, e.g. {@code character varying(20)}, {@code bigint}
 * @param defaultValue    the default expression as the server prints it, or null (also for generated columns)
 * @param ordinalPosition the column's number in the table (attnum: dropped columns leave gaps)
 * @param privileges      the credential's privileges on the column from column and table grants, sorted
 *                        ({@link Privileges#COLUMN}); empty when it may do nothing with it
 */
record ColumnInfo(String name, String dataType, boolean nullable,
                         @JsonProperty("default") String defaultValue, int ordinalPosition, List<String> privileges) {
    public ColumnInfo {
        privileges = List.copyOf(privileges);
    }
}
