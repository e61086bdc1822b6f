package io.pgcreds.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.pgcreds.health.HealthMonitor;
import io.pgcreds.health.HealthReport;
import io.pgcreds.pools.PoolRegistry;

import java.util.Map;

/** {@code /health}, {@code /health/live} and {@code /health/ready}: answered from memory, never from a database. */
final class HealthRoutes {
    private final PoolRegistry registry;
    private final HealthMonitor monitor;
    private final HttpLifecycle lifecycle;

    HealthRoutes(PoolRegistry registry, HealthMonitor monitor, HttpLifecycle lifecycle) {
        this.registry = registry;
        this.monitor = monitor;
        this.lifecycle = lifecycle;
    }

    void register(RoutesConfig routes) {
        routes.get("/health", this::health);
        routes.get("/health/live", this::live);
        routes.get("/health/ready", this::ready);
    }

    private void health(Context ctx) {
        QueryParams.allowOnly(ctx, java.util.Set.of());
        HealthReport report = HealthReport.of(registry, monitor);
        ctx.status(report.ready() ? 200 : 503).json(report);
    }

    private void live(Context ctx) {
        ctx.json(Map.of("status", HealthReport.UP));
    }

    /** Ready when the default credential is up, and not while the service is stopping. */
    private void ready(Context ctx) {
        HealthReport report = HealthReport.of(registry, monitor);
        boolean ready = report.ready() && !lifecycle.stopping();
        ctx.status(ready ? 200 : 503).json(Map.of(
                "status", ready ? HealthReport.UP : HealthReport.DOWN,
                "defaultCredential", report.defaultCredential()));
    }
}
