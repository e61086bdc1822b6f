package io.pgcreds.testing;

import io.pgcreds.testing.postgres.PostgresServer;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A database of its own on a test server, owned by a fresh owner role, with a limited role granted
 * SELECT on exactly one table. Passwords contain characters that must be percent-encoded in URLs.
 *
 * <p>Tables: public.accounts, public.orders, public.audit_log and the view reporting.daily_totals.
 * The limited role may SELECT public.orders and nothing else.
 */
public record DatabaseSetup(PostgresServer server, String database, String owner, String ownerPassword,
                            String limited, String limitedPassword) {

    public static final String GRANTED_TABLE = "orders";

    public static DatabaseSetup create(PostgresServer server, String prefix) {
        String suffix = randomHex(4);
        return build(server, prefix + "_" + suffix, prefix + "_owner_" + suffix, prefix + "_limited_" + suffix, "p");
    }

    /**
     * The same roles, database and tables on another server, with new passwords: what a Heroku
     * failover to a standby looks like from the app.
     */
    public DatabaseSetup replicateTo(PostgresServer other) {
        return build(other, database, owner, limited, "f");
    }

    /** Roles, database, tables and grants on {@code server}, with fresh passwords (tagged for the log scan). */
    private static DatabaseSetup build(PostgresServer server, String database, String owner, String limited, String tag) {
        String ownerPassword = Secrets.remember("ow:n@r/" + randomHex(8) + "%" + tag);
        String limitedPassword = Secrets.remember("li@m:i/" + randomHex(8) + "?" + tag);
        server.execute("postgres",
                "CREATE ROLE " + owner + " LOGIN PASSWORD '" + ownerPassword + "'",
                "CREATE ROLE " + limited + " LOGIN PASSWORD '" + limitedPassword + "'",
                "CREATE DATABASE " + database + " OWNER " + owner);
        server.execute(database,
                "SET ROLE " + owner,
                "CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text)",
                "CREATE TABLE public.orders (id bigint PRIMARY KEY, account_id bigint, total numeric)",
                "CREATE TABLE public.audit_log (id bigint PRIMARY KEY, entry text)",
                "CREATE SCHEMA reporting",
                "CREATE VIEW reporting.daily_totals AS SELECT 1 AS day, 2 AS total",
                "RESET ROLE",
                "GRANT CONNECT ON DATABASE " + database + " TO " + limited,
                "GRANT SELECT ON public." + GRANTED_TABLE + " TO " + limited);
        return new DatabaseSetup(server, database, owner, ownerPassword, limited, limitedPassword);
    }

    /** This setup with the limited role's password changed on the server (ALTER ROLE). */
    public DatabaseSetup withNewLimitedPassword() {
        String newPassword = Secrets.remember("li@m:i/" + randomHex(8) + "#r");
        server.execute("postgres", "ALTER ROLE " + limited + " PASSWORD '" + newPassword + "'");
        return new DatabaseSetup(server, database, owner, ownerPassword, limited, newPassword);
    }

    /** Ends every session of a role, as {@code heroku pg:credentials:rotate --force} does. */
    public void terminateSessionsOf(String role) {
        server.execute("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
    }

    public String ownerUrl() {
        return Secrets.remember(server.url(owner, ownerPassword, database));
    }

    /** The owner URL with another host name for the same server (e.g. localhost for 127.0.0.1). */
    public String ownerUrlVia(String host) {
        return Secrets.remember(server.url(owner, ownerPassword, database).replace("@" + server.host() + ":", "@" + host + ":"));
    }

    public String limitedUrl() {
        return Secrets.remember(server.url(limited, limitedPassword, database));
    }

    static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
