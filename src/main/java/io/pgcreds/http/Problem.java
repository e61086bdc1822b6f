package io.pgcreds.http;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * An RFC 9457 problem document, the body of every error answer. {@code errorClass} is set when a
 * database is the reason; {@code invalidParams} when request parameters are.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Problem(String type, String title, int status, String detail, String instance, String errorClass,
                      List<InvalidParam> invalidParams) {

    /** One rejected request parameter and why. */
    record InvalidParam(String name, String reason) {
    }

    static final String TYPE_PREFIX = "urn:pgcreds:problem:";
}
