package io.pgcreds.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.javalin.Javalin;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.json.JavalinJackson;
import io.pgcreds.catalog.CatalogService;
import io.pgcreds.catalog.TableInfo;
import io.pgcreds.config.Settings;
import io.pgcreds.config.SourceStatus;
import io.pgcreds.health.HealthMonitor;
import io.pgcreds.metrics.ServiceMetrics;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.reload.Reloader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Builds the HTTP API: routes, bearer auth, problem documents, headers. The app is returned unstarted. */
public final class HttpApi {
    private static final long STARTUP_WAIT_SECONDS = 10;
    /** No endpoint takes more: the webhook's payloads are a few kB, the others take none. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /**
     * Bodies over the limit but under this are read and dropped before the 413, so that the client
     * reads the answer instead of a reset; larger ones are refused unread.
     */
    static final int DRAIN_LIMIT_BYTES = 1024 * 1024;
    static final int RESPONSE_COPY_BUFFER_BYTES = 4096;
    private HttpApi() {
    }

    /** What the routes call. {@code sources} gives the config sources' statuses. */
    public record Services(Settings settings, PoolRegistry registry, HealthMonitor monitor, CatalogService catalog,
                           Reloader reloader, Supplier<List<SourceStatus>> sources, Supplier<ServiceMetrics> metrics,
                           HttpLifecycle lifecycle) {
    }

    /**
     * @param mapper  the JSON mapper, possibly still being built on another thread (see {@link #jsonMapper()})
     * @param started opened once the initial pools exist; until then requests wait for it (all but
     *                {@code /health/live}), so that nothing answers from a half-loaded registry
     */
    public static Javalin create(Services services, Supplier<ObjectMapper> mapper, CountDownLatch started) {
        Settings settings = services.settings();
        String openapi = readContract();
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.prefer405over404 = true;
            config.router.ignoreTrailingSlashes = false; // /tables/ is not /tables: one path per endpoint
            config.jetty.port = settings.port();
            config.jetty.modifyServer(server -> {
                services.lifecycle().install(server);
                server.setErrorHandler(new JettyProblems(HttpApi.plainMapper()));
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
                if (ctx.method() == HandlerType.POST && ctx.contentLength() > DRAIN_LIMIT_BYTES) {
                    throw JsonBodies.tooLarge(); // not worth reading: the connection closes after the answer
                }
                if (services.lifecycle().stopping()) {
                    ctx.header("Connection", "close"); // served, but the client must not reuse the connection
                }
                if (started.getCount() > 0 && !ctx.path().equals("/health/live")) {
                    started.await(STARTUP_WAIT_SECONDS, TimeUnit.SECONDS);
                }
            });
            BearerAuth auth = new BearerAuth(settings.apiToken());
            RouteTable routes = new RouteTable(config.routes);
            config.routes.before(ctx -> {
                if (routes.literalRefuses(ctx.path(), ctx.method().name())) {
                    throw Problems.methodNotAllowed(ctx, routes); // GET /credentials/reload is not GET /credentials/{name}
                }
            });
            new HealthRoutes(services.registry(), services.monitor(), services.lifecycle(), config.http.compressionStrategy)
                    .register(routes);
            new CredentialRoutes(services.registry(), services.reloader(), services.sources(), auth)
                    .register(routes);
            new CatalogRoutes(services.catalog(), auth).register(routes);
            routes.get("/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openapi));
            routes.get("/metrics", auth.protect(ctx -> {
                QueryParams.allowOnly(ctx, java.util.Set.of());
                ctx.contentType(ServiceMetrics.contentType()).result(services.metrics().get().scrape());
            }));
            config.requestLogger.http((ctx, millis) -> services.metrics().get().recordRequest(ctx.method().name(),
                    route(ctx), ctx.statusCode(), Duration.ofNanos((long) (millis * 1_000_000))));
            // last: the mapper may still be warming up on the start thread
            ObjectMapper json = mapper.get();
            new WebhookRoutes(settings.webhookConfigured() ? settings.webhookSecret() : null, services.reloader(), json)
                    .register(routes);
            config.jsonMapper(new JavalinJackson(json, false));
            new Problems(json, routes).register(config);
        });
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

    /**
     * Writes a JSON answer as UTF-8 bytes straight from the shared mapper. {@code ctx.json} builds a
     * String first and encodes it afterwards: twice the work for every /tables page.
     */
    static void json(Context ctx, Object body) {
        ctx.contentType(ContentType.APPLICATION_JSON).result(jsonBytes(ctx, body));
    }

    static byte[] jsonBytes(Context ctx, Object body) {
        try {
            return ((JavalinJackson) ctx.jsonMapper()).getMapper().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write a " + body.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** A mapper for the few answers written before the shared one may be ready. */
    private static ObjectMapper plainMapper() {
        return new ObjectMapper();
    }

    /** The JSON mapper of every answer. Instants as ISO-8601 text: all the JSON needs of java.time. Table rows streamed. */
    public static ObjectMapper jsonMapper() {
        return new ObjectMapper()
                .registerModule(new SimpleModule().addSerializer(Instant.class, ToStringSerializer.instance)
                        .addSerializer(TableInfo.class, new TableInfo.Json()));
    }

    private static String readContract() {
        try (InputStream in = HttpApi.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
