package io.pgcreds.pools;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** What the server told us about a credential's session: its role and the TLS it negotiated. */
public record ServerFacts(Role role, boolean ssl, String tlsVersion, String tlsCipher, String serverVersion) {

    // pg_has_role(..., 'MEMBER') is true for the owner itself and for members of the owning role
    private static final String QUERY = """
            SELECT r.rolsuper OR pg_catalog.pg_has_role(current_user, d.datdba, 'MEMBER'),
                   coalesce(s.ssl, false), s.version, s.cipher, current_setting('server_version')
            FROM pg_catalog.pg_database d
            JOIN pg_catalog.pg_roles r ON r.rolname = current_user
            LEFT JOIN pg_catalog.pg_stat_ssl s ON s.pid = pg_catalog.pg_backend_pid()
            WHERE d.datname = current_database()""";

    static ServerFacts read(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(QUERY);
             ResultSet row = statement.executeQuery()) {
            if (!row.next()) {
                throw new SQLException("the current database is missing from pg_database");
            }
            return new ServerFacts(row.getBoolean(1) ? Role.OWNER : Role.LIMITED, row.getBoolean(2),
                    row.getString(3), row.getString(4), row.getString(5));
        }
    }
}
