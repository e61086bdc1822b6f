package io.pgcreds.http;

import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.pgcreds.fleet.Fleet;

import java.util.Set;

/**
 * {@code GET /fleet}: the app's instances seen in the last 60 s, their credentials, whether they
 * agree. It carries an entity tag like the other polled answers.
 */
final class FleetRoutes {
    private final Fleet fleet;
    private final JsonAnswers json;
    private final ConditionalGet answers;
    private final BearerAuth auth;

    FleetRoutes(Fleet fleet, JsonAnswers json, ConditionalGet answers, BearerAuth auth) {
        this.fleet = fleet;
        this.json = json;
        this.answers = answers;
        this.auth = auth;
    }

    void register(RouteTable routes) {
        routes.get("/fleet", auth.protect(this::report));
    }

    private void report(Context ctx) {
        QueryParams.allowOnly(ctx, Set.of());
        answers.write(ctx, 200, new Representation(json.bytes(fleet.report()), ContentType.JSON));
    }
}
