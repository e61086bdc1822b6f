package io.pgcreds.fleet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * An instance among its app's instances, as every notice names its sender: its id ({@code DYNO},
 * e.g. {@code web.1}, else host:port), its app (see {@link FleetGroup}; null when none is known)
 * and its incarnation, {@code <start epoch ms>-<8 random hex digits>}, new at every process start:
 * a dyno restarted under the same id is told apart from its predecessor (whose view numbers were
 * its own), and two processes that claim one id are seen as two. Immutable.
 */
record Member(String id, String app, String incarnation) {
    /** {@code <start epoch ms>-<8 hex digits>}. */
    static final Pattern INCARNATION = Pattern.compile("[0-9]{1,15}-[0-9a-f]{8}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** This process: named by {@code dyno}, or by this host's name and the HTTP port when there is no dyno. */
    static Member of(String dyno, String app, int port) {
        byte[] nonce = new byte[4];
        RANDOM.nextBytes(nonce);
        return new Member(dyno != null ? dyno : hostName() + ":" + port, app,
                System.currentTimeMillis() + "-" + HexFormat.of().formatHex(nonce));
    }

    /** When this incarnation started, epoch ms, as its own clock said. */
    long startedMillis() {
        return Long.parseLong(incarnation.substring(0, incarnation.indexOf('-')));
    }

    /**
     * True when this is a later incarnation than {@code other}'s (a restart): it started later, or at
     * the same millisecond with the greater nonce, so that two live incarnations are ordered alike everywhere.
     */
    boolean laterThan(Member other) {
        int byStart = Long.compare(startedMillis(), other.startedMillis());
        return byStart > 0 || (byStart == 0 && incarnation.compareTo(other.incarnation) > 0);
    }

    private static String hostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9.-]", "-");
            return name.matches("[A-Za-z0-9].*") ? name : "localhost";
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
