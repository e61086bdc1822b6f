package io.pgcreds.fleet;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * One message on channel {@code pgcreds} between the instances of an app: what it says, never a
 * secret, a URL or a hash of one. Every kind names its sender ({@code web.1}, or host:port) and its
 * app. Immutable. See {@link NoticeCodec} for the wire form.
 */
sealed interface Notice {
    /** Instance ids: {@code web.1}, {@code run.4711}, {@code host:8080}, {@code [::1]:8080}. */
    Pattern ID = Pattern.compile("[A-Za-z0-9\\[][A-Za-z0-9._:\\[\\]-]{0,99}");
    /** App names or ids as the Platform API takes them. */
    Pattern APP = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    /** What made an instance look at its config: {@code webhook}, {@code reload}, {@code platform-api} ... */
    Pattern TRIGGER = Pattern.compile("[a-z][a-z0-9:-]{0,39}");
    /** An entity tag (RFC 9110), the config version the Platform API gives. */
    Pattern VERSION = Pattern.compile("(W/)?\"[\\x21\\x23-\\x7e]{0,100}\"");
    /** Credential names: config var names without {@code _URL}. */
    Pattern CREDENTIAL = Pattern.compile("[A-Za-z0-9_]{1,200}");

    String from();

    /** The sender's app ({@code PGCREDS_HEROKU_APP}), or null when it has none. */
    String app();

    /** The sender learned of a change of the config vars (by {@code trigger}); {@code version} is its config's, or null. */
    record Change(String from, String app, String trigger, String version) implements Notice {
    }

    /** The leader is alive and polling; {@code version} is the config version it holds, or null. */
    record Poll(String from, String app, String version) implements Notice {
    }

    /**
     * Part {@code part} of {@code parts} of the sender's view number {@code seq}: its config version,
     * its polling role (null: it does not poll), the connections it may open on the default
     * credential's server (null: unknown), and a share of its credentials.
     */
    record View(String from, String app, long seq, int part, int parts, String version, String polling,
                Integer connections, Map<String, Held> credentials) implements Notice {
        public View {
            credentials = Map.copyOf(credentials);
        }
    }

    /** The sender is stopping: forget it now rather than in 60 s. */
    record Bye(String from, String app) implements Notice {
    }

    /** One credential as an instance holds it: generation, state, and since when (epoch ms) it holds this generation. */
    record Held(int generation, String state, long sinceMillis) {
    }
}
