package io.pgcreds.pools;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import javax.net.SocketFactory;

/**
 * pgjdbc's socket factory for every pgcreds session (its {@code socketFactory} property): plain TCP
 * sockets whose reads and writes give up at the deadline of the thread using them ({@link #until}),
 * whatever the server does. A socket timeout alone bounds each read, not the answer: a server that
 * freezes after the first bytes of a result, or trickles, would hold a request for a timeout per
 * read. Here every read is cut at the time left to the request, and one that would start after it
 * fails at once; pgjdbc then abandons the session on the thread that was reading, the TLS close it
 * starts finds nothing to wait for (its own thread holds the read lock, and a write after the
 * deadline fails at once), and HikariCP discards the connection. A thread without a deadline (the
 * pool's own threads) has the socket's own timeouts. TLS is layered on these sockets by pgjdbc.
 * Thread-safe; a deadline belongs to one thread.
 */
public final class DeadlineSocketFactory extends SocketFactory {
    private static final ThreadLocal<Long> DEADLINE = new ThreadLocal<>();

    /** pgjdbc makes one per connection attempt, by class name. */
    public DeadlineSocketFactory() {
    }

    /** A deadline in force on one thread until closed; closing restores the one before. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Every socket read and write of this thread fails with a {@link SocketTimeoutException} from
     * {@code deadlineNanos} ({@link System#nanoTime()}) on, until the scope closes; within an
     * earlier deadline, the earlier one stays.
     */
    static Scope until(long deadlineNanos) {
        Long previous = DEADLINE.get();
        DEADLINE.set(previous != null && previous - deadlineNanos < 0 ? previous : deadlineNanos);
        return () -> {
            if (previous == null) {
                DEADLINE.remove();
            } else {
                DEADLINE.set(previous);
            }
        };
    }

    /** Nanoseconds left to this thread's deadline, or {@link Long#MAX_VALUE} without one. */
    static long remainingNanos() {
        Long deadline = DEADLINE.get();
        return deadline == null ? Long.MAX_VALUE : deadline - System.nanoTime();
    }

    @Override
    public Socket createSocket() {
        return new DeadlineSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return boundAndConnected(new InetSocketAddress(localHost, localPort), new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return boundAndConnected(new InetSocketAddress(localAddress, localPort), new InetSocketAddress(address, port));
    }

    private static Socket boundAndConnected(SocketAddress local, SocketAddress remote) throws IOException {
        Socket socket = new DeadlineSocket();
        socket.bind(local);
        socket.connect(remote);
        return socket;
    }

    private static Socket connected(SocketAddress address) throws IOException {
        Socket socket = new DeadlineSocket();
        socket.connect(address);
        return socket;
    }

    private static SocketTimeoutException timeUp() {
        return new SocketTimeoutException("the request's time is up (PGCREDS_CONNECTION_TIMEOUT_MS + PGCREDS_STATEMENT_TIMEOUT_MS)");
    }

    /** Milliseconds left, at least 1; throws when none is left. */
    private static int remainingMillis() throws SocketTimeoutException {
        long remaining = remainingNanos();
        if (remaining <= 0) {
            throw timeUp();
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (remaining + 999_999) / 1_000_000));
    }

    private static final class DeadlineSocket extends Socket {
        private InputStream input;
        private OutputStream output;

        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            if (remainingNanos() == Long.MAX_VALUE) {
                super.connect(endpoint, timeout);
                return;
            }
            int left = remainingMillis();
            super.connect(endpoint, timeout == 0 ? left : Math.min(timeout, left));
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (input == null) {
                input = new DeadlineInput(super.getInputStream());
            }
            return input;
        }

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (output == null) {
                output = new DeadlineOutput(super.getOutputStream());
            }
            return output;
        }

        private final class DeadlineInput extends FilterInputStream {
            DeadlineInput(InputStream in) {
                super(in);
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int read = read(one, 0, 1);
                return read <= 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (remainingNanos() == Long.MAX_VALUE) {
                    return in.read(buffer, offset, length);
                }
                int left = remainingMillis();
                int own = getSoTimeout();
                if (own != 0 && own <= left) {
                    return in.read(buffer, offset, length);
                }
                setSoTimeout(left);
                try {
                    return in.read(buffer, offset, length);
                } catch (SocketTimeoutException e) {
                    throw remainingNanos() <= 0 ? timeUp() : e;
                } finally {
                    if (!isClosed()) {
                        setSoTimeout(own);
                    }
                }
            }
        }

        private final class DeadlineOutput extends FilterOutputStream {
            DeadlineOutput(OutputStream out) {
                super(out);
            }

            @Override
            public void write(int b) throws IOException {
                checkTime();
                out.write(b);
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                checkTime();
                out.write(buffer, offset, length);
            }

            @Override
            public void flush() throws IOException {
                checkTime();
                out.flush();
            }

            private void checkTime() throws SocketTimeoutException {
                if (remainingNanos() <= 0) {
                    throw timeUp();
                }
            }
        }
    }
}
