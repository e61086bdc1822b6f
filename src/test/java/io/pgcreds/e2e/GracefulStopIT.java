package io.pgcreds.e2e;

import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.JarProcess;
import io.pgcreds.testing.RawHttp;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12, item 8: SIGTERM to the real jar while 8 clients loop on {@code /tables}, each request on
 * a connection of its own (a shell loop of curl): every connection the kernel accepted gets an HTTP
 * answer, 200 or 503 with {@code Connection: close}; none is reset or closed unanswered. Connection
 * attempts refused once the port is closed are fine: the kernel never accepted them.
 */
class GracefulStopIT {
    private static final int CLIENTS = 8;

    @Test
    void sigterm_answers_every_connection_the_kernel_accepted_and_resets_none() throws Exception {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "stop");
        String token = Secrets.remember("stop-token-" + System.nanoTime());
        try (JarProcess jar = JarProcess.start(Map.of("PGCREDS_API_TOKEN", token, "DATABASE_URL", db.ownerUrl(),
                "PGCREDS_HEALTH_INTERVAL_MS", "200"))) {
            jar.awaitPort(Duration.ofSeconds(30));
            byte[] request = ("GET /tables HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            ConcurrentLinkedQueue<RawHttp.Exchange> accepted = new ConcurrentLinkedQueue<>();
            AtomicLong refused = new AtomicLong();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Thread client = new Thread(() -> {
                    while (running.get()) {
                        RawHttp.Exchange exchange = RawHttp.exchange(jar.port(), request);
                        if (exchange.connected()) {
                            accepted.add(exchange);
                        } else {
                            refused.incrementAndGet();
                        }
                    }
                }, "curl-loop-" + i);
                client.setDaemon(true);
                clients.add(client);
                client.start();
            }
            io.pgcreds.testing.Await.until("the clients served for a while", () -> accepted.stream()
                    .filter(exchange -> exchange.answer().status() == 200).count(), served -> served >= 300);

            long signalled = System.nanoTime();
            int exitCode = jar.terminate(Duration.ofSeconds(30));
            long tookMs = (System.nanoTime() - signalled) / 1_000_000;
            long refusedAtExit = refused.get();
            io.pgcreds.testing.Await.until("the clients refused after the exit", refused::get,
                    count -> count >= refusedAtExit + CLIENTS);
            running.set(false);
            for (Thread client : clients) {
                client.join(15_000);
            }

            List<RawHttp.Exchange> unanswered = accepted.stream().filter(exchange -> !answered(exchange)).toList();
            long served = accepted.stream().filter(exchange -> exchange.answer().status() == 200).count();
            long unavailable = accepted.stream().filter(exchange -> exchange.answer().status() == 503).count();
            System.out.println("[figure] SIGTERM under " + CLIENTS + " looping clients (one connection per request): exit "
                    + exitCode + " after " + tookMs + " ms; " + accepted.size() + " connections accepted, " + served
                    + " answered 200, " + unavailable + " answered 503, " + unanswered.size() + " unanswered; "
                    + refused.get() + " refused");
            assertThat(exitCode).isZero();
            assertThat(tookMs).as("within Heroku's 30 s between SIGTERM and SIGKILL").isLessThan(30_000);
            assertThat(unanswered).as("accepted connections left without an answer (reset or closed)").isEmpty();
            assertThat(accepted).as("a 503 while stopping says the connection closes")
                    .filteredOn(exchange -> exchange.answer().status() == 503)
                    .allMatch(exchange -> "close".equalsIgnoreCase(exchange.answer().headers().get("connection")));
            assertThat(jar.output()).contains("event=http_listener_closed");
            assertThat(Secrets.foundIn(jar.output())).isEmpty();
        }
    }

    private static boolean answered(RawHttp.Exchange exchange) {
        int status = exchange.answer().status();
        return status == 200 || status == 503;
    }
}
