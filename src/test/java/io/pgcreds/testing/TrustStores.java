package io.pgcreds.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;

/** Certificate authorities and trust stores for the TLS tests, made on the spot. */
public final class TrustStores {
    /** Not a secret: a trust store holds public certificates only. */
    public static final String PASSWORD = "changeit";

    private TrustStores() {
    }

    /** A CA that signed no server's certificate, made in {@code dir} with openssl. */
    public static Path otherCertificateAuthority(Path dir) throws IOException {
        Path cert = dir.resolve("other-ca.crt");
        Process process = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=not the server's CA",
                "-keyout", dir.resolve("other-ca.key").toString(), "-out", cert.toString())
                .redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        try {
            if (process.waitFor() != 0) {
                throw new IllegalStateException("openssl could not make a CA");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return cert;
    }

    /** A PKCS#12 trust store at {@code file} holding just the given PEM certificate, with {@link #PASSWORD}. */
    public static Path holding(Path certificate, Path file) {
        try (InputStream in = Files.newInputStream(certificate); OutputStream out = Files.newOutputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            store.store(out, PASSWORD.toCharArray());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * This machine's own name when it resolves to 127.0.0.1 (as /etc/hosts often has it) and is not
     * localhost: a name the test servers' certificates (localhost, 127.0.0.1, ::1) do not hold. Null
     * when there is none.
     */
    public static String anotherNameForLoopback() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            boolean loopback = InetAddress.getByName(name).getHostAddress().equals("127.0.0.1");
            return loopback && !name.equalsIgnoreCase("localhost") && name.matches("[A-Za-z0-9][A-Za-z0-9.-]*") ? name : null;
        } catch (IOException e) {
            return null;
        }
    }
}
