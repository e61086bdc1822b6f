package io.pgcreds.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.pgcreds.metrics.ServiceMetrics;

import java.time.Duration;
import java.util.Set;

/** {@code GET /metrics} (Prometheus text), and every request counted there by its route template. */
final class MetricsRoutes {
    private final ServiceMetrics metrics;
    private final BearerAuth auth;

    MetricsRoutes(ServiceMetrics metrics, BearerAuth auth) {
        this.metrics = metrics;
        this.auth = auth;
    }

    void register(RouteTable routes, JavalinConfig config) {
        routes.get("/metrics", auth.protect(ctx -> {
            QueryParams.allowOnly(ctx, Set.of());
            ctx.contentType(ServiceMetrics.contentType()).result(metrics.scrape());
        }));
        config.requestLogger.http((ctx, millis) -> metrics.recordRequest(ctx.method().name(), route(ctx),
                ctx.statusCode(), Duration.ofNanos((long) (millis * 1_000_000))));
    }

    /** The route template that matched ({@code /credentials/{name}}), never the raw path. */
    private static String route(Context ctx) {
        try {
            Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
            return endpoint == null ? "unmatched" : endpoint.path;
        } catch (RuntimeException e) {
            return "unmatched";
        }
    }
}
