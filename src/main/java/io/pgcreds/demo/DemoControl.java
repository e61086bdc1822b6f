package io.pgcreds.demo;

import io.pgcreds.localpg.Superuser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What Heroku does to a running app, done to the demo: rotate a credential's password (the
 * database first, then the config vars) or fail over to the standby (new host, new passwords).
 * Works the same typed into the demo process or run from another one: the state file is the one
 * source of truth, read afresh for every command under {@link DemoState#update}'s lock.
 */
final class DemoControl {
    static final String PRIMARY = "primary";
    static final String STANDBY = "standby";
    private final Path dir;

    DemoControl(Path dir) {
        this.dir = dir;
    }

    static Path envFile(Path dir) {
        return dir.resolve("pgcreds.env");
    }

    /** A new password for the credential's role on the active server, then the env file: a rotation. */
    String rotate(String credential) {
        String name = credential.toUpperCase(Locale.ROOT);
        String role = switch (name) {
            case "ANALYST" -> DemoDatabase.ANALYST;
            case "DATABASE", "HEROKU_POSTGRESQL_RED" -> DemoDatabase.OWNER;
            default -> throw new IllegalArgumentException("the demo has ANALYST and DATABASE (alias HEROKU_POSTGRESQL_RED);"
                    + " not " + credential);
        };
        return DemoState.update(dir, state -> {
            String active = state.get("active");
            String password = newPassword();
            DemoDatabase.setPassword(server(state, active), role, password);
            state.set(passwordKey(role, active), password).save();
            writeEnvFile(dir, state);
            return "rotated " + name + ": new password set on the " + active + " server, then in " + envFile(dir)
                    + "; watch its generation go up in /credentials";
        });
    }

    /** Moves every credential to the other server, with new passwords there: an HA failover. */
    String failover() {
        return DemoState.update(dir, state -> {
            String target = state.get("active").equals(PRIMARY) ? STANDBY : PRIMARY;
            for (String role : new String[] {DemoDatabase.OWNER, DemoDatabase.ANALYST}) {
                String password = newPassword();
                DemoDatabase.setPassword(server(state, target), role, password);
                state.set(passwordKey(role, target), password);
            }
            state.set("active", target).save();
            writeEnvFile(dir, state);
            return "failed over to the " + target + " server (port " + state.get("server." + target + ".port")
                    + ", host " + host(target) + "); DATABASE and ANALYST get new pools";
        });
    }

    /** DATABASE_URL and its colour alias for the owner, ANALYST_URL for the limited role, on the active server. */
    static void writeEnvFile(Path dir, DemoState state) {
        String active = state.get("active");
        Map<String, String> vars = new TreeMap<>();
        String owner = url(state, active, DemoDatabase.OWNER);
        vars.put("DATABASE_URL", owner);
        vars.put("HEROKU_POSTGRESQL_RED_URL", owner);
        vars.put("ANALYST_URL", url(state, active, DemoDatabase.ANALYST));
        StringBuilder text = new StringBuilder("# written by the pgcreds demo, as `heroku config --shell` prints config vars\n");
        vars.forEach((key, value) -> text.append(key).append("='").append(value).append("'\n"));
        try {
            Path temporary = dir.resolve(".pgcreds.env.tmp");
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, envFile(dir), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String url(DemoState state, String server, String role) {
        return "postgres://" + role + ":" + state.get(passwordKey(role, server)) + "@" + host(server) + ":"
                + state.get("server." + server + ".port") + "/" + DemoDatabase.DATABASE;
    }

    /** The standby is addressed as localhost, so that a failover shows a new host as on Heroku. */
    static String host(String server) {
        return server.equals(PRIMARY) ? "127.0.0.1" : "localhost";
    }

    static String passwordKey(String role, String server) {
        return "password." + role + "." + server;
    }

    /** The superuser of a server the running demo started (possibly in another process). */
    private static Superuser server(DemoState state, String name) {
        return new Superuser("127.0.0.1", state.getInt("server." + name + ".port"),
                state.get("server." + name + ".superuser-password"), true);
    }

    static String newPassword() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
