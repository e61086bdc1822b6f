package io.pgcreds.http;

import io.pgcreds.util.Logfmt;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.pgcreds.catalog.AmbiguousDatabaseException;
import io.pgcreds.catalog.MixedDatabasesException;
import io.pgcreds.catalog.TableNotFoundException;
import io.pgcreds.catalog.UnknownDatabaseException;
import io.pgcreds.pools.CredentialUnavailableException;
import io.pgcreds.pools.UnknownCredentialException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The one place that turns failures into RFC 9457 problem documents. Anything unmapped becomes a
 * generic 500 and one WARN line naming the exception class, never a stack trace in the answer.
 */
final class Problems {
    static final String CONTENT_TYPE = "application/problem+json";
    private static final Logger log = LoggerFactory.getLogger(Problems.class);
    private static final String WRITTEN = "pgcreds.problem-written";
    private final ObjectMapper mapper;
    private final RouteTable routes;

    Problems(ObjectMapper mapper, RouteTable routes) {
        this.mapper = mapper;
        this.routes = routes;
    }

    /** A 405 for a path the API knows, with the methods it does answer in {@code Allow}. */
    static ProblemException methodNotAllowed(Context ctx, RouteTable routes) {
        ctx.header("Allow", String.join(", ", routes.allowed(ctx.path())));
        return new ProblemException(405, "method-not-allowed", "Method Not Allowed",
                "method " + ctx.method() + " is not allowed on " + printable(ctx.path()) + "; allowed: "
                        + String.join(", ", routes.allowed(ctx.path())), null);
    }

    void register(JavalinConfig config) {
        config.routes.exception(ProblemException.class, (e, ctx) -> {
            if (e.slug().equals("unauthorized")) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"pgcreds\"");
            }
            write(ctx, e.status(), e.slug(), e.title(), e.getMessage(), null, e.invalidParams());
        });
        config.routes.exception(UnknownCredentialException.class, (e, ctx) ->
                write(ctx, 404, "unknown-credential", "Unknown credential", e.getMessage(), null, null));
        config.routes.exception(TableNotFoundException.class, (e, ctx) ->
                write(ctx, 404, "table-not-found", "Table not found", e.getMessage(), null, null));
        config.routes.exception(UnknownDatabaseException.class, (e, ctx) ->
                write(ctx, 404, "unknown-database", "Unknown database", e.getMessage(), null, null));
        config.routes.exception(AmbiguousDatabaseException.class, (e, ctx) ->
                write(ctx, 400, "ambiguous-database", "Ambiguous database", e.getMessage(), null, null));
        config.routes.exception(MixedDatabasesException.class, (e, ctx) ->
                write(ctx, 400, "credentials-of-different-databases", "Credentials of different databases",
                        e.getMessage(), null, null));
        config.routes.exception(CredentialUnavailableException.class, (e, ctx) -> {
            ctx.header("Retry-After", "2");
            write(ctx, 503, "credential-unavailable", "Credential unavailable", e.getMessage(),
                    e.errorClass().wireName(), null);
        });
        config.routes.exception(HttpResponseException.class, (e, ctx) -> generic(ctx, e.getStatus()));
        config.routes.exception(Exception.class, (e, ctx) -> {
            StackTraceElement[] trace = e.getStackTrace();
            log.warn(Logfmt.line("event", "unhandled_error", "method", ctx.method(), "path", printable(ctx.path()),
                    "exception", e.getClass().getName(), "at", trace.length > 0 ? trace[0] : "unknown"));
            write(ctx, 500, "internal-error", "Internal error", "the request could not be completed", null, null);
        });
        for (int status : new int[] {400, 404, 405, 413, 414, 415, 431, 500, 503}) {
            config.routes.error(status, ctx -> {
                // only answers without a body of their own: /health's 503 carries the health report
                String result = ctx.result();
                if (ctx.attribute(WRITTEN) == null && (result == null || result.isEmpty())) {
                    generic(ctx, status);
                }
            });
        }
    }

    private void generic(Context ctx, int status) {
        HttpStatus known = HttpStatus.forStatus(status);
        String title = known == HttpStatus.UNKNOWN ? "Error" : known.getMessage();
        if (status == 405) {
            ProblemException problem = methodNotAllowed(ctx, routes);
            write(ctx, 405, problem.slug(), problem.title(), problem.getMessage(), null, null);
            return;
        }
        String detail = status == 404 ? "no endpoint " + ctx.method() + " " + printable(ctx.path()) + "; see /openapi.yaml"
                : title;
        write(ctx, status, slug(title), title, detail, null, null);
    }

    void write(Context ctx, int status, String slug, String title, String detail, String errorClass,
               List<Problem.InvalidParam> invalidParams) {
        Problem problem = new Problem(Problem.TYPE_PREFIX + slug, title, status, detail, printable(ctx.path()),
                errorClass, invalidParams);
        ctx.attribute(WRITTEN, Boolean.TRUE);
        try {
            // bytes, as Jackson encodes them (UTF-8): a String result is encoded in the charset Jetty
            // assumes for a type that names none, ISO-8859-1, and a table named café reached clients as caf\uFFFD
            ctx.status(status).contentType(CONTENT_TYPE).result(mapper.writeValueAsBytes(problem));
        } catch (JsonProcessingException e) {
            ctx.status(500).contentType(CONTENT_TYPE).result("{\"title\":\"Internal error\",\"status\":500}");
        }
    }

    private static String slug(String title) {
        return title.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    /** Paths echo back what a client sent: keep them short and printable. */
    private static String printable(String text) {
        if (text == null) {
            return "";
        }
        String cleaned = text.replaceAll("[^\\x21-\\x7e]", "?");
        return cleaned.length() <= 100 ? cleaned : cleaned.substring(0, 100) + "...";
    }
}
