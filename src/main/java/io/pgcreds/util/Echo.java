package io.pgcreds.util;

/**
 * What a client sent, made fit to quote back in an error (a problem's {@code detail}, a log line):
 * at most {@value #MAX_CODE_POINTS} characters (code points, so a name is never cut inside a
 * surrogate pair) followed by {@code ...} and how long it was, control and format characters written
 * as escapes ({@code \n}, {@code \u0000}, {@code \u202e}), other text kept as it is: a table named
 * {@code café} is quoted as {@code café}. Stateless and thread-safe.
 */
public final class Echo {
    public static final int MAX_CODE_POINTS = 64;

    private Echo() {
    }

    /** {@code text} in single quotes, shortened and escaped; {@code 'null'} without quotes for null. */
    public static String quoted(String text) {
        return text == null ? "null" : "'" + shown(text) + "'";
    }

    /** {@code text} shortened and escaped, without quotes. */
    public static String shown(String text) {
        StringBuilder shown = new StringBuilder();
        int length = text.codePointCount(0, text.length());
        int[] codePoints = text.codePoints().limit(MAX_CODE_POINTS).toArray();
        for (int codePoint : codePoints) {
            switch (codePoint) {
                case '\n' -> shown.append("\\n");
                case '\r' -> shown.append("\\r");
                case '\t' -> shown.append("\\t");
                case '\\' -> shown.append("\\\\");
                default -> {
                    int type = Character.getType(codePoint);
                    if (type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                            || type == Character.UNASSIGNED || type == Character.LINE_SEPARATOR
                            || type == Character.PARAGRAPH_SEPARATOR) {
                        shown.append(String.format("\\u%04x", codePoint));
                    } else {
                        shown.appendCodePoint(codePoint);
                    }
                }
            }
        }
        if (length > MAX_CODE_POINTS) {
            shown.append("... (").append(length).append(" characters)");
        }
        return shown.toString();
    }
}
