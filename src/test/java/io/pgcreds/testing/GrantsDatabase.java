package io.pgcreds.testing;

import io.pgcreds.testing.postgres.PostgresServer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A database of its own with the grants the privilege tests compare, every role with a fresh
 * password (remembered as a secret):
 * <ul>
 *   <li>{@code owner} owns the database and every table;</li>
 *   <li>{@code analyst} may SELECT public.orders (row-level security on), only INSERT into
 *       public.events, SELECT two of the three columns of public.customers, SELECT the partitioned
 *       public.measurements (not its partition), SELECT "Mixed Case"."Odd Table" and public.revocable;</li>
 *   <li>{@code worker} may SELECT and UPDATE public.jobs only through the NOLOGIN group role {@code crew};</li>
 *   <li>everyone may SELECT the view public.daily_totals (granted to PUBLIC);</li>
 *   <li>{@code analyst} may SELECT the materialized view public.order_totals, and hidden.notes in a
 *       schema it has no USAGE on;</li>
 *   <li>public.salaries and public.café are the owner's alone; public has tables whose names need
 *       percent-encoding.</li>
 * </ul>
 *
 * @param roles role names by the credential they stand for ({@code owner}, {@code analyst}, ...)
 */
public record GrantsDatabase(PostgresServer server, String database, Map<String, String> roles,
                             Map<String, String> passwords) {

    /** Table names in public that need care in a URL path, each granted to nobody but the owner. */
    public static final List<String> AWKWARD_NAMES = List.of("a/b", "dots.in.name", "quo\"te", "tëst ✓", "plus+sign",
            "100%", "trailing ");

    public static GrantsDatabase create(PostgresServer server, String prefix) {
        String suffix = DatabaseSetup.randomHex(4);
        String database = prefix + "_" + suffix;
        Map<String, String> roles = new LinkedHashMap<>();
        Map<String, String> passwords = new LinkedHashMap<>();
        for (String role : List.of("owner", "analyst", "worker")) {
            roles.put(role, prefix + "_" + role + "_" + suffix);
            passwords.put(role, Secrets.remember("pw/" + role + "@" + DatabaseSetup.randomHex(8)));
            server.execute("postgres", "CREATE ROLE " + roles.get(role) + " LOGIN PASSWORD '" + passwords.get(role) + "'");
        }
        String crew = prefix + "_crew_" + suffix;
        roles.put("crew", crew);
        String owner = roles.get("owner");
        String analyst = roles.get("analyst");
        server.execute("postgres", "CREATE ROLE " + crew + " NOLOGIN", "GRANT " + crew + " TO " + roles.get("worker"),
                "CREATE DATABASE " + database + " OWNER " + owner);
        StringBuilder awkward = new StringBuilder();
        for (String name : AWKWARD_NAMES) {
            awkward.append("CREATE TABLE public.\"").append(name.replace("\"", "\"\"")).append("\" (id int);");
        }
        server.execute(database,
                "SET ROLE " + owner,
                "CREATE TABLE public.orders (id bigint PRIMARY KEY, account_id bigint, total numeric(10,2) DEFAULT 0)",
                "ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY own_rows ON public.orders USING (true)",
                "CREATE TABLE public.events (id bigint, payload text)",
                "CREATE TABLE public.customers (id bigint PRIMARY KEY, name text NOT NULL, email text)",
                "CREATE TABLE public.jobs (id bigint PRIMARY KEY, state text)",
                "CREATE TABLE public.salaries (id bigint PRIMARY KEY, amount numeric)",
                "CREATE TABLE public.revocable (id bigint)",
                "CREATE VIEW public.daily_totals AS SELECT 1 AS day, 2 AS total",
                "CREATE TABLE public.measurements (id bigint, at date, PRIMARY KEY (at, id)) PARTITION BY RANGE (at)",
                "CREATE TABLE public.measurements_2024 PARTITION OF public.measurements"
                        + " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                "CREATE SCHEMA \"Mixed Case\"",
                "CREATE TABLE \"Mixed Case\".\"Odd Table\" (id serial PRIMARY KEY, \"Weird Col\" varchar(20))",
                "CREATE MATERIALIZED VIEW public.order_totals AS SELECT 1 AS orders, 2.5 AS total",
                "CREATE TABLE public.\"café\" (id bigint PRIMARY KEY, crème text)",
                "CREATE SCHEMA hidden",
                "CREATE TABLE hidden.notes (id bigint, body text)",
                awkward.toString(),
                "RESET ROLE",
                "GRANT CONNECT ON DATABASE " + database + " TO " + analyst + ", " + roles.get("worker"),
                "GRANT SELECT ON public.orders, public.measurements, public.revocable TO " + analyst,
                "GRANT INSERT ON public.events TO " + analyst,
                "GRANT SELECT (id, name) ON public.customers TO " + analyst,
                "GRANT USAGE ON SCHEMA \"Mixed Case\" TO " + analyst,
                "GRANT SELECT ON \"Mixed Case\".\"Odd Table\" TO " + analyst,
                "GRANT SELECT, UPDATE ON public.jobs TO " + crew,
                "GRANT SELECT ON public.daily_totals TO PUBLIC",
                "GRANT SELECT ON public.order_totals, hidden.notes TO " + analyst);
        return new GrantsDatabase(server, database, Map.copyOf(roles), Map.copyOf(passwords));
    }

    /** The URL of a login role ({@code owner}, {@code analyst}, {@code worker}). */
    public String url(String role) {
        return Secrets.remember(server.url(roles.get(role), passwords.get(role), database));
    }

    /** Runs statements as the superuser in this database, each in its own transaction. */
    public void execute(String... statements) {
        server.execute(database, statements);
    }

    public String role(String credential) {
        return roles.get(credential);
    }

    /** Every table privilege, as an owner has them: MAINTAIN too from PostgreSQL 17 on. */
    public List<String> allTablePrivileges() {
        try (java.sql.Connection connection = server.connectAsSuperuser(database);
             java.sql.ResultSet row = connection.createStatement().executeQuery(
                     "SELECT current_setting('server_version_num')::int >= 170000")) {
            row.next();
            return row.getBoolean(1)
                    ? List.of("DELETE", "INSERT", "MAINTAIN", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE")
                    : List.of("DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("could not read the server's version: " + e.getMessage(), e);
        }
    }
}
