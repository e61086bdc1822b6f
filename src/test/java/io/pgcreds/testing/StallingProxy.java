package io.pgcreds.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay in front of a server that can be made to stop in the middle of an answer: once
 * {@link #stallAfter armed}, each connection forwards at most that many more bytes from the server
 * and then nothing, its sockets open, as a server that freezes after the first bytes of a big result.
 * TLS passes through untouched. Thread-safe.
 */
public final class StallingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile long allowance = Long.MAX_VALUE;
    private final AtomicLong withheld = new AtomicLong();

    public StallingProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        try {
            listener = new ServerSocket(0, 200, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "stalling-proxy-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** From now on every connection forwards at most {@code bytes} more bytes from the server, then stalls. */
    public void stallAfter(long bytes) {
        withheld.set(0);
        allowance = bytes;
    }

    /** Forwards everything again, on every connection. */
    public void flowFreely() {
        allowance = Long.MAX_VALUE;
    }

    /** Bytes the server sent that were not forwarded since {@link #stallAfter}: above zero once an answer was cut. */
    public long withheldBytes() {
        return withheld.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(server);
                pump(client, server, false);
                pump(server, client, true);
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromServer) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            long armedAt = -1;
            long forwarded = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    long limit = fromServer ? allowance : Long.MAX_VALUE;
                    if (limit != Long.MAX_VALUE && armedAt != limit) {
                        armedAt = limit;
                        forwarded = 0;
                    }
                    int pass = limit == Long.MAX_VALUE ? read : (int) Math.max(0, Math.min(read, limit - forwarded));
                    forwarded += pass;
                    if (pass < read) {
                        withheld.addAndGet(read - pass);
                    }
                    if (pass > 0) {
                        out.write(buffer, 0, pass);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // either side went away
            } finally {
                close(from);
                close(to);
            }
        }, "stalling-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test relay
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // closing a test relay
        }
        sockets.forEach(StallingProxy::close);
    }
}
