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
    private final ConfigSource herokuApi;
    private final ConfigSource envFile;

    private ConfigSources(Map<String, String> environment, ConfigSource herokuApi, ConfigSource envFile) {
        this.environment = Map.copyOf(environment);
        this.herokuApi = herokuApi;
        this.envFile = envFile;
    }

    /**
     * The sources the settings configure. The env file, a local file, is read at once, so that the
     * first reconciliation sees it; the Platform API is first asked when {@link #start} starts polling.
     * Each source tells {@code events} of its changes and failures.
     */
    public static ConfigSources from(Map<String, String> environment, Settings settings, EventLog events) {
        EnvFileSource envFile = settings.envFile() == null ? null : new EnvFileSource(settings.envFile(), events);
        if (envFile != null) {
            envFile.refresh();
        }
        HerokuApiSource herokuApi = !settings.herokuApiConfigured() ? null : new HerokuApiSource(settings.herokuApp(),
                settings.herokuApiKey(), settings.herokuApiUrl(), settings.herokuPollInterval(), events);
        return new ConfigSources(environment, herokuApi, envFile);
    }

    /** The merged config vars, each source read once. */
    public Map<String, String> merged() {
        Map<String, String> merged = new HashMap<>(environment);
        if (herokuApi != null) {
            SourceState api = herokuApi.state();
            if (api.loaded()) {
                merged.keySet().removeIf(name -> name.endsWith("_URL"));
                merged.putAll(api.vars());
            }
        }
        if (envFile != null) {
            merged.putAll(envFile.state().vars());
        }
        return merged;
    }

    /** Re-reads every source now. */
    public void refreshAll() {
        if (envFile != null) {
            envFile.refresh();
        }
        refreshHerokuApi();
    }

    /** Re-reads the Platform API now, if it is configured. */
    public void refreshHerokuApi() {
        if (herokuApi != null) {
            herokuApi.refresh();
        }
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
        return Stream.of(envFile, herokuApi).filter(Objects::nonNull).map(source -> source.state().status()).toList();
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
