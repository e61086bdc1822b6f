package io.pgcreds.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.pgcreds.catalog.CatalogService;
import io.pgcreds.config.Settings;
import io.pgcreds.health.HealthMonitor;
import io.pgcreds.pools.PoolRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Builds the HTTP API: routes, bearer auth, problem documents, headers. The app is returned unstarted. */
public final class HttpApi {
    private HttpApi() {
    }

    public static Javalin create(Settings settings, PoolRegistry registry, HealthMonitor monitor,
                                 CatalogService catalog) {
        ObjectMapper mapper = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        Problems problems = new Problems(mapper);
        String openapi = readContract();
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.prefer405over404 = true;
            config.jsonMapper(new JavalinJackson(mapper, false));
            config.jetty.port = settings.port();
            config.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
                // Jetty caches header fields per connection and by default matches their values
                // ignoring case, which would let "Bearer TOKEN" stand in for "Bearer token"
                http.setHeaderCacheCaseSensitive(true);
            });
            problems.register(config);
            config.routes.before(ctx -> ctx.header("X-Content-Type-Options", "nosniff"));
            new HealthRoutes(registry, monitor).register(config.routes);
            BearerAuth auth = new BearerAuth(settings.apiToken());
            new CredentialRoutes(registry, auth).register(config.routes);
            new CatalogRoutes(catalog, auth).register(config.routes);
            config.routes.get("/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openapi));
        });
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
