package io.pgcreds.pools;

import io.pgcreds.util.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.plugin.AuthenticationRequestType;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.postgresql.util.ServerErrorMessage;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.lang.reflect.InvocationTargetException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every error class from the shapes pgjdbc, the JDK and HikariCP really give (pgjdbc 42.7's states:
 * ConnectionFactoryImpl, MakeSSL, LibPQFactory, Driver's login timeout, QueryExecutorImpl), each
 * classified with the driver's English text and with a text in another language: the class comes from
 * the SQLSTATE, the exception types and where they sit, never from the message.
 */
class ErrorClassTest {
    private static final String ANOTHER_LANGUAGE = "Der Server hat etwas gesagt, das niemand liest.";

    /** A failure as pgjdbc (or the server through it) gives it, built around a message text. */
    private static Arguments shape(String what, String englishText, Function<String, Throwable> build, ErrorClass expected) {
        return arguments(what, englishText, build, expected);
    }

    /** An ErrorResponse from the server: severity, SQLSTATE and message, as pgjdbc parses them. */
    private static PSQLException fromServer(String sqlState, String message) {
        return new PSQLException(new ServerErrorMessage("SFATAL\0VFATAL\0C" + sqlState + "\0M" + message + "\0"));
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                // auth
                shape("server: wrong password (28P01)", "password authentication failed for user \"x\"",
                        text -> fromServer("28P01", text), ErrorClass.AUTH),
                shape("server: no pg_hba.conf entry (28000)", "no pg_hba.conf entry for host \"1.2.3.4\"",
                        text -> fromServer("28000", text), ErrorClass.AUTH),
                shape("HikariCP's timeout around a wrong password", "X#1 - Connection is not available, request timed out after 1000ms",
                        text -> new SQLTransientConnectionException(text, "28P01",
                                fromServer("28P01", "password authentication failed")), ErrorClass.AUTH),
                shape("no password in the URL, the server asks for one", "(pgcreds' own)",
                        text -> missingPassword(), ErrorClass.AUTH),
                // config
                shape("server: database does not exist (3D000)", "database \"x\" does not exist",
                        text -> fromServer("3D000", text), ErrorClass.CONFIG),
                // tls
                shape("pgjdbc: the server refused TLS (08004, CONNECTION_REJECTED)", "The server does not support SSL.",
                        text -> new PSQLException(text, PSQLState.CONNECTION_REJECTED), ErrorClass.TLS),
                shape("pgjdbc: handshake failed, unknown CA (08006 around SSLHandshakeException)",
                        "SSL error: PKIX path building failed",
                        text -> new PSQLException(text, PSQLState.CONNECTION_FAILURE,
                                new SSLHandshakeException("PKIX path building failed")), ErrorClass.TLS),
                shape("pgjdbc: certificate for another host, checked in the handshake", "SSL error: No name matching",
                        text -> new PSQLException(text, PSQLState.CONNECTION_FAILURE,
                                new SSLHandshakeException("No name matching").initCause(new CertificateException("x"))),
                        ErrorClass.TLS),
                // the same fault, a server that answers 'S' to the SSL request and then closes, comes in two
                // shapes from run to run: both are network
                shape("pgjdbc: the server closed the connection during the handshake (EOF under SSLHandshakeException)",
                        "SSL error: Remote host terminated the handshake",
                        text -> new PSQLException(text, PSQLState.CONNECTION_FAILURE,
                                new SSLHandshakeException("Remote host terminated the handshake")
                                        .initCause(new EOFException("SSL peer shut down incorrectly"))), ErrorClass.NETWORK),
                shape("pgjdbc: the connection was reset during the handshake (SocketException under SSLException)",
                        "SSL error: Connection reset",
                        text -> new PSQLException(text, PSQLState.CONNECTION_FAILURE,
                                new javax.net.ssl.SSLException("Connection reset", new SocketException("Connection reset"))),
                        ErrorClass.NETWORK),
                shape("pgjdbc: the server went silent during the handshake (timeout under SSLException)",
                        "SSL error: Read timed out",
                        text -> new PSQLException(text, PSQLState.CONNECTION_FAILURE,
                                new javax.net.ssl.SSLException("Read timed out", new SocketTimeoutException("Read timed out"))),
                        ErrorClass.TIMEOUT),
                shape("pgjdbc: an unknown CA found while the socket then failed (certificate evidence wins)",
                        "SSL error: PKIX path building failed",
                        text -> new PSQLException(text, PSQLState.CONNECTION_FAILURE,
                                new SSLHandshakeException("PKIX").initCause(new CertPathValidatorException("x",
                                        new SocketException("Broken pipe")))), ErrorClass.TLS),
                shape("pgjdbc: expired certificate", "SSL error: validity check failed",
                        text -> new PSQLException(text, PSQLState.CONNECTION_FAILURE,
                                new CertPathValidatorException("validity check failed")), ErrorClass.TLS),
                shape("LibPQFactory: root certificate file missing (08006 around FileNotFoundException)",
                        "Could not open SSL root certificate file /x/root.crt.",
                        text -> new PSQLException(text, PSQLState.CONNECTION_FAILURE,
                                new FileNotFoundException("/x/root.crt (No such file or directory)")), ErrorClass.TLS),
                shape("our SSL factory could not be made (pgjdbc around a reflection wrapper)",
                        "The SSLSocketFactory class provided x could not be instantiated.",
                        text -> new PSQLException(text, PSQLState.CONNECTION_FAILURE, new InvocationTargetException(
                                new PSQLException("Could not open SSL root certificate file", PSQLState.CONNECTION_FAILURE,
                                        new FileNotFoundException("/x")))), ErrorClass.TLS),
                // network
                shape("pgjdbc: connection refused (08001 around ConnectException)", "Connection to 127.0.0.1:1 refused.",
                        text -> new PSQLException(text, PSQLState.CONNECTION_UNABLE_TO_CONNECT,
                                new ConnectException("Connection refused")), ErrorClass.NETWORK),
                shape("pgjdbc: unknown host (08001 around UnknownHostException)", "The connection attempt failed.",
                        text -> new PSQLException(text, PSQLState.CONNECTION_UNABLE_TO_CONNECT,
                                new UnknownHostException("nowhere.invalid")), ErrorClass.NETWORK),
                shape("pgjdbc: no route to host", "The connection attempt failed.",
                        text -> new PSQLException(text, PSQLState.CONNECTION_UNABLE_TO_CONNECT,
                                new NoRouteToHostException("No route to host")), ErrorClass.NETWORK),
                shape("pgjdbc: connection reset (08006 around SocketException)",
                        "An I/O error occurred while sending to the backend.",
                        text -> new PSQLException(text, PSQLState.CONNECTION_FAILURE,
                                new SocketException("Connection reset")), ErrorClass.NETWORK),
                shape("pgjdbc: server closed the connection (08006 around EOFException)",
                        "An I/O error occurred while sending to the backend.",
                        text -> new PSQLException(text, PSQLState.CONNECTION_FAILURE, new EOFException()), ErrorClass.NETWORK),
                shape("server: shutting down (57P01)", "terminating connection due to administrator command",
                        text -> fromServer("57P01", text), ErrorClass.NETWORK),
                shape("server: starting up (57P03)", "the database system is starting up",
                        text -> fromServer("57P03", text), ErrorClass.NETWORK),
                // timeout
                shape("pgjdbc: login timeout (08001, no cause)", "Connection attempt timed out.",
                        text -> new PSQLException(text, PSQLState.CONNECTION_UNABLE_TO_CONNECT), ErrorClass.TIMEOUT),
                shape("pgjdbc: connect timeout (08001 around SocketTimeoutException)", "The connection attempt failed.",
                        text -> new PSQLException(text, PSQLState.CONNECTION_UNABLE_TO_CONNECT,
                                new SocketTimeoutException("Connect timed out")), ErrorClass.TIMEOUT),
                shape("pgjdbc: read timeout (08006 around SocketTimeoutException)",
                        "An I/O error occurred while sending to the backend.",
                        text -> new PSQLException(text, PSQLState.CONNECTION_FAILURE,
                                new SocketTimeoutException("Read timed out")), ErrorClass.TIMEOUT),
                shape("HikariCP: no connection within the pool's timeout", "DATABASE#1 - Connection is not available",
                        text -> new SQLTransientConnectionException(text), ErrorClass.TIMEOUT),
                shape("server: statement timeout (57014)", "canceling statement due to statement timeout",
                        text -> fromServer("57014", text), ErrorClass.TIMEOUT),
                // other
                shape("server: too many clients (53300)", "sorry, too many clients already",
                        text -> fromServer("53300", text), ErrorClass.OTHER),
                shape("server: permission denied (42501)", "permission denied for table x",
                        text -> fromServer("42501", text), ErrorClass.OTHER),
                shape("anything else", "?", IllegalStateException::new, ErrorClass.OTHER));
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @MethodSource("shapes")
    void each_shape_has_its_class_whatever_the_language_of_its_message(String what, String englishText,
                                                                      Function<String, Throwable> build,
                                                                      ErrorClass expected) {
        assertThat(ErrorClass.classify(build.apply(englishText))).as("in English").isEqualTo(expected);
        assertThat(ErrorClass.classify(build.apply(ANOTHER_LANGUAGE))).as("in another language").isEqualTo(expected);
        assertThat(ErrorClass.classify(build.apply(null))).as("without a message").isEqualTo(expected);
    }

    @Test
    void every_class_is_covered_by_the_table() {
        assertThat(shapes().map(arguments -> (ErrorClass) arguments.get()[3]).distinct())
                .containsExactlyInAnyOrder(ErrorClass.values());
    }

    @Test
    void a_pool_timeout_is_described_by_the_connection_failure_behind_it() {
        SQLTransientConnectionException timeout = new SQLTransientConnectionException(
                "X#1 - Connection is not available, request timed out after 1000ms", "28P01",
                fromServer("28P01", "password authentication failed for user \"x\""));
        assertThat(Failure.of(timeout, Secret.of(null)).message()).contains("password authentication failed");
    }

    @Test
    void the_missing_password_plugin_answers_with_an_authorization_state() {
        assertThatThrownBy(() -> new MissingPassword().getPassword(AuthenticationRequestType.SASL))
                .isInstanceOf(PSQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"));
    }

    private static Throwable missingPassword() {
        try {
            new MissingPassword().getPassword(AuthenticationRequestType.SASL);
        } catch (PSQLException e) {
            return e;
        }
        throw new AssertionError("the plugin gave a password");
    }
}
