package io.pgcreds.http;

import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.pgcreds.catalog.AccessMatrix;
import io.pgcreds.catalog.AccessPage;
import io.pgcreds.catalog.CatalogService;

import java.util.Set;

/**
 * {@code /tables}, {@code /tables/{schema}/{name}} and {@code /schemas}: the catalog as a chosen
 * credential; {@code /access}: what several credentials may do, side by side, with an entity tag so
 * that a dashboard polling it is answered 304 while nothing changed (it is read anew each time: a
 * REVOKE shows at the next request, and only the transfer is saved).
 */
final class CatalogRoutes {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private final CatalogService catalog;
    private final AccessMatrix access;
    private final JsonAnswers json;
    private final ConditionalGet answers;
    private final BearerAuth auth;

    CatalogRoutes(CatalogService catalog, AccessMatrix access, JsonAnswers json, ConditionalGet answers, BearerAuth auth) {
        this.catalog = catalog;
        this.access = access;
        this.json = json;
        this.answers = answers;
        this.auth = auth;
    }

    void register(RouteTable routes) {
        routes.get("/tables", auth.protect(this::tables));
        routes.get("/tables/{schema}/{name}", auth.protect(this::table));
        routes.get("/schemas", auth.protect(this::schemas));
        routes.get("/access", auth.protect(this::access));
    }

    private void tables(Context ctx) {
        QueryParams.allowOnly(ctx, Set.of("credential", "schema", "limit", "offset"));
        String credential = QueryParams.text(ctx, "credential");
        String schema = QueryParams.text(ctx, "schema");
        int limit = QueryParams.integer(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        int offset = QueryParams.integer(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        json.write(ctx, catalog.tables(credential, schema, limit, offset));
    }

    private void table(Context ctx) {
        QueryParams.allowOnly(ctx, Set.of("credential"));
        json.write(ctx, catalog.table(QueryParams.text(ctx, "credential"), QueryParams.pathSegment(ctx, "schema"),
                QueryParams.pathSegment(ctx, "name")));
    }

    private void access(Context ctx) {
        QueryParams.allowOnly(ctx, Set.of("credential", "database", "schema", "limit", "offset"));
        AccessPage page = access.page(QueryParams.texts(ctx, "credential"), QueryParams.text(ctx, "database"),
                QueryParams.text(ctx, "schema"), QueryParams.integer(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
                QueryParams.integer(ctx, "offset", 0, 0, Integer.MAX_VALUE));
        answers.write(ctx, 200, new Representation(json.bytes(page), ContentType.JSON));
    }

    private void schemas(Context ctx) {
        QueryParams.allowOnly(ctx, Set.of("credential"));
        json.write(ctx, catalog.schemas(QueryParams.text(ctx, "credential")));
    }
}
