package io.pgcreds.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.pgcreds.pools.CredentialView;
import io.pgcreds.pools.CredentialsReport;
import io.pgcreds.pools.PoolRegistry;

import java.util.Set;

/** {@code /credentials} and {@code /credentials/{name}}. */
final class CredentialRoutes {
    private final PoolRegistry registry;
    private final BearerAuth auth;

    CredentialRoutes(PoolRegistry registry, BearerAuth auth) {
        this.registry = registry;
        this.auth = auth;
    }

    void register(RoutesConfig routes) {
        routes.get("/credentials", auth.protect(this::list));
        routes.get("/credentials/{name}", auth.protect(this::one));
    }

    private void list(Context ctx) {
        QueryParams.allowOnly(ctx, Set.of());
        ctx.json(CredentialsReport.of(registry));
    }

    private void one(Context ctx) {
        QueryParams.allowOnly(ctx, Set.of());
        ctx.json(CredentialView.of(registry.resolve(ctx.pathParam("name"))));
    }
}
