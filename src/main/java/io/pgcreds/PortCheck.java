package io.pgcreds;

import io.pgcreds.util.Logfmt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;

/** Whether the service's port is free, asked before anything (a demo's servers) is made. */
final class PortCheck {
    private static final Logger log = LoggerFactory.getLogger(PortCheck.class);

    private PortCheck() {
    }

    /**
     * True when PORT (default 8080) can be bound on all interfaces; else logs one {@code event=port_in_use}
     * line that suggests another port. An unusable PORT value is left to the settings to report.
     */
    static boolean free(Map<String, String> env) {
        int port;
        try {
            port = Integer.parseInt(env.getOrDefault("PORT", "8080").trim());
        } catch (NumberFormatException e) {
            return true;
        }
        if (port <= 0 || port > 65535 || canBind(port)) {
            return true;
        }
        int suggestion = port + 1;
        while (suggestion < Math.min(65536, port + 50) && !canBind(suggestion)) {
            suggestion++;
        }
        log.error(Logfmt.line("event", "port_in_use", "port", port,
                "hint", "another process listens on port " + port + " (pgcreds or its demo already running?);"
                        + " stop it, or start on a free port: PORT=" + suggestion + " java -jar target/pgcreds.jar"));
        return false;
    }

    private static boolean canBind(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as Jetty binds: a port left in TIME_WAIT is free
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** True when the service could not start because its port could not be bound. */
    static boolean bindFailure(Throwable failure) {
        for (Throwable link = failure; link != null && link != link.getCause(); link = link.getCause()) {
            if (link instanceof BindException) {
                return true;
            }
        }
        return false;
    }
}
