package io.pgcreds.testing.postgres;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fixture itself, on whichever the run chose ({@code -Dpgcreds.test.postgres}): the server the
 * other tests rely on (TLS, scram, plaintext refused, settings applied, connections logged), and
 * the faults they cause (a fast or immediate stop, a kill, a start on the same port with the same data).
 */
class PostgresFixtureIT {

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
        assertThat(server.serverLog()).contains("connection authorized: user=fixture_probe");
    }

    @Test
    void verify_full_works_against_the_fixture_ca_and_ipv6_answers_too() throws SQLException {
        PostgresServer server = TestDatabases.shared();
        server.execute("postgres", "DROP ROLE IF EXISTS fixture_verify",
                "CREATE ROLE fixture_verify LOGIN PASSWORD 'verify-pw-1'");
        Properties properties = new Properties();
        properties.setProperty("sslrootcert", server.caCertificate().toString());
        try (Connection connection = connect(server, "fixture_verify", "verify-pw-1", "verify-full", properties, "localhost")) {
            assertThat(connection.isValid(2)).isTrue();
        }
        try (Connection connection = connect(server, "fixture_verify", "verify-pw-1", "require", new Properties(), "[::1]")) {
            assertThat(connection.isValid(2)).isTrue();
        }
    }

    @Test
    void a_server_of_its_own_takes_its_settings_and_survives_stop_kill_and_start_on_the_same_port() throws SQLException {
        try (PostgresServer server = TestDatabases.start(PostgresOptions.defaults().named("pgcreds-lifecycle-")
                .with("max_connections", "12"))) {
            int port = server.port();
            server.execute("postgres", "CREATE TABLE kept (id int)", "INSERT INTO kept VALUES (1)");
            assertThat(show(server, "max_connections")).isEqualTo("12");
            assertThat(show(server, "ssl")).isEqualTo("on");
            for (String fault : new String[] {"fast", "immediate", "kill"}) {
                try (Connection before = server.connectAsSuperuser("postgres")) {
                    switch (fault) {
                        case "fast" -> server.stop(false);
                        case "immediate" -> server.stop(true);
                        default -> server.kill();
                    }
                    assertThat(before.isValid(2)).as("a session across a " + fault + " stop").isFalse();
                }
                assertThatThrownBy(() -> server.connectAsSuperuser("postgres").close()).as("down after " + fault)
                        .isInstanceOf(SQLException.class);
                server.start();
                assertThat(server.port()).isEqualTo(port);
                try (Connection after = server.connectAsSuperuser("postgres");
                     ResultSet row = after.createStatement().executeQuery("SELECT count(*) FROM kept")) {
                    assertThat(row.next()).isTrue();
                    assertThat(row.getInt(1)).as("the data after a " + fault + " stop").isEqualTo(1);
                }
            }
            server.restart();
            assertThat(show(server, "max_connections")).isEqualTo("12");
        }
    }

    @Test
    void a_server_without_ssl_takes_scram_over_plain_tcp_and_says_no_to_tls() throws SQLException {
        try (PostgresServer server = TestDatabases.start(PostgresOptions.defaults().withoutSsl().named("pgcreds-plain-"))) {
            assertThat(server.caCertificate()).isNull();
            assertThat(server.kind()).contains("SSL off");
            server.execute("postgres", "CREATE ROLE fixture_plain LOGIN PASSWORD 'plain-pw-1'");
            try (Connection connection = connect(server, "fixture_plain", "plain-pw-1", "disable")) {
                assertThat(connection.isValid(2)).isTrue();
            }
            assertThatThrownBy(() -> connect(server, "fixture_plain", "plain-pw-1", "require").close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("does not support SSL");
        }
    }

    private static String show(PostgresServer server, String setting) throws SQLException {
        try (Connection connection = server.connectAsSuperuser("postgres");
             ResultSet row = connection.createStatement().executeQuery("SHOW " + setting)) {
            row.next();
            return row.getString(1);
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
        properties.setProperty("connectTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + server.port() + "/postgres", properties);
    }
}
