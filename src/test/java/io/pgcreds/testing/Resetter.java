package io.pgcreds.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A TCP listener that resets every connection it accepts (linger 0, then close): a host that refuses to talk. */
public final class Resetter implements AutoCloseable {
    private final ServerSocket server;

    public Resetter() {
        try {
            server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    socket.setSoLinger(true, 0);
                } catch (IOException e) {
                    // closed, or the reset itself
                }
            }
        }, "resetter-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing a test listener
        }
    }
}
