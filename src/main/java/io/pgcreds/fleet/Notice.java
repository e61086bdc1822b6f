package io.pgcreds.fleet;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * One message on channel {@code pgcreds} between the instances of an app: what it says, never a
 * secret, a URL or a hash of one. Every kind names its sender: id ({@code web.1}, or host:port),
 * app and incarnation (see {@link Member}). Immutable. See {@link NoticeCodec} for the wire form.
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

    Member sender();

    /** The sender learned of a change of the config vars (by {@code trigger}); {@code version} is its config's, or null. */
    record Change(Member sender, String trigger, String version) implements Notice {
    }

    /** The leader is alive and polling; {@code version} is the config version it holds, or null. */
    record Poll(Member sender, String version) implements Notice {
    }

    /**
     * Part {@code part} of {@code parts} of the sender's view number {@code seq} (counted from 1 in
     * each incarnation): its config version, its polling role (null: it does not poll), the
     * connections it may open on the default credential's server (null: unknown), and a share of its
     * credentials.
     */
    record View(Member sender, long seq, int part, int parts, String version, String polling,
                Integer connections, Map<String, Held> credentials) implements Notice {
        public View {
            credentials = Map.copyOf(credentials);
        }
    }

    /** The sender's fleet session has just (re)connected: every instance that hears it sends its view soon. */
    record Hello(Member sender) implements Notice {
    }

    /** The sender is stopping: forget it now rather than in 60 s. */
    record Bye(Member sender) implements Notice {
    }

    /**
     * One credential as an instance holds it: generation, state, since when (epoch ms) it holds this
     * generation, and the fingerprint of what it serves (see {@link Fingerprints}; null when the
     * instance has no key to make one).
     */
    record Held(int generation, String state, long sinceMillis, String fingerprint) {
    }
}
