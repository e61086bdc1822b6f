package io.pgcreds.pools;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import javax.net.ssl.SSLHandshakeException;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorClassTest {

    @Test
    void authentication_failures_are_auth() {
        assertThat(ErrorClass.classify(new PSQLException("FATAL: password authentication failed for user \"x\"",
                PSQLState.INVALID_PASSWORD))).isEqualTo(ErrorClass.AUTH);
        assertThat(ErrorClass.classify(new SQLException("no pg_hba.conf entry", "28000"))).isEqualTo(ErrorClass.AUTH);
    }

    @Test
    void a_pool_timeout_is_classified_by_the_connection_failure_behind_it() {
        PSQLException auth = new PSQLException("FATAL: password authentication failed for user \"x\"",
                PSQLState.INVALID_PASSWORD);
        SQLTransientConnectionException timeout = new SQLTransientConnectionException(
                "X#1 - Connection is not available, request timed out after 1000ms", "28P01", auth);
        assertThat(ErrorClass.classify(timeout)).isEqualTo(ErrorClass.AUTH);
        assertThat(ManagedPool.describe(timeout)).startsWith("FATAL: password authentication failed");
    }

    @Test
    void a_server_without_ssl_and_handshake_failures_are_tls() {
        assertThat(ErrorClass.classify(new PSQLException("The server does not support SSL.",
                PSQLState.CONNECTION_REJECTED))).isEqualTo(ErrorClass.TLS);
        assertThat(ErrorClass.classify(new PSQLException("SSL error: PKIX path building failed",
                PSQLState.CONNECTION_FAILURE, new SSLHandshakeException("PKIX")))).isEqualTo(ErrorClass.TLS);
    }

    @Test
    void refused_and_unknown_hosts_are_network() {
        assertThat(ErrorClass.classify(new PSQLException("Connection to 127.0.0.1:1 refused.",
                PSQLState.CONNECTION_UNABLE_TO_CONNECT, new ConnectException("Connection refused"))))
                .isEqualTo(ErrorClass.NETWORK);
        assertThat(ErrorClass.classify(new PSQLException("The connection attempt failed.",
                PSQLState.CONNECTION_UNABLE_TO_CONNECT, new UnknownHostException("nowhere"))))
                .isEqualTo(ErrorClass.NETWORK);
        assertThat(ErrorClass.classify(new SQLException("terminating connection due to administrator command",
                "57P01"))).isEqualTo(ErrorClass.NETWORK);
    }

    @Test
    void hangs_are_timeouts_wherever_they_show() {
        assertThat(ErrorClass.classify(new PSQLException("Connection attempt timed out.",
                PSQLState.CONNECTION_UNABLE_TO_CONNECT))).isEqualTo(ErrorClass.TIMEOUT);
        assertThat(ErrorClass.classify(new SQLTransientConnectionException(
                "DATABASE#1 - Connection is not available, request timed out after 5000ms"))).isEqualTo(ErrorClass.TIMEOUT);
        assertThat(ErrorClass.classify(new PSQLException("An I/O error occurred while sending to the backend.",
                PSQLState.CONNECTION_FAILURE, new SocketTimeoutException("Read timed out"))))
                .isEqualTo(ErrorClass.TIMEOUT);
        assertThat(ErrorClass.classify(new SQLException("canceling statement due to statement timeout", "57014")))
                .isEqualTo(ErrorClass.TIMEOUT);
    }

    @Test
    void a_missing_database_is_config_and_the_rest_is_other() {
        assertThat(ErrorClass.classify(new SQLException("database \"x\" does not exist", "3D000")))
                .isEqualTo(ErrorClass.CONFIG);
        assertThat(ErrorClass.classify(new SQLException("sorry, too many clients already", "53300")))
                .isEqualTo(ErrorClass.OTHER);
        assertThat(ErrorClass.classify(new IllegalStateException("?"))).isEqualTo(ErrorClass.OTHER);
    }
}
