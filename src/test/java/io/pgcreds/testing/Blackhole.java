package io.pgcreds.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP listener that accepts every connection and never sends a byte: a database that hangs. After
 * {@link #hangUp()} it closes every connection it holds and each new one at once: a refusal that
 * comes late.
 */
public final class Blackhole implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean hangingUp;

    public Blackhole() {
        this(null);
    }

    /**
     * A database that answers late: every connection is held for {@code holdFor}, then closed without
     * a byte sent (null: held until {@link #hangUp()} or {@link #close()}).
     */
    public Blackhole(java.time.Duration holdFor) {
        try {
            server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    accepted.add(socket);
                    if (hangingUp) {
                        socket.close();
                    } else if (holdFor != null) {
                        Thread closer = new Thread(() -> {
                            try {
                                Thread.sleep(holdFor.toMillis()); // the late answer this fake database gives
                                socket.close();
                            } catch (InterruptedException | IOException e) {
                                // closing a test connection
                            }
                        }, "blackhole-closer");
                        closer.setDaemon(true);
                        closer.start();
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }, "blackhole-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public int acceptedConnections() {
        return accepted.size();
    }

    /** Closes every connection held, and from now on every new one as soon as it is accepted. */
    public void hangUp() {
        hangingUp = true;
        for (Socket socket : accepted) {
            try {
                socket.close();
            } catch (IOException e) {
                // closed already
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        } catch (IOException e) {
            // closing a test listener
        }
    }
}
