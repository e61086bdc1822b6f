package io.pgcreds.http;

import io.pgcreds.util.Logfmt;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The HTTP side of a graceful stop. {@link #drain} closes the listening sockets (no new
 * connections), answers every request still arriving on open connections normally but with
 * {@code Connection: close}, and waits until none is active. Jetty's own graceful stop would answer
 * those requests 503 instead. Thread-safe.
 */
public final class HttpLifecycle {
    private static final Logger log = LoggerFactory.getLogger(HttpLifecycle.class);
    private static final long QUIET_MS = 100;
    private final RequestCounter statistics = new RequestCounter();
    private volatile Server server;
    private volatile boolean stopping;

    /** Called by {@link HttpApi} when Jetty is built: counts every request Jetty handles. */
    void install(Server jetty) {
        this.server = jetty;
        jetty.setHandler(statistics);
    }

    public boolean stopping() {
        return stopping;
    }

    public int activeRequests() {
        return statistics.getRequestsActive();
    }

    public int requestsServed() {
        return statistics.getRequestTotal();
    }

    /**
     * Stops taking connections and waits until no request has been active for a moment, at most
     * {@code timeout}. Returns how many requests were still active when it gave up (normally 0).
     */
    public int drain(Duration timeout) {
        stopping = true;
        Server jetty = server;
        if (jetty != null) {
            for (Connector connector : jetty.getConnectors()) {
                if (connector instanceof AbstractNetworkConnector network) {
                    network.close(); // the listening socket; open connections stay
                }
            }
        }
        try {
            statistics.awaitQuiet(QUIET_MS, System.nanoTime() + timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int cutOff = activeRequests();
        log.info(Logfmt.line("event", "http_drained", "requests_served", requestsServed(), "requests_cut_off", cutOff));
        return cutOff;
    }
}
