package io.pgcreds.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Problem documents for the errors Jetty answers itself, before a request reaches the routes:
 * request lines or headers that are too long, malformed requests, undecodable paths. Details
 * are fixed texts per status, never bytes the client sent.
 */
final class JettyProblems extends ErrorHandler {
    private static final HttpField CONTENT_TYPE = new HttpField(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
    private static final HttpField NO_SNIFF = new HttpField("X-Content-Type-Options", "nosniff");
    private final ObjectMapper json;

    JettyProblems(ObjectMapper json) {
        this.json = json;
        setCacheControl("no-store");
    }

    /**
     * Every error Jetty answers itself: requests its parser rejected (bad request line, headers too
     * large) and requests it could parse but not route (e.g. an undecodable path).
     */
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        response.getHeaders().put(CONTENT_TYPE);
        response.getHeaders().put(NO_SNIFF);
        response.write(true, ByteBuffer.wrap(body(code)), callback);
    }

    private byte[] body(int status) {
        String title = HttpStatus.getMessage(status);
        String detail = switch (status) {
            case 400 -> "the request is not valid HTTP, or its path cannot be decoded";
            case 414 -> "the request line is too long";
            case 431 -> "the request headers are too large";
            case 505 -> "only HTTP/1.0 and HTTP/1.1 are spoken here";
            default -> title;
        };
        Problem problem = new Problem(Problem.TYPE_PREFIX + title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                .replaceAll("(^-|-$)", ""), title, status, detail, null, null, null);
        try {
            return json.writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            return ("{\"title\":\"" + title + "\",\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
