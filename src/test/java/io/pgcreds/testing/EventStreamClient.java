package io.pgcreds.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Reads {@code GET /events/stream} as a browser's EventSource would: {@code id:}, {@code event:} and
 * {@code data:} lines, a blank line ending each event, {@code :} comments. Every event is searched
 * for the secrets the tests know. Thread-safe.
 */
public final class EventStreamClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpResponse<Stream<String>> response;
    private final List<JsonNode> events = new ArrayList<>(); // guarded by itself
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile int comments;

    private EventStreamClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        Thread reader = new Thread(this::read, "test-sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens the stream with the token; {@code lastEventId} null sends no Last-Event-ID. Returns once the headers came. */
    public static EventStreamClient open(int port, String token, Long lastEventId) {
        return open(port, token, "text/event-stream", lastEventId == null ? null : Long.toString(lastEventId));
    }

    /** Opens the stream with the token, this {@code Accept} and {@code Last-Event-ID} (each null: not sent). */
    public static EventStreamClient open(int port, String token, String accept, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events/stream"))
                .header("Authorization", "Bearer " + token);
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(request.build(),
                    HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                throw new AssertionError("GET /events/stream answered " + response.statusCode());
            }
            return new EventStreamClient(response);
        } catch (IOException e) {
            throw new AssertionError("GET /events/stream failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The status {@code GET /events/stream} answers with this {@code Accept}, read from the headers
     * alone (a stream opened by mistake is closed, not read to its end).
     */
    public static int status(int port, String token, String accept) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events/stream"))
                .header("Authorization", "Bearer " + token).header("Accept", accept).build();
        try {
            HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(request,
                    HttpResponse.BodyHandlers.ofInputStream());
            response.body().close();
            return response.statusCode();
        } catch (IOException e) {
            throw new AssertionError("GET /events/stream failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<Stream<String>> response() {
        return response;
    }

    private void read() {
        String id = null;
        String name = null;
        StringBuilder data = new StringBuilder();
        try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        add(id, name, data.toString());
                    }
                    data.setLength(0);
                    name = null;
                } else if (line.startsWith(":")) {
                    comments++;
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
        } catch (RuntimeException e) {
            // the connection closed under the reader: the stream ended
        } finally {
            ended.complete(null);
        }
    }

    private void add(String id, String name, String data) {
        List<String> leaks = Secrets.foundIn(data);
        if (!leaks.isEmpty()) {
            throw new AssertionError("an event carried " + leaks);
        }
        try {
            JsonNode event = JSON.readTree(data);
            if (!"lifecycle".equals(name) || !Long.toString(event.path("id").asLong()).equals(id)) {
                throw new AssertionError("event '" + name + "' with id " + id + " carries " + data);
            }
            synchronized (events) {
                events.add(event);
            }
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + data, e);
        }
    }

    /** The events received so far, in order. */
    public List<JsonNode> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Comment lines received (the first comes at once, then a heartbeat every 15 s). */
    public int comments() {
        return comments;
    }

    /** Waits for an event that meets the condition; returns it. */
    public JsonNode await(String what, Predicate<JsonNode> condition) {
        return Await.until(what + " on the event stream", () -> events().stream().filter(condition).findFirst()
                .orElse(null), event -> event != null);
    }

    /** Waits until the server ends the stream; true when it did within the timeout. */
    public boolean awaitEnd(Duration timeout) {
        try {
            ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    @Override
    public void close() {
        response.body().close();
    }
}
