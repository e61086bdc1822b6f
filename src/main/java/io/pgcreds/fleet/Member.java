package io.pgcreds.fleet;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * This instance among its app's instances: its id ({@code DYNO}, e.g. {@code web.1}, else host:port)
 * and its app ({@code PGCREDS_HEROKU_APP}, or null). Immutable.
 */
record Member(String id, String app) {

    /** The member named by {@code dyno}, or by this host's name and the HTTP port when there is no dyno. */
    static Member of(String dyno, String app, int port) {
        return new Member(dyno != null ? dyno : hostName() + ":" + port, app);
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
