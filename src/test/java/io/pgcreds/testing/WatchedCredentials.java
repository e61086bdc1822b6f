package io.pgcreds.testing;

import io.pgcreds.testing.postgres.PostgresServer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A test database's owner ({@code DATABASE_URL}) and limited ({@code ANALYST_URL}) credentials in an
 * env file for the service to watch, plus whatever other vars a test adds; rotating the limited
 * credential changes its password on the server, then in the file, as Heroku does. Not thread-safe.
 */
public final class WatchedCredentials {
    private final EnvFileWriter file;
    private final Map<String, String> vars = new HashMap<>();
    private DatabaseSetup db;

    private WatchedCredentials(DatabaseSetup db, EnvFileWriter file) {
        this.db = db;
        this.file = file;
    }

    /** A new database on {@code server} (names starting with {@code prefix}), written to {@code dir}. */
    public static WatchedCredentials create(PostgresServer server, String prefix, Path dir) {
        WatchedCredentials credentials = new WatchedCredentials(DatabaseSetup.create(server, prefix),
                new EnvFileWriter(dir.resolve(prefix + ".env")));
        credentials.vars.put("DATABASE_URL", credentials.db.ownerUrl());
        credentials.vars.put("ANALYST_URL", credentials.db.limitedUrl());
        credentials.file.replace(credentials.vars);
        return credentials;
    }

    /** Adds (or replaces) vars in the file. */
    public WatchedCredentials with(Map<String, String> more) {
        vars.putAll(more);
        file.replace(vars);
        return this;
    }

    /** Takes a var out of the file. */
    public WatchedCredentials without(String var) {
        vars.remove(var);
        file.replace(vars);
        return this;
    }

    /** The service's environment: {@code PGCREDS_ENV_FILE} pointing at the file, and {@code settings}. */
    public Map<String, String> env(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(settings);
        env.put("PGCREDS_ENV_FILE", file.file().toString());
        return env;
    }

    /** A new password for the limited role on the server, then in the file (an atomic rename). */
    public void rotateAnalyst() {
        db = db.withNewLimitedPassword();
        vars.put("ANALYST_URL", db.limitedUrl());
        file.replace(vars);
    }
}
