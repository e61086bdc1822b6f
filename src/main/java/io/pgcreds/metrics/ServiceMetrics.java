package io.pgcreds.metrics;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pgcreds.config.ConfigSources;
import io.pgcreds.fleet.Fleet;
import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.CredentialState;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.pools.ProbeResult;
import io.pgcreds.reload.ReloadResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Every figure {@code /metrics} exposes, in one Micrometer registry rendered as Prometheus text.
 * Pools report through HikariCP's own Micrometer tracker, tagged {@code pool="NAME#generation"}, so
 * a replaced pool's figures never mix with its successor's and go when it closes. Credential figures
 * (probe status and latency, generation, state, last reload) follow the registry at every scrape.
 * Thread-safe.
 */
public final class ServiceMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, List<Meter>> credentialMeters = new HashMap<>();
    private final PoolRegistry pools;
    private boolean jvmBound; // guarded by this

    /**
     * @param pools   the credentials whose figures follow at every scrape
     * @param sources the config sources, for the Platform API's figures (see {@link FleetMeters})
     * @param fleet   the fleet, for its figures
     */
    public ServiceMetrics(PoolRegistry pools, ConfigSources sources, Fleet fleet) {
        this.pools = pools;
        FleetMeters.bind(registry, sources, fleet);
    }

    /** For HikariCP: each pool registers its connection gauges and acquire, usage and creation timers. */
    public MetricsTrackerFactory poolTrackers() {
        return new MicrometerMetricsTrackerFactory(registry);
    }

    /** One HTTP request, by method, route template (not the raw path) and status. */
    public void recordRequest(String method, String route, int status, Duration took) {
        Timer.builder("http.server.requests").description("HTTP requests served")
                .tags("method", method, "route", route, "status", String.valueOf(status))
                .register(registry).record(took);
    }

    /** What a reconciliation did to each credential. */
    public void recordReload(ReloadResult result) {
        count(result.added(), "added");
        count(result.removed(), "removed");
        count(result.replaced(), "replaced");
        count(result.pending(), "pending");
        count(result.failed(), "failed");
        count(result.recovered(), "recovered");
        count(result.newlyLeaving(), "leaving");
        count(result.kept(), "kept");
    }

    private void count(List<String> credentials, String outcome) {
        for (String credential : credentials) {
            Counter.builder("pgcreds.reloads").description("Reconciliation outcomes per credential")
                    .tags("credential", credential, "outcome", outcome).register(registry).increment();
        }
    }

    /** The Prometheus text exposition (format 0.0.4) of every meter. */
    public synchronized String scrape() {
        if (!jvmBound) {
            // at the first scrape, not at start: reading the JVM's management beans the first time
            // costs ~30 ms, which the port would otherwise wait for
            jvmBound = true;
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
        }
        syncCredentialMeters();
        return registry.scrape();
    }

    public static String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }

    /** Credential gauges come and go with the credentials. */
    private void syncCredentialMeters() {
        Map<String, CredentialEntry> entries = pools.snapshot().entries();
        credentialMeters.entrySet().removeIf(meters -> {
            if (entries.containsKey(meters.getKey())) {
                return false;
            }
            meters.getValue().forEach(registry::remove);
            return true;
        });
        for (String name : entries.keySet()) {
            credentialMeters.computeIfAbsent(name, this::register);
        }
    }

    private List<Meter> register(String name) {
        List<Meter> meters = new ArrayList<>();
        // a credential without a pool (its URL is invalid) is down, not unknown: 0, so that == 0 alerts fire
        meters.add(gauge(name, "pgcreds.credential.up", "1 when the last probe succeeded, 0 when it failed"
                        + " or the credential has no pool (invalid), NaN before the first probe",
                entry -> probe(entry) == null ? 0 : switch (probe(entry).status()) {
                    case UP -> 1;
                    case DOWN -> 0;
                    case UNKNOWN -> Double.NaN;
                }));
        meters.add(gauge(name, "pgcreds.probe.latency.seconds", "Latency of the last successful probe; NaN while there is none",
                entry -> probe(entry) == null || probe(entry).latencyMs() == null
                        ? Double.NaN : probe(entry).latencyMs() / 1000.0));
        meters.add(gauge(name, "pgcreds.probe.checked.timestamp.seconds", "When the credential was last probed; NaN while it never was (no pool)",
                entry -> probe(entry) == null || probe(entry).checkedAt() == null
                        ? Double.NaN : probe(entry).checkedAt().toEpochMilli() / 1000.0));
        meters.add(gauge(name, "pgcreds.credential.generation", "Configurations published for the credential",
                entry -> entry.generation()));
        meters.add(gauge(name, "pgcreds.credential.last.reload.timestamp.seconds", "When the credential last changed",
                entry -> entry.lastReloadAt() == null ? Double.NaN : entry.lastReloadAt().toEpochMilli() / 1000.0));
        meters.add(gauge(name, "pgcreds.credential.removal.timestamp.seconds", "When the credential, absent from the"
                        + " config, is to be removed (PGCREDS_REMOVAL_GRACE_SECONDS after it went); NaN while it is in the config",
                entry -> entry.isLeaving() ? entry.leaving().removeAt().toEpochMilli() / 1000.0 : Double.NaN));
        for (CredentialState state : CredentialState.values()) {
            meters.add(Gauge.builder("pgcreds.credential.state", () -> {
                        CredentialEntry entry = pools.snapshot().entries().get(name);
                        return entry != null && entry.state() == state ? 1 : 0;
                    }).description("1 for the credential's current state")
                    .tags("credential", name, "state", state.wireName()).strongReference(true).register(registry));
        }
        return meters;
    }

    private Meter gauge(String credential, String meterName, String description, ToDoubleFunction<CredentialEntry> value) {
        return Gauge.builder(meterName, () -> {
                    CredentialEntry entry = pools.snapshot().entries().get(credential);
                    return entry == null ? Double.NaN : value.applyAsDouble(entry);
                }).description(description).tag("credential", credential).strongReference(true).register(registry);
    }

    private ProbeResult probe(CredentialEntry entry) {
        return entry.hasPool() ? entry.pool().lastProbe() : null;
    }
}
