package io.pgcreds.http;

import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.pgcreds.health.HealthMonitor;
import io.pgcreds.health.HealthReport;
import io.pgcreds.health.History;
import io.pgcreds.pools.PoolRegistry;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code /health}, {@code /health/live}, {@code /health/ready} and {@code /health/history}: answered
 * from memory, never from a database. The rendered report is shared by the requests that arrive
 * while no probe result and no pool has changed, for at most {@value #STATS_MAX_AGE_MS} ms (the pool
 * figures in it move with every request): a dashboard polled by many, or a load balancer, costs one
 * rendering per change. So do its entity tag and its compression (see {@link Representation}):
 * Javalin would compress each answer again, and 16 kB with a hundred credentials cost ~70% of the
 * throughput.
 */
final class HealthRoutes {
    static final long STATS_MAX_AGE_MS = 50;
    private final PoolRegistry registry;
    private final HealthMonitor monitor;
    private final History history;
    private final Duration interval;
    private final HttpLifecycle lifecycle;
    private final JsonAnswers json;
    private final ConditionalGet answers;
    private volatile Rendered rendered;
    private final ReentrantLock rendering = new ReentrantLock();

    /** One rendering of the report, valid for the registry snapshot and probe results it was built from. */
    private record Rendered(PoolRegistry.Snapshot snapshot, long version, long builtAtNanos, HealthReport report,
                            Representation body) {
        boolean fresh(PoolRegistry.Snapshot current, long currentVersion) {
            return snapshot == current && version == currentVersion
                    && System.nanoTime() - builtAtNanos < STATS_MAX_AGE_MS * 1_000_000;
        }
    }

    /** @param interval the probe interval, which {@code /health/history} tells pollers */
    HealthRoutes(PoolRegistry registry, HealthMonitor monitor, History history, Duration interval,
                 HttpLifecycle lifecycle, JsonAnswers json, ConditionalGet answers) {
        this.registry = registry;
        this.monitor = monitor;
        this.history = history;
        this.interval = interval;
        this.lifecycle = lifecycle;
        this.json = json;
        this.answers = answers;
    }

    void register(RouteTable routes) {
        routes.get("/health", this::health);
        routes.get("/health/live", this::live);
        routes.get("/health/ready", this::ready);
        routes.get("/health/history", this::history);
    }

    private void health(Context ctx) {
        QueryParams.allowOnly(ctx, Set.of());
        Rendered current = current();
        answers.write(ctx, current.report().ready() ? 200 : 503, current.body());
    }

    /** The sparklines' data: as public as /health, whose answers over ten minutes it sums up. */
    private void history(Context ctx) {
        QueryParams.allowOnly(ctx, Set.of());
        answers.write(ctx, 200, new Representation(json.bytes(history.report(
                registry.snapshot().entries().keySet(), Instant.now(), interval.toMillis())), ContentType.JSON));
    }

    /**
     * The current rendering. One request at a time renders a new one; the requests that arrive while
     * it does get the previous one (older by one rendering at most) rather than all rendering the
     * same report at once: with a hundred credentials probed every two seconds the results change
     * fifty times a second, and sixty-four clients rendering together made the p99 ten times worse.
     */
    private Rendered current() {
        PoolRegistry.Snapshot snapshot = registry.snapshot();
        long version = monitor.version();
        Rendered last = rendered;
        if (last != null && last.fresh(snapshot, version)) {
            return last;
        }
        boolean mine = rendering.tryLock();
        if (!mine) {
            if (last != null && last.snapshot() == snapshot) {
                return last; // someone renders the news right now
            }
            rendering.lock(); // the registry changed (credentials came or went): wait for the new rendering
        }
        try {
            Rendered now = rendered;
            if (now != null && now != last && now.snapshot() == registry.snapshot()) {
                return now; // rendered by the request this one waited for
            }
            long builtAt = System.nanoTime();
            long seenVersion = monitor.version();
            PoolRegistry.Snapshot seenSnapshot = registry.snapshot();
            HealthReport report = HealthReport.of(registry);
            Rendered fresh = new Rendered(seenSnapshot, seenVersion, builtAt, report,
                    new Representation(json.bytes(report), ContentType.JSON));
            rendered = fresh;
            return fresh;
        } finally {
            rendering.unlock();
        }
    }

    private void live(Context ctx) {
        ctx.json(Map.of("status", HealthReport.UP));
    }

    /** Ready when the default credential is up, and not while the service is stopping. */
    private void ready(Context ctx) {
        HealthReport report = current().report();
        boolean ready = report.ready() && !lifecycle.stopping();
        ctx.status(ready ? 200 : 503).json(Map.of(
                "status", ready ? HealthReport.UP : HealthReport.DOWN,
                "defaultCredential", report.defaultCredential()));
    }
}
