package io.pgcreds.http;

import io.javalin.http.Context;
import io.javalin.http.Header;
import io.javalin.http.sse.SseClient;
import io.pgcreds.events.EventLog;
import io.pgcreds.events.LifecycleEvent;
import io.pgcreds.util.Threads;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code GET /events/stream}: the timeline as Server-Sent Events through Javalin's {@link SseClient},
 * each event {@code id: <id>}, {@code event: lifecycle}, {@code data: <the event as JSON>}, to any
 * client whose {@code Accept} allows {@code text/event-stream} ({@code *}{@code /*}, curl's default,
 * does; so does no Accept at all). A client that sends {@code Last-Event-ID} first gets every kept
 * event after that id, so a reconnect loses nothing; one that is not an id this service can have
 * sent (not a number, or beyond the last) gets every kept event; without it, only events from now on. The request holds no thread while it waits: a
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
        if (!acceptsEventStream(ctx.header(Header.ACCEPT))) {
            throw new ProblemException(406, "not-acceptable", "Not Acceptable",
                    "this endpoint answers Server-Sent Events only: send 'Accept: text/event-stream'", null);
        }
        long after = lastEventId(ctx.header("Last-Event-ID"));
        if (closed || streams.size() >= MAX_STREAMS) {
            ctx.header(Header.RETRY_AFTER, "5");
            throw new ProblemException(503, "streams-unavailable", "Service Unavailable", closed
                    ? "the service is stopping" : MAX_STREAMS + " event streams are open; try again later", null);
        }
        startStream(ctx, after);
    }

    /**
     * What Javalin's {@code SseHandler} does, but for every Accept that allows the stream: its
     * handler answers only an Accept that names text/event-stream literally (not curl's {@code *}{@code /*}).
     */
    private void startStream(Context ctx, long after) {
        HttpServletResponse response = ctx.res();
        response.setStatus(200);
        response.setCharacterEncoding("UTF-8");
        response.setContentType("text/event-stream");
        response.addHeader("Connection", "close");
        response.addHeader("Cache-Control", "no-cache");
        response.addHeader("X-Accel-Buffering", "no");
        try {
            response.flushBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the client went away before the stream began
        }
        ctx.async(config -> config.timeout = 0, () -> attach(new SseClient(ctx), after));
    }

    /** True when {@code accept} (RFC 9110) allows text/event-stream: absent, or a range that matches it with q above 0. */
    static boolean acceptsEventStream(String accept) {
        if (accept == null || accept.isBlank()) {
            return true;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].strip().toLowerCase(Locale.ROOT);
            boolean refused = false;
            for (int i = 1; i < parts.length; i++) {
                String parameter = parts[i].strip().toLowerCase(Locale.ROOT);
                refused |= parameter.matches("q=0(\\.0{0,3})?");
            }
            if (!refused && (type.equals("text/event-stream") || type.equals("text/*") || type.equals("*/*"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where a stream starts: after the id the client had; after the last event when it sends none
     * (events from now on); before every kept event when what it sends is no id this service sent, so
     * that it misses nothing (an EventSource resends whatever id it last got, verbatim).
     */
    private long lastEventId(String header) {
        if (header == null || header.isBlank()) {
            return events.lastId();
        }
        try {
            long id = Long.parseLong(header.strip());
            return id <= events.lastId() ? id : 0;
        } catch (NumberFormatException e) {
            return 0;
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
