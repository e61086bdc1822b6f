package io.pgcreds.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import io.pgcreds.catalog.AccessMatrix;
import io.pgcreds.catalog.CatalogService;
import io.pgcreds.config.ConfigSources;
import io.pgcreds.config.Settings;
import io.pgcreds.events.EventLog;
import io.pgcreds.fleet.Fleet;
import io.pgcreds.health.HealthMonitor;
import io.pgcreds.health.History;
import io.pgcreds.metrics.ServiceMetrics;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.reload.Reloader;

import java.time.Duration;

/**
 * Builds the HTTP API: Jetty's settings, the routes, bearer auth, problem documents, headers. The
 * app is returned unstarted. Stateless.
 */
public final class HttpApi {
    /** No endpoint takes more: the webhook's payloads are a few kB, the others take none. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /**
     * Bodies over the limit but under this are read and dropped before the 413, so that the client
     * reads the answer instead of a reset; larger ones are refused unread.
     */
    static final int DRAIN_LIMIT_BYTES = 1024 * 1024;
    static final int RESPONSE_COPY_BUFFER_BYTES = 4096;
    /** Under Jetty's idle timeout (30 s), and often enough for proxies that close quiet connections. */
    static final Duration STREAM_HEARTBEAT = Duration.ofSeconds(15);
    /**
     * The status page loads its script and style from here and nowhere else, runs no inline script
     * or style, and may not be framed (clickjacking); no answer is worth a Referer to anyone.
     */
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private HttpApi() {
    }

    /** What the routes call. */
    public record Services(Settings settings, PoolRegistry registry, HealthMonitor monitor, History history,
                           EventLog events, CatalogService catalog, AccessMatrix access, Reloader reloader,
                           ConfigSources sources, ServiceMetrics metrics, HttpLifecycle lifecycle, Fleet fleet) {
    }

    /** The app, configured and unstarted: {@code start()} binds the port. */
    public static Javalin create(Services services) {
        Settings settings = services.settings();
        ObjectMapper mapper = JsonAnswers.mapper();
        JsonAnswers json = new JsonAnswers(mapper);
        OpenApiRoute contract = new OpenApiRoute();
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.prefer405over404 = true;
            config.router.ignoreTrailingSlashes = false; // /tables/ is not /tables: one path per endpoint
            config.jetty.port = settings.port();
            config.jetty.modifyServer(server -> {
                services.lifecycle().install(server);
                server.setErrorHandler(new JettyProblems(mapper));
            });
            config.http.maxRequestSize = DRAIN_LIMIT_BYTES;
            // Javalin copies every answer through a fresh buffer of this size; its default (Jetty's
            // 32 KiB output buffer) made a /health answer of 400 bytes allocate 32 KiB
            config.http.responseBufferSize = RESPONSE_COPY_BUFFER_BYTES;
            config.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
                // Jetty caches header fields per connection and by default matches their values
                // ignoring case, which would let "Bearer TOKEN" stand in for "Bearer token"
                http.setHeaderCacheCaseSensitive(true);
            });
            config.routes.before(ctx -> {
                ctx.header("X-Content-Type-Options", "nosniff");
                ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
                ctx.header("X-Frame-Options", "DENY");
                ctx.header("Referrer-Policy", "no-referrer");
                if (ctx.method() == HandlerType.POST && ctx.contentLength() > DRAIN_LIMIT_BYTES) {
                    throw JsonBodies.tooLarge(); // not worth reading: the connection closes after the answer
                }
                if (services.lifecycle().stopping()) {
                    ctx.header("Connection", "close"); // served, but the client must not reuse the connection
                }
            });
            BearerAuth auth = new BearerAuth(settings.apiToken());
            RouteTable routes = new RouteTable(config.routes);
            config.routes.before(ctx -> {
                if (routes.literalRefuses(ctx.path(), ctx.method().name())) {
                    throw Problems.methodNotAllowed(ctx, routes); // GET /credentials/reload is not GET /credentials/{name}
                }
            });
            ConditionalGet answers = new ConditionalGet(config.http.compressionStrategy);
            new PageRoutes(answers).register(routes);
            new HealthRoutes(services.registry(), services.monitor(), services.history(), settings.healthInterval(),
                    services.lifecycle(), json, answers).register(routes);
            WebhookRoutes webhooks = new WebhookRoutes(settings.webhookConfigured() ? settings.webhookSecret() : null,
                    services.reloader(), mapper);
            new CredentialRoutes(services.registry(), services.reloader(), services.sources(), webhooks::status,
                    services.fleet(), json, answers, auth,
                    // the request bound (connection + statement timeout + 1 s), less half a second for the answer
                    settings.connectionTimeout().plus(settings.statementTimeout()).plusMillis(500)).register(routes);
            new FleetRoutes(services.fleet(), json, answers, auth).register(routes);
            EventStreams streams = new EventStreams(services.events(), json, STREAM_HEARTBEAT);
            services.lifecycle().endOnStop(streams);
            new EventRoutes(services.events(), streams, json, answers, auth).register(routes);
            new CatalogRoutes(services.catalog(), services.access(), json, answers, auth).register(routes);
            contract.register(routes);
            new MetricsRoutes(services.metrics(), auth).register(routes, config);
            webhooks.register(routes);
            config.jsonMapper(new JavalinJackson(mapper, false));
            new Problems(mapper, routes).register(config);
        });
    }
}
