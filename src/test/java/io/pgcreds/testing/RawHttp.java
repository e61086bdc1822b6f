package io.pgcreds.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Bytes over a socket, for requests no HTTP client would send: malformed lines, oversized headers, NULs. */
public final class RawHttp {
    private RawHttp() {
    }

    /** One answer: status, headers (lower-case names) and body. Status 0 when the server answered nothing. */
    public record Answer(int status, Map<String, String> headers, String body) {
    }

    public static Answer send(int port, byte[] request) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int read; (read = in.read(buffer)) >= 0; ) {
                    received.write(buffer, 0, read);
                }
            } catch (IOException e) {
                // a reset after the answer: keep what arrived
            }
            return parse(received.toString(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One connection attempt as a looping {@code curl} makes it: {@code connected} false when the
     * connection was refused (the kernel did not accept it); else the answer, status 0 when the
     * connection was reset or closed before any answer came.
     */
    public record Exchange(boolean connected, Answer answer, String failure) {
    }

    /** Connects (within 5 s), sends {@code request}, reads the answer to its end (within 10 s). */
    public static Exchange exchange(int port, byte[] request) {
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
            } catch (IOException e) {
                return new Exchange(false, null, e.getClass().getSimpleName());
            }
            String failure = null;
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            try {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[8192];
                for (int read; (read = in.read(buffer)) >= 0; ) {
                    received.write(buffer, 0, read);
                }
            } catch (IOException e) {
                failure = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            return new Exchange(true, parse(received.toString(StandardCharsets.ISO_8859_1)), failure);
        } catch (IOException e) {
            return new Exchange(true, new Answer(0, Map.of(), ""), e.getClass().getSimpleName());
        }
    }

    public static Answer send(int port, String request) {
        return send(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static Answer parse(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return new Answer(0, Map.of(), text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        String body = text.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = unchunk(body);
        }
        return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
    }

    private static String unchunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int position = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", position);
            if (lineEnd < 0) {
                return body.toString();
            }
            int size = Integer.parseInt(chunked.substring(position, lineEnd).trim(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, lineEnd + 2, Math.min(chunked.length(), lineEnd + 2 + size));
            position = lineEnd + 2 + size + 2;
        }
    }
}
