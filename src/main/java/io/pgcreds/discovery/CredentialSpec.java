package io.pgcreds.discovery;

import io.pgcreds.util.Secret;

import java.util.List;
import java.util.Objects;

/**
 * One credential as discovery found it: everything needed to open its connections, the config
 * vars it came from, and warnings about what was adjusted or ignored. Immutable.
 *
 * @param name            the config var name without {@code _URL}, of DATABASE_URL if among the vars
 * @param configVars      every var that names this credential, the canonical one first
 * @param applicationName from the URL, or null
 * @param connectTimeout  seconds, from the URL's connect_timeout, or 0 for the default
 * @param pooler          the transaction-mode pooler its var name or URL names, or null: direct as far as
 *                        discovery knows (a pool may still learn otherwise from the server's errors)
 */
public record CredentialSpec(String name, List<String> configVars, String user, Secret password,
                             String host, int port, String database, TlsSettings tls,
                             String applicationName, int connectTimeout, Pooler pooler,
                             List<String> warnings) {

    public CredentialSpec {
        configVars = List.copyOf(configVars);
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(password, "password");
    }

    /** True when its var name or URL says it goes through a transaction-mode pooler. */
    public boolean pooled() {
        return pooler != null;
    }

    /** The names this credential answers to: its own and one per config var (without {@code _URL}). */
    public List<String> aliases() {
        return configVars.stream().map(Discovery::credentialName).toList();
    }

    /**
     * True when both open the same connections: same user, password, endpoint, database and TLS.
     * Which vars point at it, and warnings, do not matter to a pool.
     */
    public boolean sameConnectionAs(CredentialSpec other) {
        return user.equals(other.user) && password.equals(other.password) && host.equals(other.host)
                && port == other.port && database.equals(other.database) && tls.equals(other.tls)
                && Objects.equals(applicationName, other.applicationName)
                && connectTimeout == other.connectTimeout && pooled() == other.pooled();
    }
}
