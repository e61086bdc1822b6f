package io.pgcreds.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Several instances of the packaged jar, as several dynos of one Heroku app ({@code DYNO=web.1} ...),
 * all on the same database (the default credential {@code DATABASE}, a limited {@code ANALYST}) and
 * the same Platform API stand-in, which holds those two credentials' URLs; polling every 2 s,
 * with a webhook secret. Not thread-safe: the test that owns it drives it.
 */
public final class JarFleet implements AutoCloseable {
    public static final String APP = "pgcreds-fleet-app";
    private final DatabaseSetup db;
    private final PlatformApiStandIn api;
    private final String token = Secrets.remember("fleet-token-" + DatabaseSetup.randomHex(8));
    private final String webhookSecret = Secrets.remember("fleet-webhook-" + DatabaseSetup.randomHex(8));
    private final Map<String, String> vars = new HashMap<>();
    private final List<Map<String, String>> envs = new ArrayList<>();
    private final List<List<String>> jvmArgs = new ArrayList<>();
    private final List<JarProcess> jars = new ArrayList<>();
    private final List<ApiClient> clients = new ArrayList<>();

    private JarFleet(DatabaseSetup db, PlatformApiStandIn api) {
        this.db = db;
        this.api = api;
    }

    /** Starts {@code size} instances and waits until each serves both credentials. */
    public static JarFleet start(int size, DatabaseSetup db) {
        return start(size, db, List.of());
    }

    /** {@link #start(int, DatabaseSetup)} with JVM flags in the place of the Procfile's $JAVA_OPTS. */
    public static JarFleet start(int size, DatabaseSetup db, List<String> jvmArgs) {
        String apiKey = Secrets.remember("fleet-api-key-" + DatabaseSetup.randomHex(8));
        JarFleet fleet = new JarFleet(db, new PlatformApiStandIn(APP, apiKey));
        fleet.vars.put("DATABASE_URL", db.ownerUrl());
        fleet.vars.put("ANALYST_URL", db.limitedUrl());
        fleet.api.setVars(fleet.vars);
        List<Map<String, String>> envs = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            envs.add(Map.of("DYNO", "web." + i, "PGCREDS_HEROKU_APP", APP, "HEROKU_API_KEY", apiKey,
                    "PGCREDS_HEROKU_API_URL", fleet.api.baseUrl(), "PGCREDS_HEROKU_POLL_SECONDS", "2",
                    "PGCREDS_WEBHOOK_SECRET", fleet.webhookSecret));
        }
        return fleet.launch(envs, jvmArgs);
    }

    /**
     * Instances that do not poll the Platform API, each with the database's two credentials in its
     * environment plus its own {@code env} (e.g. {@code DYNO}, {@code HEROKU_APP_NAME}).
     */
    public static JarFleet startWithoutPlatformApi(DatabaseSetup db, List<Map<String, String>> envs) {
        JarFleet fleet = new JarFleet(db, new PlatformApiStandIn(APP, Secrets.remember("unused-" + DatabaseSetup.randomHex(8))));
        return fleet.launch(envs.stream().map(env -> {
            Map<String, String> withAnalyst = new HashMap<>(env);
            withAnalyst.put("ANALYST_URL", db.limitedUrl());
            return withAnalyst;
        }).toList(), List.of());
    }

    private JarFleet launch(List<Map<String, String>> own, List<String> flags) {
        try {
            for (Map<String, String> extra : own) {
                Map<String, String> env = new HashMap<>(Map.of("PGCREDS_API_TOKEN", token, "DATABASE_URL", db.ownerUrl(),
                        "PGCREDS_DRAIN_SECONDS", "2", "PGCREDS_LOG_SAMPLE_SECONDS", "0"));
                env.putAll(extra);
                envs.add(env);
                jvmArgs.add(flags);
                jars.add(JarProcess.start(env, flags, List.of(), java.nio.file.Path.of(".")));
            }
            for (JarProcess jar : jars) {
                clients.add(awaitServing(jar));
            }
            return this;
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private ApiClient awaitServing(JarProcess jar) {
        jar.awaitPort(Duration.ofSeconds(60));
        ApiClient client = new ApiClient(jar.port(), token);
        client.awaitCredential("ANALYST", credential -> credential.path("state").asText().equals("active"));
        return client;
    }

    /**
     * Kills one instance (SIGKILL, as a crashed dyno) and starts it again with the same environment
     * (its DYNO too), as Heroku restarts a dyno; returns once the new process serves.
     */
    public void restart(int index) {
        JarProcess old = jars.get(index);
        old.process().destroyForcibly();
        try {
            old.process().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        old.close();
        JarProcess started = JarProcess.start(envs.get(index), jvmArgs.get(index), List.of(), java.nio.file.Path.of("."));
        jars.set(index, started);
        clients.set(index, awaitServing(started));
    }

    public int size() {
        return jars.size();
    }

    /** The API token of every instance. */
    public String token() {
        return token;
    }

    public ApiClient client(int index) {
        return clients.get(index);
    }

    public JarProcess jar(int index) {
        return jars.get(index);
    }

    public PlatformApiStandIn api() {
        return api;
    }

    /** The instance's Platform API role, as {@code /credentials} shows it under {@code sources}. */
    public String polling(int index) {
        for (JsonNode source : clients.get(index).get("/credentials").json().path("sources")) {
            if (source.path("name").asText().equals("heroku-api")) {
                return source.path("polling").asText();
            }
        }
        throw new AssertionError("web." + (index + 1) + " shows no heroku-api source");
    }

    /** Waits until exactly one of the live instances leads and the others follow; returns the leader's index. */
    public int awaitOneLeader(List<Integer> live) {
        return Await.until("one leader among " + live, () -> {
            List<String> roles = live.stream().map(this::polling).toList();
            return roles.stream().filter("leader"::equals).count() == 1
                    && roles.stream().filter("follower"::equals).count() == live.size() - 1
                    ? live.get(roles.indexOf("leader")) : null;
        }, leader -> leader != null);
    }

    /** Rotates ANALYST's password on the server and in the stand-in's config vars (no instance is told). */
    public DatabaseSetup rotateAnalyst() {
        DatabaseSetup rotated = db.withNewLimitedPassword();
        vars.put("ANALYST_URL", rotated.limitedUrl());
        api.setVars(vars);
        return rotated;
    }

    /** Posts a signed {@code api:release} delivery to one instance; returns its status. */
    public int webhook(int index) {
        return Webhooks.post(clients.get(index), webhookSecret, APP, "api:release", "release").status();
    }

    /** Sends a signal (STOP, CONT) to one instance's process. */
    public void signal(int index, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(jars.get(index).pid())).start();
            if (kill.waitFor() != 0) {
                throw new AssertionError("kill -" + signal + " failed");
            }
        } catch (IOException e) {
            throw new AssertionError("kill -" + signal + " could not run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        jars.forEach(JarProcess::close);
        api.close();
    }
}
