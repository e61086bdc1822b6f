package io.pgcreds.http;

import io.pgcreds.util.Logfmt;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The HTTP side of a graceful stop. {@link #drain} closes the listening sockets (no new
 * connections), answers every request still arriving on open connections normally but with
 * {@code Connection: close}, and waits until none is active. Jetty's own graceful stop would answer
 * those requests 503 instead. Answers that never end by themselves (event streams) are ended first,
 * or the stop would wait its whole grace for them. Thread-safe.
 */
public final class HttpLifecycle {
    private static final Logger log = LoggerFactory.getLogger(HttpLifecycle.class);
    private static final long QUIET_MS = 100;
    private final RequestCounter statistics = new RequestCounter();
    private volatile Server server;
    private volatile boolean stopping;
    private final List<AutoCloseable> openEnded = new CopyOnWriteArrayList<>();

    /** Called by {@link HttpApi} when Jetty is built: counts every request Jetty handles. */
    void install(Server jetty) {
        this.server = jetty;
        jetty.setHandler(statistics);
    }

    /** Registers what holds answers open until told to end them (see {@link #endOpenAnswers}). */
    void endOnStop(AutoCloseable answers) {
        openEnded.add(answers);
    }

    /** Ends every answer that would stay open by itself (event streams): a stop must not wait for them. */
    public void endOpenAnswers() {
        for (AutoCloseable answers : openEnded) {
            try {
                answers.close();
            } catch (Exception e) {
                log.warn(Logfmt.line("event", "stream_close_failed", "exception", e.getClass().getName()));
            }
        }
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
        endOpenAnswers();
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
