package io.pgcreds.catalog;

import io.pgcreds.pools.ErrorClass;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code /access} answer: one page of the tables at least one of the credentials can see,
 * sorted by schema and name, with what each credential may do there.
 *
 * @param database    the name of the database the compared credentials connect to, or null when none has a
 *                    configuration
 * @param databaseId  that database as {@code host:port/name}, which {@code database=} takes: the same name
 *                    may be on several servers; or null with {@code database}
 * @param credentials the compared credentials, sorted by name: each answered or unavailable
 * @param tables      the page's rows
 */
public record AccessPage(String database, String databaseId, String schema, int limit, int offset, boolean hasMore,
                         List<Answer> credentials, List<Row> tables) {
    public AccessPage {
        credentials = List.copyOf(credentials);
        tables = List.copyOf(tables);
    }

    /**
     * How one credential answered.
     *
     * @param status     {@code answered}, or {@code unavailable}: it could not be asked in time, and
     *                   its column is left out of every row (unknown, which is not null)
     * @param generation the pool generation that answered, or null
     * @param errorClass why it is unavailable, or null
     * @param detail     why it is unavailable in words (never a secret), or null
     */
    public record Answer(String name, String status, Integer generation, String errorClass, String detail) {
        static Answer answered(String name, int generation) {
            return new Answer(name, "answered", generation, null, null);
        }

        static Answer unavailable(String name, ErrorClass errorClass, String detail) {
            return new Answer(name, "unavailable", null, errorClass.wireName(), detail);
        }
    }

    /**
     * One table and, by credential name, that credential's sorted table privileges (empty: it sees
     * the table through column grants only), or null where it cannot see the table. Only answered
     * credentials appear.
     *
     * @param withoutSchemaUsage the credentials that see the table but may not use its schema (no
     *                           USAGE), whose privileges there are moot; sorted, usually empty
     */
    public record Row(String schema, String name, String type, boolean rowSecurity,
                      Map<String, List<String>> credentials, List<String> withoutSchemaUsage) {
        public Row {
            credentials = Collections.unmodifiableMap(new LinkedHashMap<>(credentials)); // null values kept
            withoutSchemaUsage = List.copyOf(withoutSchemaUsage);
        }
    }
}
