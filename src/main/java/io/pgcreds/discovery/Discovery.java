package io.pgcreds.discovery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a map of config vars into credentials: a pure function, so every rule about names, aliases,
 * pooling and ignored vars is tested without a database. Stateless and thread-safe.
 */
public final class Discovery {
    public static final String DEFAULT_VAR = "DATABASE_URL";
    private static final String URL_SUFFIX = "_URL";
    private static final String POOL_SUFFIX = "_CONNECTION_POOL_URL";
    private static final String OWN_PREFIX = "PGCREDS_";
    private static final String PGBOUNCER = "pgbouncer";
    private static final String PREPARE_THRESHOLD = "prepareThreshold";
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):");
    /** {@code sslrootcert=system}: the JVM's default trust store, with verify-full (libpq 16's meaning). */
    public static final String SYSTEM_ROOTS = "system";

    private Discovery() {
    }

    /** The credential name a config var gives: the var without its {@code _URL} suffix. */
    public static String credentialName(String varName) {
        return varName.endsWith(URL_SUFFIX) ? varName.substring(0, varName.length() - URL_SUFFIX.length()) : varName;
    }

    /**
     * @param vars  config vars, in any order; only {@code *_URL} ones are looked at
     * @param floor the weakest sslmode any credential may use ({@code PGCREDS_SSLMODE})
     */
    public static DiscoveryResult discover(Map<String, String> vars, SslMode floor) {
        Map<String, String> sorted = new TreeMap<>(vars);
        List<IgnoredVar> ignored = new ArrayList<>();
        List<InvalidCredential> invalid = new ArrayList<>();
        Map<GroupKey, List<Parsed>> groups = new LinkedHashMap<>();

        for (Map.Entry<String, String> entry : sorted.entrySet()) {
            String var = entry.getKey();
            String value = entry.getValue() == null ? "" : entry.getValue();
            if (!var.endsWith(URL_SUFFIX) || var.equals(URL_SUFFIX) || var.startsWith(OWN_PREFIX)) {
                continue; // pgcreds' own settings (PGCREDS_HEROKU_API_URL) are not candidates at all
            }
            String reason = ignoreReason(var, value);
            if (reason != null) {
                ignored.add(new IgnoredVar(var, reason));
                continue;
            }
            try {
                PostgresUrl url = PostgresUrl.parse(var, value);
                Parsed parsed = new Parsed(var, url, poolerOf(var, url.parameters()));
                groups.computeIfAbsent(GroupKey.of(parsed), key -> new ArrayList<>()).add(parsed);
            } catch (MalformedUrlException e) {
                invalid.add(new InvalidCredential(credentialName(var), List.of(var), e.getMessage()));
            }
        }

        List<CredentialSpec> credentials = new ArrayList<>();
        for (List<Parsed> members : groups.values()) {
            try {
                credentials.add(toSpec(members, floor));
            } catch (MalformedUrlException e) {
                Parsed canonical = canonical(members);
                invalid.add(new InvalidCredential(credentialName(canonical.var()), varsOf(members, canonical),
                        e.getMessage()));
            }
        }
        credentials.sort((a, b) -> a.name().compareTo(b.name()));
        invalid.sort((a, b) -> a.name().compareTo(b.name()));
        return new DiscoveryResult(credentials, invalid, ignored);
    }

    /** Why a {@code *_URL} var is not a credential, or null when it is meant to be one. */
    private static String ignoreReason(String var, String value) {
        if (var.equals("JDBC_DATABASE_URL") || var.endsWith("_JDBC_URL")) {
            return "a JDBC copy that the Java buildpack derives from another config var, not a credential of its own";
        }
        if (value.isBlank()) {
            return "empty value";
        }
        if (PostgresUrl.hasPostgresScheme(value)) {
            return null;
        }
        Matcher scheme = SCHEME.matcher(value.strip());
        if (!scheme.find()) {
            return "not a URL";
        }
        String name = scheme.group(1).toLowerCase(Locale.ROOT);
        if (name.equals("jdbc")) {
            return "a JDBC URL; pgcreds reads postgres:// URLs";
        }
        return "scheme " + (name.length() <= 20 ? name : name.substring(0, 20) + "...")
                + " is not postgres:// or postgresql://";
    }

    private record Parsed(String var, PostgresUrl url, Pooler pooler) {
    }

    /**
     * The transaction-mode pooler a var names: by its URL's {@code pgbouncer=true} (Prisma's mark) or
     * {@code prepareThreshold=0} (what pgjdbc needs there), else by Heroku's var name for its pooler.
     */
    private static Pooler poolerOf(String var, Map<String, String> parameters) {
        if (Boolean.TRUE.equals(flag(parameters.get(PGBOUNCER))) || isZero(parameters.get(PREPARE_THRESHOLD))) {
            return Pooler.transaction(Pooler.LearntFrom.URL_PARAMETER);
        }
        return var.endsWith(POOL_SUFFIX) ? Pooler.transaction(Pooler.LearntFrom.VAR_NAME) : null;
    }

    /** A boolean URL parameter as libpq reads booleans: true/false, 1/0, yes/no, on/off in any case; else null. */
    private static Boolean flag(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on" -> Boolean.TRUE;
            case "false", "0", "no", "off" -> Boolean.FALSE;
            default -> null;
        };
    }

    private static boolean isZero(String value) {
        return value != null && value.matches("-?0{1,9}");
    }

    /** Vars with the same user, host, port, database (and pooling) are one credential. */
    private record GroupKey(String user, String host, int port, String database, boolean pooled) {
        static GroupKey of(Parsed parsed) {
            PostgresUrl url = parsed.url();
            return new GroupKey(url.user(), url.host(), url.port(), url.database(), parsed.pooler() != null);
        }
    }

    private static Parsed canonical(List<Parsed> members) {
        for (Parsed member : members) {
            if (member.var().equals(DEFAULT_VAR)) {
                return member;
            }
        }
        return members.get(0); // members arrive sorted by var name
    }

    private static List<String> varsOf(List<Parsed> members, Parsed canonical) {
        List<String> vars = new ArrayList<>();
        vars.add(canonical.var());
        members.stream().map(Parsed::var).filter(var -> !var.equals(canonical.var())).forEach(vars::add);
        return vars;
    }

    private static CredentialSpec toSpec(List<Parsed> members, SslMode floor) {
        Parsed canonical = canonical(members);
        PostgresUrl url = canonical.url();
        List<String> warnings = new ArrayList<>();
        for (Parsed member : members) {
            if (member != canonical && (!member.url().password().equals(url.password())
                    || !member.url().parameters().equals(url.parameters()))) {
                warnings.add(member.var() + " names the same user and database as " + canonical.var()
                        + " but differs in password or parameters; " + canonical.var() + " is used");
            }
        }
        String var = canonical.var();
        Map<String, String> parameters = new LinkedHashMap<>(url.parameters());

        SslMode mode = SslMode.strongest(SslMode.REQUIRE, floor);
        String requestedMode = parameters.remove("sslmode");
        if (requestedMode != null) {
            SslMode requested = SslMode.parse(requestedMode).orElseThrow(() -> new MalformedUrlException(var,
                    "sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full"));
            if (!requested.atLeast(SslMode.REQUIRE)) {
                warnings.add("sslmode=" + requested + " in " + var + " raised to " + mode
                        + ": pgcreds never connects without TLS");
            }
            mode = SslMode.strongest(mode, requested);
        }
        String rootCert = parameters.remove("sslrootcert");
        if (SYSTEM_ROOTS.equals(rootCert) && !mode.atLeast(SslMode.VERIFY_FULL)) {
            // libpq 16: the system's CAs prove nothing without the host name check
            if (requestedMode != null) {
                warnings.add("sslmode=" + mode + " in " + var + " raised to verify-full: sslrootcert=system"
                        + " checks the host name, as libpq does");
            }
            mode = SslMode.VERIFY_FULL;
        }
        TlsSettings tls = new TlsSettings(mode, rootCert, parameters.remove("sslcert"), parameters.remove("sslkey"));

        String applicationName = parameters.remove("application_name");
        int connectTimeout = 0;
        String timeout = parameters.remove("connect_timeout");
        if (timeout != null) {
            if (!timeout.matches("[0-9]{1,5}")) {
                throw new MalformedUrlException(var, "connect_timeout must be a whole number of seconds");
            }
            connectTimeout = Integer.parseInt(timeout);
        }
        String pgbouncer = parameters.remove(PGBOUNCER);
        if (pgbouncer != null && flag(pgbouncer) == null) {
            throw new MalformedUrlException(var, "pgbouncer must be true or false (or 1/0, yes/no, on/off)");
        }
        String prepareThreshold = parameters.remove(PREPARE_THRESHOLD);
        if (prepareThreshold != null && !prepareThreshold.matches("-?[0-9]{1,9}")) {
            throw new MalformedUrlException(var, "prepareThreshold must be a whole number (0: no named server-side statements)");
        }
        if (prepareThreshold != null && !isZero(prepareThreshold)) {
            warnings.add("parameter prepareThreshold in " + var + " ignored: pgcreds keeps pgjdbc's default on a direct"
                    + " connection and uses 0 through a pooler; only prepareThreshold=0 means something here");
        }
        if (parameters.remove("ssl") != null) {
            warnings.add("parameter 'ssl' in " + var + " ignored: pgcreds always uses TLS");
        }
        for (String name : parameters.keySet()) {
            warnings.add("parameter " + PostgresUrl.safeName(name) + " in " + var + " is not supported and was ignored");
        }
        return new CredentialSpec(credentialName(var), varsOf(members, canonical), url.user(), url.password(),
                url.host(), url.port(), url.database(), tls, applicationName, connectTimeout,
                canonical.pooler(), warnings);
    }
}
