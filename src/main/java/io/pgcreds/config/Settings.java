package io.pgcreds.config;

import io.pgcreds.discovery.SslMode;
import io.pgcreds.util.Secret;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The service's settings, read once from the process environment at start. Every name is one of
 * PRODUCT.md's configuration interface; a value that cannot be used stops the start with a message
 * naming the variable, because a silently ignored setting is worse than a failed release.
 */
public record Settings(int port, Secret apiToken, int defaultPoolSize, SslMode sslFloor,
                       Duration healthInterval, Duration healthTimeout, Duration drain, Duration removalGrace,
                       String defaultCredential, Duration connectionTimeout, Duration statementTimeout,
                       Path envFile, String herokuApp, Secret herokuApiKey, String herokuApiUrl,
                       Duration herokuPollInterval, Secret webhookSecret, Duration logSampleInterval, String dyno) {

    public static final String POOL_SIZE = "PGCREDS_POOL_SIZE";
    public static final int MAX_POOL_SIZE = 100;

    public static Settings from(Map<String, String> env) {
        Reader reader = new Reader(env);
        Settings settings = new Settings(
                reader.integer("PORT", 8080, 0, 65535),
                Secret.of(env.get("PGCREDS_API_TOKEN")),
                reader.integer(POOL_SIZE, 5, 1, MAX_POOL_SIZE),
                reader.sslFloor(),
                Duration.ofMillis(reader.integer("PGCREDS_HEALTH_INTERVAL_MS", 2000, 100, 3_600_000)),
                Duration.ofMillis(reader.integer("PGCREDS_HEALTH_TIMEOUT_MS", 1500, 50, 60_000)),
                Duration.ofSeconds(reader.integer("PGCREDS_DRAIN_SECONDS", 25, 0, 3600)),
                Duration.ofSeconds(reader.integer("PGCREDS_REMOVAL_GRACE_SECONDS", 5, 0, 86_400)),
                reader.text("PGCREDS_DEFAULT_CREDENTIAL", "DATABASE"),
                Duration.ofMillis(reader.integer("PGCREDS_CONNECTION_TIMEOUT_MS", 5000, 250, 600_000)),
                Duration.ofMillis(reader.integer("PGCREDS_STATEMENT_TIMEOUT_MS", 5000, 100, 600_000)),
                reader.path("PGCREDS_ENV_FILE"),
                reader.text("PGCREDS_HEROKU_APP", null),
                Secret.of(env.get("HEROKU_API_KEY")),
                reader.url("PGCREDS_HEROKU_API_URL", "https://api.heroku.com"),
                Duration.ofSeconds(reader.integer("PGCREDS_HEROKU_POLL_SECONDS", 60, 0, 86_400)),
                Secret.of(env.get("PGCREDS_WEBHOOK_SECRET")),
                Duration.ofSeconds(reader.integer("PGCREDS_LOG_SAMPLE_SECONDS", 60, 0, 86_400)),
                reader.dyno());
        if (settings.herokuApp() != null && settings.herokuApiKey().isEmpty()) {
            reader.problems.add("PGCREDS_HEROKU_APP is set but HEROKU_API_KEY is not");
        }
        reader.failIfAnyProblem();
        return settings;
    }

    /** True when the Platform API is to be polled: an app and an API key are both set. */
    public boolean herokuApiConfigured() {
        return herokuApp != null && !herokuApiKey.isEmpty();
    }

    public boolean webhookConfigured() {
        return !webhookSecret.isEmpty();
    }

    /** True when protected endpoints can be reached at all. */
    public boolean apiTokenConfigured() {
        return !apiToken.isEmpty();
    }

    /**
     * The pool size for a credential: {@code PGCREDS_POOL_SIZE_<NAME>} for its name or any alias,
     * else {@code PGCREDS_POOL_SIZE}. These are read from the live config vars, so a bad value only
     * warns and falls back to the default instead of stopping anything.
     */
    public PoolSize poolSizeFor(List<String> names, Map<String, String> vars) {
        for (String name : names) {
            String var = POOL_SIZE + "_" + name;
            String value = vars.get(var);
            if (value != null) {
                try {
                    int size = Integer.parseInt(value.strip());
                    if (size >= 1 && size <= MAX_POOL_SIZE) {
                        return new PoolSize(size, null);
                    }
                } catch (NumberFormatException e) {
                    // fall through to the warning
                }
                return new PoolSize(defaultPoolSize, var + " must be a whole number from 1 to " + MAX_POOL_SIZE
                        + "; using " + defaultPoolSize);
            }
        }
        return new PoolSize(defaultPoolSize, null);
    }

    /** A pool size and, when the configured one could not be used, why. */
    public record PoolSize(int size, String warning) {
    }

    private static final class Reader {
        private final Map<String, String> env;
        private final List<String> problems = new ArrayList<>();

        Reader(Map<String, String> env) {
            this.env = env;
        }

        int integer(String name, int fallback, int min, int max) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                return fallback;
            }
            try {
                int parsed = Integer.parseInt(value.strip());
                if (parsed >= min && parsed <= max) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problems.add(name + " must be a whole number from " + min + " to " + max + ", got '" + shorten(value) + "'");
            return fallback;
        }

        String text(String name, String fallback) {
            String value = env.get(name);
            return value == null || value.isBlank() ? fallback : value.strip();
        }

        Path path(String name) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                return null;
            }
            try {
                return Path.of(value.strip()).toAbsolutePath();
            } catch (InvalidPathException e) {
                problems.add(name + " is not a usable file path");
                return null;
            }
        }

        String url(String name, String fallback) {
            String value = text(name, fallback);
            if (!value.matches("https?://[^\\s/?#]+(/[^\\s?#]*)?")) {
                problems.add(name + " must be an http(s) URL, got '" + shorten(value) + "'");
                return fallback;
            }
            return value;
        }

        /** Heroku's dyno name ({@code web.1}), this instance's id among its app's instances; null off Heroku. */
        String dyno() {
            String value = text("DYNO", null);
            if (value != null && !value.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
                problems.add("DYNO must be a dyno name such as web.1, got '" + shorten(value) + "'");
                return null;
            }
            return value;
        }

        SslMode sslFloor() {
            String value = env.get("PGCREDS_SSLMODE");
            if (value == null || value.isBlank()) {
                return SslMode.REQUIRE;
            }
            SslMode mode = SslMode.parse(value).orElse(null);
            if (mode == null || !mode.atLeast(SslMode.REQUIRE)) {
                problems.add("PGCREDS_SSLMODE must be require, verify-ca or verify-full, got '" + shorten(value) + "'");
                return SslMode.REQUIRE;
            }
            return mode;
        }

        void failIfAnyProblem() {
            if (!problems.isEmpty()) {
                throw new InvalidSettingException(String.join("; ", problems));
            }
        }

        private static String shorten(String value) {
            String stripped = value.strip();
            return stripped.length() <= 40 ? stripped : stripped.substring(0, 40) + "...";
        }
    }
}
