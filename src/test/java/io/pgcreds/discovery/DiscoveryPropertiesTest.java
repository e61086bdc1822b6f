package io.pgcreds.discovery;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Discovery over generated config vars: well-formed and broken Postgres URLs, other schemes,
 * garbage, in any order. It never throws, never quotes a password in any error or reason, and
 * gives the same answer whatever the order of the vars.
 */
class DiscoveryPropertiesTest {
    /** Passwords carry this marker, so that any leak of one is found by searching for it. */
    private static final String MARK = "Pw9";

    @Property(tries = 500)
    void never_throws_never_leaks_a_password_and_accounts_for_every_url_var(
            @ForAll("configVars") Map<String, String> vars) {
        DiscoveryResult result = Discovery.discover(vars, SslMode.REQUIRE);
        List<String> texts = new ArrayList<>();
        result.invalid().forEach(invalid -> texts.add(invalid.error()));
        result.ignored().forEach(ignored -> texts.add(ignored.reason()));
        result.credentials().forEach(spec -> texts.addAll(spec.warnings()));
        result.credentials().forEach(spec -> texts.add(spec.toString()));
        for (String text : texts) {
            assertThat(text).doesNotContain(MARK);
        }
        Set<String> accounted = new HashSet<>();
        result.credentials().forEach(spec -> accounted.addAll(spec.configVars()));
        result.invalid().forEach(invalid -> accounted.addAll(invalid.configVars()));
        result.ignored().forEach(ignored -> accounted.add(ignored.var()));
        Set<String> urlVars = new HashSet<>();
        vars.keySet().stream().filter(name -> name.endsWith("_URL") && !name.equals("_URL")
                && !name.startsWith("PGCREDS_")).forEach(urlVars::add);
        assertThat(accounted).isEqualTo(urlVars);
        for (CredentialSpec spec : result.credentials()) {
            assertThat(spec.tls().mode().atLeast(SslMode.REQUIRE)).isTrue();
            assertThat(spec.port()).isBetween(1, 65535);
        }
    }

    @Property(tries = 300)
    void the_answer_does_not_depend_on_the_order_of_the_vars(@ForAll("configVars") Map<String, String> vars,
                                                             @ForAll long seed) {
        List<Map.Entry<String, String>> entries = new ArrayList<>(vars.entrySet());
        Collections.shuffle(entries, new Random(seed));
        Map<String, String> shuffled = new LinkedHashMap<>();
        entries.forEach(entry -> shuffled.put(entry.getKey(), entry.getValue()));
        assertThat(Discovery.discover(shuffled, SslMode.REQUIRE)).isEqualTo(Discovery.discover(vars, SslMode.REQUIRE));
    }

    @Property(tries = 500)
    void well_formed_urls_come_back_as_they_were_written(@ForAll("user") String user, @ForAll("password") String password,
                                                         @ForAll("host") String host, @ForAll("port") int port,
                                                         @ForAll("database") String database) {
        String url = "postgres://" + encode(user) + ":" + encode(password) + "@" + host + ":" + port + "/" + encode(database);
        PostgresUrl parsed = PostgresUrl.parse("X_URL", url);
        assertThat(parsed.user()).isEqualTo(user);
        assertThat(parsed.password().reveal()).isEqualTo(password);
        assertThat(parsed.port()).isEqualTo(port);
        assertThat(parsed.database()).isEqualTo(database);
        assertThat(parsed.host()).isEqualTo(host.replace("[", "").replace("]", "").toLowerCase(java.util.Locale.ROOT));
    }

    @Property(tries = 1000)
    void any_text_after_the_scheme_parses_or_fails_cleanly(@ForAll @Size(max = 120) String rest,
                                                           @ForAll("password") String password) {
        String value = "postgres://user:" + password + "@" + rest;
        try {
            PostgresUrl.parse("ODD_URL", value);
        } catch (MalformedUrlException e) {
            assertThat(e.getMessage()).startsWith("ODD_URL: ").doesNotContain(MARK);
        }
    }

    @Provide
    Arbitrary<Map<String, String>> configVars() {
        Arbitrary<String> names = Arbitraries.oneOf(
                Arbitraries.of("DATABASE_URL", "HEROKU_POSTGRESQL_RED_URL", "HEROKU_POSTGRESQL_AMBER_URL",
                        "DATABASE_CONNECTION_POOL_URL", "JDBC_DATABASE_URL", "HEROKU_POSTGRESQL_RED_JDBC_URL",
                        "REDIS_URL", "PGCREDS_HEROKU_API_URL", "PORT", "_URL"),
                Arbitraries.strings().withCharRange('A', 'Z').withChars('_').ofMinLength(1).ofMaxLength(12)
                        .map(name -> name + "_URL"));
        return Arbitraries.maps(names, values()).ofMaxSize(8);
    }

    private Arbitrary<String> values() {
        return Arbitraries.oneOf(wellFormed(), broken(), Arbitraries.strings().ofMaxLength(40),
                Arbitraries.of("redis://:" + MARK + "redis@h:6379", "https://example.com", "jdbc:postgresql://h/d", ""));
    }

    private Arbitrary<String> wellFormed() {
        return Combinators.combine(user(), password(), host(), port(), database(),
                        Arbitraries.of("", "?sslmode=disable", "?sslmode=verify-full&sslrootcert=/ca.pem",
                                "?application_name=app&connect_timeout=5", "?unknown=1", "?sslmode=bogus"))
                .as((user, password, host, port, database, query) -> "postgres://" + encode(user) + ":"
                        + encode(password) + "@" + host + ":" + port + "/" + encode(database) + query);
    }

    /** Passwords put where they break the URL: unencoded, or beside a bad port or host. */
    private Arbitrary<String> broken() {
        return Combinators.combine(password(), Arbitraries.of(
                        "postgres://u:%s@h:notaport/d", "postgres://u:%s@:5432/d", "postgres://u:%s/x@h/d",
                        "postgres://u:%s@h:99999/d", "postgresql://u:%s@[::1/d", "postgres://u:%s@h,h2/d",
                        "postgres:/u:%s@h/d", "postgres://u:%s%%zz@h/d", "postgres://:%s@h/d", "postgres://u:%s@h/d#f"))
                .as((password, template) -> String.format(template, password));
    }

    @Provide
    Arbitrary<String> user() {
        return Arbitraries.strings().ofMinLength(1).ofMaxLength(16).excludeChars('\u0000');
    }

    @Provide
    Arbitrary<String> password() {
        return Arbitraries.strings().ofMaxLength(12).excludeChars('\u0000').map(text -> MARK + text);
    }

    @Provide
    Arbitrary<String> host() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('.', '-')
                        .ofMinLength(1).ofMaxLength(30).filter(h -> Character.isLetterOrDigit(h.charAt(0))),
                Arbitraries.of("[::1]", "[2001:db8::5]", "127.0.0.1", "DB.Example.COM"));
    }

    @Provide
    Arbitrary<Integer> port() {
        return Arbitraries.integers().between(1, 65535);
    }

    @Provide
    Arbitrary<String> database() {
        return Arbitraries.strings().ofMinLength(1).ofMaxLength(16).excludeChars('\u0000', '/');
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
