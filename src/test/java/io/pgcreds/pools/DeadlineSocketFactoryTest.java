package io.pgcreds.pools;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server that trickles one byte every 50 ms never times out a read, so only a deadline on the
 * whole exchange ends it: reads give up at the thread's deadline, writes after it fail at once, and
 * a thread without one is left to the socket's own timeout.
 */
class DeadlineSocketFactoryTest {
    private ServerSocket listener;
    private Thread trickler;

    @BeforeEach
    void startTrickler() throws IOException {
        listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        trickler = new Thread(() -> {
            try (Socket peer = listener.accept(); OutputStream out = peer.getOutputStream()) {
                while (!Thread.currentThread().isInterrupted()) {
                    out.write('x');
                    out.flush();
                    Thread.sleep(50); // the server under test: a trickle, not a test's wait
                }
            } catch (IOException | InterruptedException e) {
                // the test is over
            }
        }, "trickler");
        trickler.setDaemon(true);
        trickler.start();
    }

    @AfterEach
    void stopTrickler() throws IOException {
        trickler.interrupt();
        listener.close();
    }

    private Socket connect() throws IOException {
        Socket socket = new DeadlineSocketFactory().createSocket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 2000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    @Test
    void reads_of_a_trickling_server_end_at_the_threads_deadline_not_a_timeout_per_read() throws IOException {
        try (Socket socket = connect()) {
            InputStream in = socket.getInputStream();
            long started = System.nanoTime();
            DeadlineSocketFactory.Scope scope = DeadlineSocketFactory.until(started + TimeUnit.MILLISECONDS.toNanos(400));
            try {
                assertThatThrownBy(() -> {
                    while (true) {
                        in.read();
                    }
                }).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("time is up");
            } finally {
                scope.close();
            }
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(tookMs).as("ended by the 400 ms deadline, long before the 10 s socket timeout").isLessThan(5000);
            assertThat(DeadlineSocketFactory.remainingNanos()).as("the scope is gone").isEqualTo(Long.MAX_VALUE);
            assertThat(socket.getSoTimeout()).as("the socket's own timeout is back").isEqualTo(10_000);
        }
    }

    @Test
    void a_write_after_the_deadline_fails_at_once_and_a_thread_without_one_is_untouched() throws IOException {
        try (Socket socket = connect()) {
            DeadlineSocketFactory.Scope scope = DeadlineSocketFactory.until(System.nanoTime() - 1);
            try {
                assertThatThrownBy(() -> socket.getOutputStream().write(1)).isInstanceOf(SocketTimeoutException.class);
                assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            } finally {
                scope.close();
            }
            assertThat(socket.getInputStream().read()).isEqualTo('x');
            socket.getOutputStream().write(1);
        }
    }

    @Test
    void a_nested_deadline_never_extends_the_outer_one() {
        long outer = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        DeadlineSocketFactory.Scope first = DeadlineSocketFactory.until(outer);
        try {
            DeadlineSocketFactory.Scope second = DeadlineSocketFactory.until(outer + TimeUnit.SECONDS.toNanos(60));
            assertThat(DeadlineSocketFactory.remainingNanos()).isLessThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
            second.close();
            assertThat(DeadlineSocketFactory.remainingNanos()).isLessThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
        } finally {
            first.close();
        }
        assertThat(DeadlineSocketFactory.remainingNanos()).isEqualTo(Long.MAX_VALUE);
    }
}
