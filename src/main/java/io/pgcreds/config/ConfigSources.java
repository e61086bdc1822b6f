package io.pgcreds.config;

import io.pgcreds.events.EventLog;
import io.pgcreds.events.Trigger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Every source of config vars, merged into the one map the reconciler works from: the process
 * environment, then the Platform API, then the env file. When the Platform API has answered, its
 * {@code *_URL} vars replace the environment's, because the environment is the app's config as it
 * was at boot and a detached add-on must go away. Thread-safe.
 */
public final class ConfigSources implements AutoCloseable {
    private final Map<String, String> environment;
    private final HerokuApiSource herokuApi;
    private final ConfigSource envFile;

    private ConfigSources(Map<String, String> environment, HerokuApiSource herokuApi, ConfigSource envFile) {
        this.environment = Map.copyOf(environment);
        this.herokuApi = herokuApi;
        this.envFile = envFile;
    }

    /**
     * The merged config vars and the version they came with: the Platform API's ETag when it has
     * answered, else null (the environment and the env file carry no version).
     */
    public record Merged(Map<String, String> vars, String version) {
        public Merged {
            vars = Map.copyOf(vars);
        }
    }

    /**
     * The sources the settings configure. The env file, a local file, is read at once, so that the
     * first reconciliation sees it; the Platform API is first asked when {@link #start} starts polling,
     * and then before each poll {@code gate} says whether this instance polls at all. Each source
     * tells {@code events} of its changes and failures.
     */
    public static ConfigSources from(Map<String, String> environment, Settings settings, EventLog events,
                                     PollGate gate) {
        EnvFileSource envFile = settings.envFile() == null ? null : new EnvFileSource(settings.envFile(), events);
        if (envFile != null) {
            envFile.refresh();
        }
        HerokuApiSource herokuApi = !settings.herokuApiConfigured() ? null : new HerokuApiSource(settings.herokuApp(),
                settings.herokuApiKey(), settings.herokuApiUrl(), settings.herokuPollInterval(), gate, events);
        return new ConfigSources(environment, herokuApi, envFile);
    }

    /** The merged config vars, each source read once. */
    public Map<String, String> merged() {
        return current().vars();
    }

    /** The merged config vars and their version, each source's state read once. */
    public Merged current() {
        Map<String, String> merged = new HashMap<>(environment);
        String version = null;
        if (herokuApi != null) {
            SourceState api = herokuApi.state();
            if (api.loaded()) {
                merged.keySet().removeIf(name -> name.endsWith("_URL"));
                merged.putAll(api.vars());
                version = api.version();
            }
        }
        if (envFile != null) {
            merged.putAll(envFile.state().vars());
        }
        return new Merged(merged, version);
    }

    /** Re-reads every source now; true when any source's vars changed. */
    public boolean refreshAll() {
        boolean changed = envFile != null && envFile.refresh();
        return refreshHerokuApi() || changed;
    }

    /** Re-reads the Platform API now, if it is configured (conditionally: an unchanged config is a 304); true when its vars changed. */
    public boolean refreshHerokuApi() {
        return herokuApi != null && herokuApi.refresh();
    }

    /** Has the Platform API polled soon, on its own thread (a new leader's first poll); nothing when it is not configured. */
    public void pollHerokuApiNow() {
        if (herokuApi != null) {
            herokuApi.pollNow();
        }
    }

    /** The version (ETag) of the Platform API's vars in use, or null (not configured, no answer yet, no ETag). */
    public String herokuApiVersion() {
        return herokuApi == null ? null : herokuApi.state().version();
    }

    /** What polling has cost so far, or null when the Platform API is not configured. */
    public PlatformApiFigures platformApiFigures() {
        return herokuApi == null ? null : herokuApi.figures();
    }

    public boolean hasHerokuApi() {
        return herokuApi != null;
    }

    public boolean hasEnvFile() {
        return envFile != null;
    }

    /**
     * Starts watching the env file and polling the Platform API; {@code onChange} runs for every change
     * they find, with the source's trigger ({@link Trigger#ENV_FILE}, {@link Trigger#PLATFORM_API}).
     */
    public void start(Consumer<Trigger> onChange) {
        if (envFile != null) {
            envFile.start(() -> onChange.accept(envFile.trigger()));
        }
        if (herokuApi != null) {
            herokuApi.start(() -> onChange.accept(herokuApi.trigger()));
        }
    }

    /** How each configured source is doing: the env file first, then the Platform API. */
    public List<SourceStatus> statuses() {
        return Stream.of(envFile, herokuApi).filter(Objects::nonNull).map(ConfigSource::status).toList();
    }

    @Override
    public void close() {
        if (envFile != null) {
            envFile.close();
        }
        if (herokuApi != null) {
            herokuApi.close();
        }
    }
}
