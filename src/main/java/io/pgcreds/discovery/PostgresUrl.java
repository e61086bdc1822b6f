package io.pgcreds.discovery;

import io.pgcreds.util.Secret;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A parsed {@code postgres://} or {@code postgresql://} URL, as RFC 3986 and libpq read it. pgjdbc
 * cannot take these, so pgcreds parses them itself. Error messages name the config var and what is
 * wrong, but never quote any part of the value: a misplaced character can put a piece of the password
 * anywhere. A user name or password holding a character that must be percent-encoded is named with
 * its escape ({@link UserInfo}).
 */
public record PostgresUrl(String user, Secret password, String host, int port, String database,
                          Map<String, String> parameters) {

    public static final int DEFAULT_PORT = 5432;
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,252})?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9._~-]+)?");

    public PostgresUrl {
        parameters = Map.copyOf(parameters);
    }

    /** True when the value names a Postgres scheme, whether or not the rest is well formed. */
    public static boolean hasPostgresScheme(String value) {
        String lower = value.strip().toLowerCase(Locale.ROOT);
        return lower.startsWith("postgres:") || lower.startsWith("postgresql:");
    }

    public static PostgresUrl parse(String varName, String value) {
        String text = value.strip();
        int colon = text.indexOf(':');
        if (colon < 0 || !hasPostgresScheme(text)) {
            throw new MalformedUrlException(varName, "the scheme must be postgres:// or postgresql://");
        }
        String rest = text.substring(colon + 1);
        if (!rest.startsWith("//")) {
            throw new MalformedUrlException(varName, "expected '//' after the scheme");
        }
        String afterSlashes = rest.substring(2);
        try {
            return parseAfterScheme(varName, afterSlashes);
        } catch (MalformedUrlException e) {
            // most often a character of the password that was not percent-encoded cut the URL apart
            throw UserInfo.diagnose(varName, afterSlashes).orElse(e);
        }
    }

    /** {@code user[:password]@host[:port][/database][?query]} as RFC 3986 reads it. */
    static PostgresUrl parseAfterScheme(String varName, String rest) {
        int authorityEnd = firstOf(rest, "/?#");
        String authority = rest.substring(0, authorityEnd);
        int at = authority.lastIndexOf('@');
        String userInfo = at >= 0 ? authority.substring(0, at) : null;
        String hostPort = authority.substring(at + 1);
        rest = rest.substring(authorityEnd);
        if (rest.indexOf('#') >= 0) {
            throw new MalformedUrlException(varName, "a '#' fragment is not allowed"
                    + " (a password containing '#' must be percent-encoded as %23)");
        }

        String database = null;
        String query = "";
        if (rest.startsWith("/")) {
            int q = indexOrLength(rest, '?');
            database = decode(varName, "database name", rest.substring(1, q));
            query = q < rest.length() ? rest.substring(q + 1) : "";
        } else if (rest.startsWith("?")) {
            query = rest.substring(1);
        }

        String user = null;
        Secret password = Secret.of(null);
        if (userInfo != null) {
            int c = userInfo.indexOf(':');
            String rawUser = c >= 0 ? userInfo.substring(0, c) : userInfo;
            String rawPassword = c >= 0 ? userInfo.substring(c + 1) : null;
            UserInfo.check(varName, rawUser, rawPassword);
            user = decode(varName, "user name", rawUser);
            if (rawPassword != null) {
                password = Secret.of(decode(varName, "password", rawPassword));
            }
        }
        if (user == null || user.isEmpty()) {
            throw new MalformedUrlException(varName, "the user name is missing");
        }
        if (database != null && database.contains("/")) {
            throw new MalformedUrlException(varName, "the database name contains '/'"
                    + "; is a '/' or '@' in the password not percent-encoded?");
        }
        HostAndPort hp = parseHostPort(varName, hostPort);
        if (database == null || database.isEmpty()) {
            database = user; // libpq's default
        }
        return new PostgresUrl(user, password, hp.host(), hp.port(), database, parseQuery(varName, query));
    }

    private record HostAndPort(String host, int port) {
    }

    private static HostAndPort parseHostPort(String varName, String text) {
        if (text.isEmpty()) {
            throw new MalformedUrlException(varName, "the host is missing");
        }
        if (text.contains(",")) {
            throw new MalformedUrlException(varName, "several hosts in one URL are not supported");
        }
        String host;
        String portText = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new MalformedUrlException(varName, "an IPv6 host lacks its closing ']'");
            }
            host = text.substring(1, close);
            if (!IPV6.matcher(host).matches() || !host.contains(":")) {
                throw new MalformedUrlException(varName, "the IPv6 host between '[' and ']' is not valid");
            }
            String after = text.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new MalformedUrlException(varName, "unexpected characters after the IPv6 host");
                }
                portText = after.substring(1);
            }
        } else {
            int c = text.indexOf(':');
            host = c >= 0 ? text.substring(0, c) : text;
            portText = c >= 0 ? text.substring(c + 1) : null;
            if (host.contains("%")) {
                throw new MalformedUrlException(varName, "Unix-domain socket hosts are not supported; use a TCP host");
            }
            if (!HOST_NAME.matcher(host).matches()) {
                throw new MalformedUrlException(varName, "the host name is not valid"
                        + "; is a '/', '?', '#' or '@' in the password not percent-encoded?");
            }
        }
        int port = DEFAULT_PORT;
        if (portText != null && !portText.isEmpty()) {
            port = parsePort(varName, portText);
        }
        return new HostAndPort(host.toLowerCase(Locale.ROOT), port);
    }

    private static int parsePort(String varName, String text) {
        if (text.length() > 5 || !text.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new MalformedUrlException(varName, "the port is not a number from 1 to 65535"
                    + "; is a ':' or '@' in the password not percent-encoded?");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new MalformedUrlException(varName, "the port is not a number from 1 to 65535");
        }
        return port;
    }

    private static Map<String, String> parseQuery(String varName, String query) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return parameters;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new MalformedUrlException(varName, "a query parameter is not of the form name=value");
            }
            String name = decode(varName, "parameter name", pair.substring(0, eq));
            String value = decode(varName, "value of parameter " + safeName(name), pair.substring(eq + 1));
            parameters.put(name, value);
        }
        return parameters;
    }

    /** A parameter name is safe to quote when it looks like one (letters, digits, '_'). */
    static String safeName(String name) {
        return name.matches("[A-Za-z0-9_]{1,40}") ? "'" + name + "'" : "(unprintable name)";
    }

    /** Percent-decoding as RFC 3986 has it: '+' stays '+', and each run of %XX bytes must be UTF-8. */
    private static String decode(String varName, String what, String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        int i = 0;
        while (i < text.length()) {
            char ch = text.charAt(i);
            if (ch != '%') {
                out.append(ch);
                i++;
                continue;
            }
            run.reset();
            while (i < text.length() && text.charAt(i) == '%') {
                int hi = i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
                int lo = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new MalformedUrlException(varName,
                            "the " + what + " has a '%' not followed by two hex digits");
                }
                run.write(hi * 16 + lo);
                i += 3;
            }
            try {
                out.append(StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(run.toByteArray())));
            } catch (CharacterCodingException e) {
                throw new MalformedUrlException(varName, "the " + what + " is not valid UTF-8 once percent-decoded");
            }
        }
        return out.toString();
    }

    private static int indexOrLength(String text, char ch) {
        int index = text.indexOf(ch);
        return index >= 0 ? index : text.length();
    }

    private static int firstOf(String text, String chars) {
        for (int i = 0; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }
}
