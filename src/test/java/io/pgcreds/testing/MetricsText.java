package io.pgcreds.testing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples out of a Prometheus text exposition ({@code /metrics}). Stateless. */
public final class MetricsText {
    private MetricsText() {
    }

    /** The value of the one sample of {@code metric} whose labels include {@code label="labelValue"}. */
    public static double value(String text, String metric, String label, String labelValue) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{([^}]*)} (\\S+)$").matcher(text);
        while (matcher.find()) {
            if (matcher.group(1).contains(label + "=\"" + labelValue + "\"")) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        throw new AssertionError("no " + metric + " with " + label + "=" + labelValue);
    }

    /** The value of {@code metric}'s one sample without labels. */
    public static double value(String text, String metric) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(metric) + "(?:\\{})? (\\S+)$").matcher(text);
        if (!matcher.find()) {
            throw new AssertionError("no " + metric + " without labels");
        }
        return Double.parseDouble(matcher.group(1));
    }
}
