package io.pgcreds.http;

import io.pgcreds.util.Echo;
import io.pgcreds.util.PgCredsException;

import java.util.List;

/** An HTTP-level refusal (bad parameters, missing token) that maps to a problem document as it is. */
class ProblemException extends PgCredsException {
    private final int status;
    private final String slug;
    private final String title;
    private final List<Problem.InvalidParam> invalidParams;

    ProblemException(int status, String slug, String title, String detail, List<Problem.InvalidParam> invalidParams) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.invalidParams = invalidParams;
    }

    /** A bad query parameter; its name, which the client chose, is quoted shortened and escaped ({@link Echo}). */
    static ProblemException badParameter(String name, String reason) {
        return new ProblemException(400, "invalid-parameter", "Invalid request parameter",
                "query parameter " + Echo.quoted(name) + " " + reason,
                List.of(new Problem.InvalidParam(Echo.shown(name), reason)));
    }

    static ProblemException badPathSegment(String name, String reason) {
        return new ProblemException(400, "invalid-parameter", "Invalid request parameter",
                "path segment {" + name + "} " + reason, List.of(new Problem.InvalidParam(name, reason)));
    }

    static ProblemException badBody(String detail) {
        return new ProblemException(400, "invalid-body", "Invalid request body", detail, null);
    }

    static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "unauthorized", "Unauthorized", detail, null);
    }

    int status() {
        return status;
    }

    String slug() {
        return slug;
    }

    String title() {
        return title;
    }

    List<Problem.InvalidParam> invalidParams() {
        return invalidParams;
    }
}
