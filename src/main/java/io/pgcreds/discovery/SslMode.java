package io.pgcreds.discovery;

import java.util.Locale;
import java.util.Optional;

/** libpq's sslmode values, weakest first; pgcreds never connects below {@link #REQUIRE}. */
public enum SslMode {
    DISABLE, ALLOW, PREFER, REQUIRE, VERIFY_CA, VERIFY_FULL;

    /** The name as libpq and pgjdbc spell it, e.g. {@code verify-full}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public boolean atLeast(SslMode other) {
        return compareTo(other) >= 0;
    }

    public static SslMode strongest(SslMode a, SslMode b) {
        return a.atLeast(b) ? a : b;
    }

    public static Optional<SslMode> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        for (SslMode mode : values()) {
            if (mode.wireName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wireName();
    }
}
