package io.pgcreds.localpg;

import io.pgcreds.testing.TestDatabases;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalPostgresIT {

    @Test
    void the_fixture_server_speaks_tls_1_2_or_later_with_scram_and_refuses_plaintext() throws SQLException {
        PostgresServer server = TestDatabases.shared();
        server.execute("postgres", "DROP ROLE IF EXISTS fixture_probe", "CREATE ROLE fixture_probe LOGIN PASSWORD 'probe-pw-1'");
        try (Connection connection = connect(server, "fixture_probe", "probe-pw-1", "require");
             ResultSet row = connection.createStatement().executeQuery(
                     "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getBoolean(1)).isTrue();
            assertThat(row.getString(2)).isIn("TLSv1.2", "TLSv1.3");
        }
        try (Connection connection = server.connectAsSuperuser("postgres");
             ResultSet row = connection.createStatement().executeQuery(
                     "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'fixture_probe'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getBoolean(1)).isTrue();
        }
        assertThatThrownBy(() -> connect(server, "fixture_probe", "probe-pw-1", "disable").close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("no encryption");
    }

    @Test
    void verify_full_works_against_the_fixture_ca() throws SQLException {
        PostgresServer server = TestDatabases.shared();
        server.execute("postgres", "DROP ROLE IF EXISTS fixture_verify",
                "CREATE ROLE fixture_verify LOGIN PASSWORD 'verify-pw-1'");
        Properties properties = new Properties();
        properties.setProperty("sslrootcert", server.caCertificate().toString());
        try (Connection connection = connect(server, "fixture_verify", "verify-pw-1", "verify-full", properties, "localhost")) {
            assertThat(connection.isValid(2)).isTrue();
        }
    }

    private static Connection connect(PostgresServer server, String user, String password, String sslmode)
            throws SQLException {
        return connect(server, user, password, sslmode, new Properties(), server.host());
    }

    private static Connection connect(PostgresServer server, String user, String password, String sslmode,
                                      Properties properties, String host) throws SQLException {
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("sslmode", sslmode);
        properties.setProperty("gssEncMode", "disable");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + server.port() + "/postgres", properties);
    }
}
