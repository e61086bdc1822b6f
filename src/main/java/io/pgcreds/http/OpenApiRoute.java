package io.pgcreds.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** {@code GET /openapi.yaml}: the contract every answer keeps, served from the jar. */
final class OpenApiRoute {
    private final String contract;

    OpenApiRoute() {
        try (InputStream in = OpenApiRoute.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the class path");
            }
            this.contract = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void register(RouteTable routes) {
        routes.get("/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(contract));
    }
}
