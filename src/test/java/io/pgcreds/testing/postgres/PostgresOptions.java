package io.pgcreds.testing.postgres;

import io.pgcreds.localpg.LocalPostgres;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a test server is made, whatever the fixture: a name (the prefix of its directory or
 * container), TLS on or off, and server settings (postgresql.conf names and values) that every
 * fixture applies the same way. Immutable; each {@code with...} returns a new value.
 *
 * @param namePrefix e.g. {@code pgcreds-faulty-}
 * @param ssl        TLS with the throwaway CA's certificate, and plaintext rejected
 * @param settings   server settings, in order; later ones win
 */
public record PostgresOptions(String namePrefix, boolean ssl, Map<String, String> settings) {

    public PostgresOptions {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** SSL on, 100 connections, every connection logged, and nothing waits for the disk. */
    public static PostgresOptions defaults() {
        Map<String, String> settings = new LinkedHashMap<>(LocalPostgres.THROWAWAY);
        settings.put("max_connections", "100");
        settings.put("password_encryption", "scram-sha-256");
        settings.put("log_connections", "on");
        settings.put("log_disconnections", "on");
        settings.put("log_line_prefix", "%m [%p] %q%u@%d ");
        return new PostgresOptions("pgcreds-pg-", true, settings);
    }

    public PostgresOptions named(String prefix) {
        return new PostgresOptions(prefix, ssl, settings);
    }

    /** A server that speaks no TLS at all (for tests that a client never falls back to plaintext). */
    public PostgresOptions withoutSsl() {
        return new PostgresOptions(namePrefix, false, settings);
    }

    /** One more server setting, e.g. {@code with("max_connections", "8")}. */
    public PostgresOptions with(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(settings);
        more.remove(name); // keeps the order of a map that lists each name once
        more.put(name, value);
        return new PostgresOptions(namePrefix, ssl, more);
    }
}
