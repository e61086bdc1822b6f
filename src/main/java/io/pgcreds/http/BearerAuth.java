package io.pgcreds.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.pgcreds.config.Secret;

/**
 * Guards a route with {@code Authorization: Bearer <PGCREDS_API_TOKEN>}, compared in constant time.
 * The scheme is matched exactly as "Bearer". Without a configured token every guarded route is closed.
 */
final class BearerAuth {
    private static final String PREFIX = "Bearer ";
    private final Secret token;

    BearerAuth(Secret token) {
        this.token = token;
    }

    /** The handler, behind the token check; authenticated answers are never cached. */
    Handler protect(Handler handler) {
        return ctx -> {
            ctx.header("Cache-Control", "no-store");
            check(ctx);
            handler.handle(ctx);
        };
    }

    private void check(Context ctx) {
        if (token.isEmpty()) {
            throw ProblemException.unauthorized("PGCREDS_API_TOKEN is not set, so this endpoint is closed");
        }
        String header = ctx.header("Authorization");
        if (header == null) {
            throw ProblemException.unauthorized("send the API token as 'Authorization: Bearer <token>'");
        }
        if (!header.startsWith(PREFIX) || !token.matches(header.substring(PREFIX.length()))) {
            throw ProblemException.unauthorized("the Authorization header does not carry the API token");
        }
    }
}
