package io.pgcreds.localpg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A throwaway CA and a server certificate it signed, for localhost, 127.0.0.1 and ::1, made once
 * per process with openssl (EC P-256 keys, quick to make). Thread-safe.
 */
public final class Certificates {
    private static Certificates shared;
    private final Path dir;

    private Certificates(Path dir) {
        this.dir = dir;
    }

    public static synchronized Certificates shared() {
        if (shared == null) {
            shared = create();
        }
        return shared;
    }

    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    public Path serverCertificate() {
        return dir.resolve("server.crt");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    private static Certificates create() {
        try {
            Path dir = Files.createTempDirectory("pgcreds-certs-");
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> LocalPostgres.deleteRecursively(dir)));
            } catch (IllegalStateException e) { // the JVM is already shutting down (a signal during start-up)
                LocalPostgres.deleteRecursively(dir);
                throw e;
            }
            Files.writeString(dir.resolve("server.ext"), String.join("\n",
                    "subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1",
                    "basicConstraints = CA:FALSE",
                    "keyUsage = digitalSignature, keyEncipherment",
                    "extendedKeyUsage = serverAuth") + "\n");
            openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "30", "-subj", "/CN=pgcreds throwaway CA", "-keyout", "ca.key", "-out", "ca.crt");
            openssl(dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr");
            openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                    "-days", "30", "-out", "server.crt", "-extfile", "server.ext");
            return new Certificates(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void openssl(Path dir, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Commands.run(command, dir);
    }
}
