package io.pgcreds;

import io.pgcreds.config.InvalidSettingException;

/** Reads the environment and starts the service; everything else is {@link PgCreds}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        PgCreds service;
        try {
            service = PgCreds.start(System.getenv());
        } catch (InvalidSettingException e) {
            System.err.println("pgcreds: " + e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "pgcreds-shutdown"));
    }
}
