package io.pgcreds.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    /** Either source may be null when it is not configured. */
    public ConfigSources(Map<String, String> environment, ConfigSource herokuApi, ConfigSource envFile) {
        this.environment = Map.copyOf(environment);
        this.herokuApi = herokuApi;
        this.envFile = envFile;
    }

    public Map<String, String> merged() {
        Map<String, String> merged = new HashMap<>(environment);
        if (herokuApi != null && herokuApi.loaded()) {
            merged.keySet().removeIf(name -> name.endsWith("_URL"));
            merged.putAll(herokuApi.snapshot());
        }
        if (envFile != null) {
            merged.putAll(envFile.snapshot());
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

    public void start(Runnable onChange) {
        if (envFile != null) {
            envFile.start(onChange);
        }
        if (herokuApi != null) {
            herokuApi.start(onChange);
        }
    }

    public List<SourceStatus> statuses() {
        return java.util.stream.Stream.of(envFile, herokuApi).filter(java.util.Objects::nonNull)
                .map(ConfigSource::status).toList();
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
