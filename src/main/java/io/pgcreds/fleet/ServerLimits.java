package io.pgcreds.fleet;

/**
 * How many connections the default credential's server ({@code host:port}) allows clients like us:
 * {@code max_connections} minus the slots kept for superusers ({@code superuser_reserved_connections})
 * and, from PostgreSQL 16, for roles with pg_use_reserved_connections ({@code reserved_connections}).
 */
record ServerLimits(String server, int maxConnections, int superuserReserved, int reserved) {
    int available() {
        return maxConnections - superuserReserved - reserved;
    }
}
