package io.pgcreds.discovery;

/**
 * How a credential's connections use TLS: the effective sslmode (never below require) and the
 * optional certificate files a URL named. Null file paths mean "not given".
 */
public record TlsSettings(SslMode mode, String rootCert, String clientCert, String clientKey) {
    public TlsSettings {
        if (!mode.atLeast(SslMode.REQUIRE)) {
            throw new IllegalArgumentException("pgcreds never connects with sslmode below require");
        }
    }
}
