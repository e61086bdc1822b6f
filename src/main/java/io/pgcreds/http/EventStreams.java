package io.pgcreds.http;

import io.javalin.http.Context;
import io.javalin.http.Header;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import io.pgcreds.events.EventLog;
import io.pgcreds.events.LifecycleEvent;
import io.pgcreds.util.Threads;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code GET /events/stream}: the timeline as Server-Sent Events through Javalin's {@link SseClient},
 * each event {@code id: <id>}, {@code event: lifecycle}, {@code data: <the event as JSON>}. A client
 * that sends {@code Last-Event-ID} first gets every kept event after that id, so a reconnect loses
 * nothing; without it, only events from now on. The request holds no thread while it waits: a
 * stream is written by a pool thread when there is news, one writer per stream at a time, and a
 * comment every {@code heartbeat} keeps proxies and Jetty's idle timeout from closing it and finds
 * clients that went away (the write fails, the stream ends). {@link #close} ends every stream, so
 * that a graceful stop is not held by them. Thread-safe.
 */
final class EventStreams implements AutoCloseable {
    static final int MAX_STREAMS = 64;
    private static final String EVENT_NAME = "lifecycle";
    private final EventLog events;
    private final JsonAnswers json;
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final ExecutorService writers = Executors.newCachedThreadPool(Threads.daemon("pgcreds-sse"));
    private final ScheduledExecutorService heartbeats =
            Executors.newSingleThreadScheduledExecutor(Threads.daemon("pgcreds-sse-heartbeat"));
    private volatile boolean closed;

    EventStreams(EventLog events, JsonAnswers json, Duration heartbeat) {
        this.events = events;
        this.json = json;
        events.listen(() -> streams.forEach(Stream::wake));
        heartbeats.scheduleWithFixedDelay(() -> streams.forEach(Stream::heartbeat), heartbeat.toMillis(),
                heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Streams open now. */
    int count() {
        return streams.size();
    }

    void open(Context ctx) {
        QueryParams.allowOnly(ctx, Set.of());
        String accept = ctx.header(Header.ACCEPT);
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new ProblemException(406, "not-acceptable", "Not Acceptable",
                    "this endpoint answers Server-Sent Events only: send 'Accept: text/event-stream'", null);
        }
        long after = lastEventId(ctx.header("Last-Event-ID"));
        if (closed || streams.size() >= MAX_STREAMS) {
            ctx.header(Header.RETRY_AFTER, "5");
            throw new ProblemException(503, "streams-unavailable", "Service Unavailable", closed
                    ? "the service is stopping" : MAX_STREAMS + " event streams are open; try again later", null);
        }
        new SseHandler(client -> attach(client, after)).handle(ctx);
    }

    private long lastEventId(String header) {
        if (header == null || header.isBlank()) {
            return events.lastId();
        }
        try {
            return Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            throw new ProblemException(400, "invalid-header", "Invalid request header",
                    "Last-Event-ID must be the id of an event this service sent (a whole number)", null);
        }
    }

    private void attach(SseClient client, long after) {
        client.keepAlive(); // the request stays open after this method returns, on no thread
        Stream stream = new Stream(client, after);
        client.onClose(() -> streams.remove(stream));
        streams.add(stream);
        if (closed) {
            client.close();
            return;
        }
        stream.heartbeat(); // a first comment at once: the client knows the stream is open
    }

    /** Ends every stream (their requests complete) and takes no more. */
    @Override
    public void close() {
        closed = true;
        streams.forEach(stream -> stream.client.close());
        heartbeats.shutdownNow();
        writers.shutdown();
    }

    /** One open stream: what it has been sent, and whether a writer is on it. */
    private final class Stream {
        private final SseClient client;
        private final AtomicBoolean writing = new AtomicBoolean();
        private volatile boolean heartbeatDue;
        private long sent; // written by one writer at a time; the writing flag hands it over

        Stream(SseClient client, long after) {
            this.client = client;
            this.sent = after;
        }

        void heartbeat() {
            heartbeatDue = true;
            wake();
        }

        void wake() {
            if (!client.terminated() && writing.compareAndSet(false, true)
                    && !Threads.unlessShutDown(() -> writers.execute(this::write))) {
                client.close();
            }
        }

        private void write() {
            try {
                do {
                    for (LifecycleEvent event : events.after(sent)) {
                        client.sendEvent(EVENT_NAME, new String(json.bytes(event), StandardCharsets.UTF_8),
                                Long.toString(event.id()));
                        if (client.terminated()) {
                            return; // the client went away: the failed write closed the stream
                        }
                        sent = event.id();
                    }
                    if (heartbeatDue) {
                        heartbeatDue = false;
                        client.sendComment("keep-alive");
                    }
                    writing.set(false);
                } while (!client.terminated() && (events.lastId() > sent || heartbeatDue)
                        && writing.compareAndSet(false, true));
            } catch (RuntimeException e) {
                client.close(); // the response is gone under us (the stop completed it): nothing more to send
            }
        }
    }
}
