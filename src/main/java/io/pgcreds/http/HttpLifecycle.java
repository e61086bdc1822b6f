package io.pgcreds.http;

import io.pgcreds.util.Logfmt;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The HTTP side of a graceful stop. {@link #drain} closes the listening sockets (no new
 * connections) without resetting any connection the kernel has accepted, answers every request
 * still arriving on open connections normally but with {@code Connection: close}, and waits until
 * none is active. Jetty's own graceful stop would answer those requests 503 instead, and closing
 * the listening socket at once reset the connections still in the kernel's accept queue (1 or 2 of
 * 3,500 with 8 clients looping, whose connect had succeeded). Answers that never end by themselves
 * (event streams) are ended first, or the stop would wait its whole grace for them. Thread-safe.
 */
public final class HttpLifecycle {
    private static final Logger log = LoggerFactory.getLogger(HttpLifecycle.class);
    private static final long QUIET_MS = 100;
    /**
     * No connection opened for this long: the accept queue is taken as empty. Jetty's acceptor takes
     * a queued connection within microseconds; this leaves room for a starved CPU.
     */
    private static final long ACCEPT_QUIET_MS = 200;
    /** The longest the listening socket stays open after a stop began, for clients that never stop connecting. */
    private static final long MAX_ACCEPT_MS = 5_000;
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

    /**
     * Closes the listening sockets once connections have stopped arriving: with every new request
     * held, a looping client waits for its answer instead of connecting again, so the kernel's queue
     * empties and stays empty; then the sockets close and no accepted connection is reset. A client
     * that connects after that is refused, which it can tell and retry elsewhere.
     */
    private static void shutListeners(List<AbstractNetworkConnector> listening, AcceptWatch watch, long deadlineNanos)
            throws InterruptedException {
        try {
            long started = System.nanoTime();
            boolean quiet = watch.awaitQuiet(ACCEPT_QUIET_MS,
                    Math.min(deadlineNanos, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_ACCEPT_MS)));
            long waitedMs = (System.nanoTime() - started) / 1_000_000;
            if (quiet) {
                log.info(Logfmt.line("event", "http_listener_closed", "waited_ms", waitedMs,
                        "connections_accepted_meanwhile", watch.opened()));
            } else {
                log.warn(Logfmt.line("event", "http_listener_busy", "waited_ms", waitedMs,
                        "connections_accepted_meanwhile", watch.opened(),
                        "effect", "connections kept arriving; the listening socket closes anyway"));
            }
        } finally {
            for (AbstractNetworkConnector connector : listening) {
                connector.close(); // the listening socket; open connections stay
                connector.removeEventListener(watch);
            }
        }
    }

    public int activeRequests() {
        return statistics.getRequestsActive();
    }

    public int requestsServed() {
        return statistics.getRequestTotal();
    }

    /**
     * Stops taking connections and waits until no request has been active for a moment, at most
     * {@code timeout}. Requests that start meanwhile are held until the listening sockets are shut
     * (at most {@value #ACCEPT_QUIET_MS} ms after connections stop arriving, {@value #MAX_ACCEPT_MS} ms
     * in all), then served with {@code Connection: close}. Returns how many requests were still
     * active when it gave up (normally 0).
     */
    public int drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            Server jetty = server;
            AcceptWatch watch = new AcceptWatch();
            List<AbstractNetworkConnector> listening = jetty == null ? List.of() : Stream.of(jetty.getConnectors())
                    .filter(AbstractNetworkConnector.class::isInstance).map(AbstractNetworkConnector.class::cast).toList();
            listening.forEach(connector -> connector.addEventListener(watch));
            statistics.hold();
            stopping = true;
            endOpenAnswers();
            shutListeners(listening, watch, deadline);
            statistics.release();
            statistics.awaitQuiet(QUIET_MS, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            statistics.release();
        }
        int cutOff = activeRequests();
        log.info(Logfmt.line("event", "http_drained", "requests_served", requestsServed(), "requests_cut_off", cutOff));
        return cutOff;
    }
}
