package io.pgcreds.http;

import io.javalin.http.Context;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Validates request parameters at the edge: a query parameter unknown, repeated (where it may not
 * be), empty, too long or out of range is a 400, and so is a path segment that cannot name anything.
 */
final class QueryParams {
    private static final int MAX_TEXT = 200;

    private QueryParams() {
    }

    /**
     * Refuses parameters not in {@code allowed}. A parameter without a name ({@code ?a=1&&b=2}, a
     * trailing {@code &}, {@code ?=x}) is not a parameter: ignored, as URL parsers do.
     */
    static void allowOnly(Context ctx, Set<String> allowed) {
        Set<String> unknown = new TreeSet<>();
        for (String name : ctx.queryParamMap().keySet()) {
            if (!name.isEmpty() && !allowed.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            String name = unknown.iterator().next();
            throw ProblemException.badParameter(name, "is not known here; allowed: " + String.join(", ", new TreeSet<>(allowed)));
        }
    }

    /** The single value of a parameter, or null when absent. */
    static String text(Context ctx, String name) {
        Map<String, List<String>> params = ctx.queryParamMap();
        List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw ProblemException.badParameter(name, "is given " + values.size() + " times; give it once");
        }
        String value = values.get(0);
        check(name, value);
        return value;
    }

    private static void check(String name, String value) {
        if (value.isEmpty()) {
            throw ProblemException.badParameter(name, "is empty; leave it out or give a value");
        }
        if (value.length() > MAX_TEXT) {
            throw ProblemException.badParameter(name, "is longer than " + MAX_TEXT + " characters");
        }
        if (value.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw ProblemException.badParameter(name, "contains control characters");
        }
    }

    /** Every value of a parameter that may be repeated ({@code ?credential=A&credential=B}), each checked as {@link #text}. */
    static List<String> texts(Context ctx, String name) {
        List<String> values = ctx.queryParamMap().getOrDefault(name, List.of());
        for (String value : values) {
            check(name, value);
        }
        return List.copyOf(values);
    }

    /**
     * A path parameter, percent-decoded by Javalin ({@code %20} a space, {@code %2F} a slash, a
     * {@code +} kept as it is), case kept: any text PostgreSQL can hold in a name, so not a NUL.
     * (Jetty refuses {@code %00}, escapes that are not escapes and bytes that are not UTF-8 with a
     * 400 before any route today; the check keeps a NUL from ever reaching the server, which would
     * fail the read and count against the credential.)
     */
    static String pathSegment(Context ctx, String name) {
        String value = ctx.pathParam(name);
        if (value.indexOf('\0') >= 0) {
            throw ProblemException.badPathSegment(name, "contains a NUL character, which no PostgreSQL name can hold");
        }
        return value;
    }

    static int integer(Context ctx, String name, int fallback, int min, int max) {
        String value = text(ctx, name);
        if (value == null) {
            return fallback;
        }
        String reason = "must be a whole number from " + min + " to " + max;
        if (!value.matches("-?[0-9]{1,10}")) {
            throw ProblemException.badParameter(name, reason);
        }
        long parsed = Long.parseLong(value);
        if (parsed < min || parsed > max) {
            throw ProblemException.badParameter(name, reason);
        }
        return (int) parsed;
    }
}
