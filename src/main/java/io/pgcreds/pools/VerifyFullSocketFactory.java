package io.pgcreds.pools;

import org.postgresql.ssl.LibPQFactory;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import java.io.IOException;
import java.net.Socket;
import java.security.NoSuchAlgorithmException;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The TLS sockets of a {@code verify-full} credential: pgjdbc's own {@link LibPQFactory} (the root
 * certificate of {@code sslrootcert}, client certificates, libpq's defaults), with the server's host
 * name checked inside the TLS handshake (the JDK's HTTPS endpoint identification, RFC 2818/6125). A
 * certificate for another host then fails the handshake with an {@code SSLHandshakeException}, which
 * says {@code tls} by its type in any language, where pgjdbc's own check after the handshake gives
 * only a translated message with 08006. pgjdbc's check still runs after this one.
 *
 * <p>{@code sslrootcert=system} (libpq 16's meaning) trusts the JVM's default trust store instead:
 * the JDK's CA certificates, or {@code -Djavax.net.ssl.trustStore} (and {@code javax.net.ssl.keyStore}
 * for a client certificate) from {@code JAVA_OPTS}.
 *
 * <p>pgjdbc makes one per connection attempt by its class name ({@code sslfactory}), handing it the
 * connection's properties; hence public, with a public constructor. Immutable once made.
 */
public final class VerifyFullSocketFactory extends LibPQFactory {
    /** The {@code sslrootcert} value that means the JVM's default trust store. */
    public static final String SYSTEM = "system";

    public VerifyFullSocketFactory(Properties info) throws PSQLException {
        super(SYSTEM.equals(info.getProperty("sslrootcert")) ? withoutRootCertificate(info) : info);
        if (SYSTEM.equals(info.getProperty("sslrootcert"))) {
            try {
                factory = SSLContext.getDefault().getSocketFactory();
            } catch (NoSuchAlgorithmException e) { // the trust store named by javax.net.ssl.trustStore cannot be read
                throw new PSQLException("the JVM's default trust store cannot be used", PSQLState.CONNECTION_FAILURE, e);
            }
        }
    }

    /** For the parent's set-up only: its own trust is replaced by the JVM's, so it must not look for a file. */
    private static Properties withoutRootCertificate(Properties info) {
        Properties copy = new Properties();
        copy.putAll(info);
        copy.remove("sslrootcert");
        copy.setProperty("sslmode", "require");
        return copy;
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        SSLSocket tls = (SSLSocket) super.createSocket(socket, host, port, autoClose);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        return tls;
    }
}
