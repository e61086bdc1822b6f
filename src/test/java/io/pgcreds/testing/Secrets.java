package io.pgcreds.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every password, token and full URL the tests hand to the service, so that answers and logs can
 * be searched for them. A finding is reported by its kind, never by its value.
 */
public final class Secrets {
    private static final Set<String> known = ConcurrentHashMap.newKeySet();

    private Secrets() {
    }

    /** Remembers a secret (values shorter than 6 characters would match by accident and are refused). */
    public static String remember(String secret) {
        if (secret.length() < 6) {
            throw new IllegalArgumentException("test secrets must be at least 6 characters long");
        }
        known.add(secret);
        return secret;
    }

    public static int count() {
        return known.size();
    }

    /** Which remembered secrets occur in the text, described without quoting them. */
    public static List<String> foundIn(String text) {
        List<String> found = new ArrayList<>();
        if (text == null) {
            return found;
        }
        for (String secret : known) {
            if (text.contains(secret)) {
                found.add("a secret of " + secret.length() + " characters starting with '"
                        + secret.substring(0, 2) + "'");
            }
        }
        return found;
    }
}
