package io.pgcreds.pools;

import io.pgcreds.config.Settings;
import io.pgcreds.discovery.CredentialSpec;
import io.pgcreds.discovery.SslMode;
import org.postgresql.ds.PGSimpleDataSource;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * pgjdbc data sources for a credential: TLS always on at the spec's mode, every timeout bounded by
 * the settings, no GSS, and no server-side prepared statements through a transaction-mode pooler.
 */
final class DataSources {
    private static final String DEFAULT_APPLICATION_NAME = "pgcreds";

    private DataSources() {
    }

    static PGSimpleDataSource of(CredentialSpec spec, Settings settings) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setServerNames(new String[] {hostForDriver(spec.host())});
        source.setPortNumbers(new int[] {spec.port()});
        source.setDatabaseName(spec.database());
        source.setUser(spec.user());
        source.setPassword(spec.password().reveal());
        source.setSslMode(spec.tls().mode().wireName());
        if (spec.tls().rootCert() != null) {
            source.setSslRootCert(spec.tls().rootCert());
        }
        if (spec.tls().mode() == SslMode.VERIFY_FULL) {
            source.setSslfactory(VerifyFullSocketFactory.class.getName()); // the host name checked in the handshake
        }
        if (spec.password().isEmpty()) {
            // the server's demand for a password is then an auth failure (28000), not pgjdbc's 08004
            source.setAuthenticationPluginClassName(MissingPassword.class.getName());
        }
        if (spec.tls().clientCert() != null) {
            source.setSslCert(spec.tls().clientCert());
        }
        if (spec.tls().clientKey() != null) {
            source.setSslKey(spec.tls().clientKey());
        }
        source.setGssEncMode("disable");
        if (spec.pooled()) {
            source.setPrepareThreshold(0); // PgBouncer in transaction mode breaks server-side prepared statements
        }
        source.setApplicationName(spec.applicationName() != null ? spec.applicationName() : DEFAULT_APPLICATION_NAME);
        long connectionTimeoutMs = settings.connectionTimeout().toMillis();
        source.setConnectTimeout(spec.connectTimeout() > 0 ? spec.connectTimeout() : seconds(connectionTimeoutMs));
        source.setSslResponseTimeout((int) Math.min(Integer.MAX_VALUE, connectionTimeoutMs));
        // a hard bound on any read, so a server that stops answering mid-query cannot hold a thread for ever
        source.setSocketTimeout(seconds(settings.statementTimeout().toMillis()) + 10);
        source.setTcpKeepAlive(true);
        // every read and write ends at the request's deadline, however the server behaves (see the factory)
        source.setSocketFactory(DeadlineSocketFactory.class.getName());
        return source;
    }

    /**
     * IPv6 literals in the expanded form the JDK gives certificate IP entries ({@code 0:0:0:0:0:0:0:1}),
     * because pgjdbc's verify-full compares them as strings and {@code ::1} would never match.
     */
    static String hostForDriver(String host) {
        if (!host.contains(":")) {
            return host;
        }
        try {
            return InetAddress.getByName(host).getHostAddress(); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            return host;
        }
    }

    static int seconds(long millis) {
        return (int) Math.max(1, (millis + 999) / 1000);
    }
}
