package io.pgcreds.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.Locale;

/** Request bodies at the edge: at most {@link HttpApi#MAX_BODY_BYTES}, JSON by content type, parsable. */
final class JsonBodies {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonBodies() {
    }

    /** The raw bytes of a JSON body (the webhook's signature is computed over them), within the size limit. */
    static byte[] raw(Context ctx) {
        requireJsonType(ctx);
        return read(ctx);
    }

    /** An optional body: none is fine; one that is present must be JSON and parse. */
    static void optional(Context ctx) {
        byte[] body = read(ctx);
        if (body.length == 0) {
            return;
        }
        requireJsonType(ctx);
        try {
            JSON.readTree(body);
        } catch (IOException e) {
            throw ProblemException.badBody("the body is not valid JSON");
        }
    }

    private static byte[] read(Context ctx) {
        // read whole (Javalin refuses over maxRequestSize, chunked or not), so the 413 reaches the client
        byte[] body = ctx.bodyAsBytes();
        if (body.length > HttpApi.MAX_BODY_BYTES) {
            throw tooLarge();
        }
        return body;
    }

    private static void requireJsonType(Context ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (!type.startsWith("application/json")) {
            throw new ProblemException(415, "unsupported-media-type", "Unsupported media type",
                    "the body must be application/json", null);
        }
    }

    static ProblemException tooLarge() {
        return new ProblemException(413, "payload-too-large", "Payload too large",
                "request bodies may be at most " + HttpApi.MAX_BODY_BYTES + " bytes", null);
    }
}
