package io.pgcreds.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.pgcreds.util.Secret;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Guards a route with {@code Authorization: Bearer <PGCREDS_API_TOKEN>}, the token compared in constant
 * time. The scheme is matched case-insensitively and may be followed by several spaces, as RFC 9110
 * section 11.1 has it ({@code bearer}, {@code BEARER}); the token is matched exactly. Without a
 * configured token every guarded route is closed.
 */
final class BearerAuth {
    private static final Pattern CREDENTIALS = Pattern.compile("(?i)Bearer +(\\S+) *");
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
        Matcher credentials = CREDENTIALS.matcher(header);
        if (!credentials.matches() || !token.matches(credentials.group(1))) {
            throw ProblemException.unauthorized("the Authorization header does not carry the API token");
        }
    }
}
