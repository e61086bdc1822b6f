package io.pgcreds.discovery;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The user name and password of a Postgres URL: which characters they may not hold unencoded, and,
 * when a URL does not parse, whether such a character is why. RFC 3986 allows letters, digits,
 * {@code - . _ ~}, percent escapes and the sub-delims {@code ! $ & ' ( ) * + , ; =} in user info, and
 * {@code :} in the password; the other reserved characters ({@code / ? # [ ] @}), a space and a
 * {@code %} that starts no escape must be written percent-encoded. Messages show the character and
 * its escape, never the value. Stateless and thread-safe.
 */
final class UserInfo {
    private static final String MUST_ENCODE = "/?#[]@ ";

    private UserInfo() {
    }

    /** Throws when the raw (still encoded) user name or password holds a character that must be encoded. */
    static void check(String varName, String rawUser, String rawPassword) {
        String problem = problems(rawUser, rawPassword);
        if (problem != null) {
            throw new MalformedUrlException(varName, problem);
        }
    }

    /**
     * For a URL that did not parse: the first {@code @} after which the rest parses as host, port,
     * database and query is where the user info ends; if that user info holds characters that must
     * be encoded, the error that says so.
     *
     * @param afterSlashes the URL after {@code postgres://}
     */
    static Optional<MalformedUrlException> diagnose(String varName, String afterSlashes) {
        for (int at = afterSlashes.indexOf('@'); at >= 0; at = afterSlashes.indexOf('@', at + 1)) {
            try {
                PostgresUrl.parseAfterScheme(varName, "user@" + afterSlashes.substring(at + 1));
            } catch (MalformedUrlException e) {
                continue; // not the end of the user info: the '@' is the password's own
            }
            String userInfo = afterSlashes.substring(0, at);
            int colon = userInfo.indexOf(':');
            String problem = colon >= 0 ? problems(userInfo.substring(0, colon), userInfo.substring(colon + 1))
                    : problems(userInfo, null);
            return Optional.ofNullable(problem).map(text -> new MalformedUrlException(varName, text));
        }
        return Optional.empty();
    }

    /** What the user name and password hold that must be encoded, as a message; null when nothing. */
    private static String problems(String rawUser, String rawPassword) {
        String user = holds("user name", rawUser);
        String password = rawPassword == null ? null : holds("password", rawPassword);
        if (user == null || password == null) {
            return user == null ? password : user;
        }
        return user + "; " + password;
    }

    /** "the password holds characters that must be percent-encoded: write '/' as %2F and '@' as %40", or null. */
    private static String holds(String part, String raw) {
        Set<Character> found = new LinkedHashSet<>();
        for (int i = 0; i < raw.length(); i++) {
            char ch = raw.charAt(i);
            if (MUST_ENCODE.indexOf(ch) >= 0 || (ch == '%' && !startsEscape(raw, i))) {
                found.add(ch); // in order of appearance, each once
            }
        }
        if (found.isEmpty()) {
            return null;
        }
        StringBuilder text = new StringBuilder("the ").append(part).append(" holds ")
                .append(found.size() > 1 ? "characters that" : "a character that").append(" must be percent-encoded: write ");
        int index = 0;
        for (char ch : found) {
            if (index > 0) {
                text.append(index == found.size() - 1 ? " and " : ", ");
            }
            text.append('\'').append(ch).append("' as %").append(String.format(Locale.ROOT, "%02X", (int) ch));
            index++;
        }
        return text.toString();
    }

    private static boolean startsEscape(String raw, int percent) {
        return percent + 2 < raw.length() && Character.digit(raw.charAt(percent + 1), 16) >= 0
                && Character.digit(raw.charAt(percent + 2), 16) >= 0;
    }
}
