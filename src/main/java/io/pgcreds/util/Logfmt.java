package io.pgcreds.util;

/**
 * Formats one log event as logfmt ({@code key=value key2="value two"}), the convention Heroku's
 * log tooling reads. Values with spaces, quotes or '=' are quoted and escaped, so a message from
 * a driver can never break a line apart. Stateless and thread-safe.
 */
public final class Logfmt {
    private Logfmt() {
    }

    /** Keys and values alternate: {@code line("event", "started", "port", 8080)}; null values print as empty. */
    public static String line(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must alternate");
        }
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (i > 0) {
                line.append(' ');
            }
            line.append(keysAndValues[i]).append('=');
            appendValue(line, keysAndValues[i + 1]);
        }
        return line.toString();
    }

    private static void appendValue(StringBuilder line, Object value) {
        String text = value == null ? "" : String.valueOf(value);
        boolean plain = !text.isEmpty() && text.chars().allMatch(ch -> ch > ' ' && ch != '"' && ch != '=' && ch != '\\'
                && ch < 0x7f);
        if (plain) {
            line.append(text);
            return;
        }
        line.append('"');
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            switch (ch) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> line.append(ch < ' ' ? ' ' : ch);
            }
        }
        line.append('"');
    }
}
