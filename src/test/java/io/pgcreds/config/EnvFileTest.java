package io.pgcreds.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The env file grammar (README, "The env file"), line by line: what each line gives, and what is skipped. */
class EnvFileTest {

    /** One line of a file, the name it sets and the value it must give. */
    static Stream<Arguments> lines() {
        return Stream.of(
                // unquoted values run to the end of the line (the issue's input and others of its kind)
                arguments("APP_NAME=My Shop App", "APP_NAME", "My Shop App"),
                arguments("APP_NAME=My Shop App   ", "APP_NAME", "My Shop App"),
                arguments("APP_NAME = My Shop App", "APP_NAME", "My Shop App"),
                arguments("APP_NAME\t=\tMy Shop App\t", "APP_NAME", "My Shop App"),
                arguments("   APP_NAME=My Shop App", "APP_NAME", "My Shop App"),
                arguments("GREETING=Hello, world! How are you?", "GREETING", "Hello, world! How are you?"),
                arguments("SENTENCE=one  two   three", "SENTENCE", "one  two   three"),
                arguments("EQUALS=a=b=c", "EQUALS", "a=b=c"),
                arguments("INNER_QUOTE=it's", "INNER_QUOTE", "it's"),
                arguments("INNER_QUOTES=say \"hi\" to 'them'", "INNER_QUOTES", "say \"hi\" to 'them'"),
                arguments("DOLLAR=abc$HOME${X}", "DOLLAR", "abc$HOME${X}"),
                arguments("BACKSLASH=C:\\path\\to a\\ b", "BACKSLASH", "C:\\path\\to a\\ b"),
                arguments("UNICODE=Café ☕ ünïcödé", "UNICODE", "Café ☕ ünïcödé"),
                arguments("URL=postgres://u:p@h:5432/d?sslmode=require&x=1", "URL", "postgres://u:p@h:5432/d?sslmode=require&x=1"),
                // a ' #' comment is stripped; a '#' inside a word is part of the value
                arguments("APP_NAME=My Shop App # the shop's name", "APP_NAME", "My Shop App"),
                arguments("APP_NAME=My Shop App\t# a tab before it", "APP_NAME", "My Shop App"),
                arguments("APP_NAME=My Shop App #", "APP_NAME", "My Shop App"),
                arguments("PASSWORD=p#ss#word", "PASSWORD", "p#ss#word"),
                arguments("PASSWORD=#hash", "PASSWORD", "#hash"),
                arguments("CHANNEL=#general # the team's", "CHANNEL", "#general"),
                // empty values
                arguments("EMPTY=", "EMPTY", ""),
                arguments("EMPTY=   ", "EMPTY", ""),
                arguments("EMPTY= # nothing here", "EMPTY", ""),
                arguments("EMPTY=''", "EMPTY", ""),
                arguments("EMPTY=\"\"", "EMPTY", ""),
                // export, as shells and `heroku config --shell | sed 's/^/export /'` write it
                arguments("export APP_NAME=My Shop App", "APP_NAME", "My Shop App"),
                arguments("  export\tAPP_NAME  =  My Shop App  ", "APP_NAME", "My Shop App"),
                arguments("export=not a prefix", "export", "not a prefix"),
                arguments("lower_case=ok", "lower_case", "ok"),
                // heroku config --shell: single-quoted shell words, with '\'' for a quote
                arguments("QUOTE='it'\\''s'", "QUOTE", "it's"),
                arguments("DATABASE_URL='postgres://u:p#w@h:5432/d'", "DATABASE_URL", "postgres://u:p#w@h:5432/d"),
                arguments("SPACES='My Shop App'", "SPACES", "My Shop App"),
                arguments("LITERAL='a \"b\" $c \\n ${d}'", "LITERAL", "a \"b\" $c \\n ${d}"),
                arguments("QUOTED='x' # comment", "QUOTED", "x"),
                arguments("JOINED='a'\"b\"c", "JOINED", "abc"),
                // in single quotes \\ is one backslash (heroku config --shell writes it so); a lone one is literal
                arguments("WINDOWS='C:\\\\path x'", "WINDOWS", "C:\\path x"),
                arguments("LONE='C:\\path x'", "LONE", "C:\\path x"),
                arguments("THREE='a\\\\\\b'", "THREE", "a\\\\b"),
                // backquotes are quotes, as Node's dotenv reads them: literal, and the value may hold ' and "
                arguments("BACKQUOTED=`say \"hi\", it's`", "BACKQUOTED", "say \"hi\", it's"),
                arguments("BACKQUOTED=`C:\\\\x $y \\n` # comment", "BACKQUOTED", "C:\\\\x $y \\n"),
                arguments("BACKQUOTED=``", "BACKQUOTED", ""),
                // double quotes take \" \\ \n \t \r escapes
                arguments("DOUBLE=\"a \\\"b\\\" \\\\ \\n\\t\"", "DOUBLE", "a \"b\" \\ \n\t"),
                arguments("DOUBLE=\"x\" # comment", "DOUBLE", "x"),
                arguments("PADDED=\"  padded  \"", "PADDED", "  padded  "),
                arguments("HASH=\"p # not a comment\"", "HASH", "p # not a comment"),
                // line ends and byte order mark
                arguments("APP_NAME=My Shop App\r\n", "APP_NAME", "My Shop App"),
                arguments("QUOTE='x'\r\n", "QUOTE", "x"),
                arguments("APP_NAME=My Shop App", "APP_NAME", "My Shop App"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("lines")
    void each_line_gives_its_value(String line, String name, String value) {
        EnvFile.Parsed parsed = EnvFile.parse("BEFORE=1\n" + line + "\nAFTER=2\n");
        assertThat(parsed.skipped()).isEmpty();
        assertThat(parsed.vars()).containsEntry(name, value).containsEntry("BEFORE", "1").containsEntry("AFTER", "2");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("lines")
    void each_line_gives_its_value_alone_without_a_final_line_end(String line, String name, String value) {
        EnvFile.Parsed parsed = EnvFile.parse(line);
        assertThat(parsed.skipped()).isEmpty();
        assertThat(parsed.vars()).containsExactly(entry(name, value));
    }

    /** A line that cannot be read, the name it must be reported under (null: none) and the problem. */
    static Stream<Arguments> unreadable() {
        return Stream.of(
                arguments("DATABASE_URL postgres://u:secretpw@h/d", null, "no '='"),
                arguments("just some words secretpw", null, "no '='"),
                arguments("secretpw", null, "no '='"),
                arguments("export", null, "no '='"),
                arguments("9LIVES=secretpw", null, "not a config var name"),
                arguments("DATABASE-URL=secretpw", null, "not a config var name"),
                arguments("=secretpw", null, "not a config var name"),
                arguments("export 9LIVES=secretpw", null, "not a config var name"),
                arguments("DATABASE_URL='postgres://u:secretpw@h/d", "DATABASE_URL", "single-quoted value is never closed"),
                arguments("DATABASE_URL=\"postgres://u:secretpw@h/d", "DATABASE_URL", "double-quoted value is never closed"),
                arguments("DATABASE_URL=`postgres://u:secretpw@h/d", "DATABASE_URL", "backquoted value is never closed"),
                arguments("DATABASE_URL=\"postgres://u:secretpw@h/d\" trailing", "DATABASE_URL", "text after the closing quote"),
                arguments("DATABASE_URL='postgres://u:secretpw@h/d' secretpw", "DATABASE_URL", "text after the closing quote"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("unreadable")
    void a_line_that_cannot_be_read_is_reported_by_number_and_name_and_skipped(String line, String name, String problem) {
        EnvFile.Parsed parsed = EnvFile.parse("BEFORE=1\n" + line + "\nAFTER=2\n");
        assertThat(parsed.vars()).containsExactly(entry("BEFORE", "1"), entry("AFTER", "2"));
        assertThat(parsed.skipped()).singleElement().satisfies(skipped -> {
            assertThat(skipped.line()).isEqualTo(2);
            assertThat(skipped.name()).isEqualTo(name);
            assertThat(skipped.problem()).contains(problem).doesNotContain("secretpw").doesNotContain("postgres");
            assertThat(skipped.toString()).startsWith("line 2").doesNotContain("secretpw");
        });
    }

    @Test
    void the_issues_file_gives_every_var_and_every_other_line_is_used_around_broken_ones() {
        EnvFile.Parsed parsed = EnvFile.parse("""
                # credentials
                DATABASE_URL='postgres://u:p@h:5432/d'
                APP_NAME=My Shop App
                BROKEN="never closed
                ANALYST_URL=postgres://a:b@h/d   # the limited one
                this line is not an assignment
                export PORT = 5000
                """);
        assertThat(parsed.vars()).containsExactly(
                entry("DATABASE_URL", "postgres://u:p@h:5432/d"),
                entry("APP_NAME", "My Shop App"),
                entry("ANALYST_URL", "postgres://a:b@h/d"),
                entry("PORT", "5000"));
        assertThat(parsed.skipped()).extracting(EnvFile.SkippedLine::line, EnvFile.SkippedLine::name)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(4, "BROKEN"), org.assertj.core.groups.Tuple.tuple(6, null));
    }

    @Test
    void quoted_values_may_span_lines_and_line_numbers_count_them() {
        EnvFile.Parsed parsed = EnvFile.parse("A=\"line one\nline two\"\nB='x\ny'\nC=after\nD=\"open\nE=last\n");
        assertThat(parsed.vars()).containsEntry("A", "line one\nline two").containsEntry("B", "x\ny")
                .containsEntry("C", "after").containsEntry("E", "last").doesNotContainKey("D");
        assertThat(parsed.skipped()).singleElement().satisfies(skipped -> {
            assertThat(skipped.line()).isEqualTo(6);
            assertThat(skipped.name()).isEqualTo("D");
        });
    }

    @Test
    void a_quote_still_open_where_a_file_ends_without_a_line_end_is_a_file_being_written_and_refused_whole() {
        assertThatThrownBy(() -> EnvFile.parse("DATABASE_URL='postgres://u:p@h/d'\nANALYST_URL='postgres://u:secretpw@h"))
                .isInstanceOf(EnvFileException.class)
                .hasMessageStartingWith("line 2 (ANALYST_URL): the single-quoted value is never closed")
                .hasMessageContaining("still being written")
                .message().doesNotContain("secretpw");
        // the same line in a file that ends with a line end is a broken line: skipped, the rest used
        assertThat(EnvFile.parse("DATABASE_URL='postgres://u:p@h/d'\nANALYST_URL='postgres://u:secretpw@h\n").vars())
                .containsOnlyKeys("DATABASE_URL");
    }

    @Test
    void crlf_line_ends_and_a_byte_order_mark_are_fine_and_the_last_duplicate_wins() {
        assertThat(EnvFile.parse("\uFEFFA=1\r\nB=two words\r\nA=3\r\n").vars())
                .containsExactly(entry("A", "3"), entry("B", "two words"));
        assertThat(EnvFile.parse("\uFEFFAPP_NAME=My Shop App\r\n").vars()).containsExactly(entry("APP_NAME", "My Shop App"));
    }

    @Test
    void comments_and_blank_lines_give_nothing() {
        EnvFile.Parsed parsed = EnvFile.parse("# a comment\n\n   \n\t# indented comment\n#A=1\n");
        assertThat(parsed.vars()).isEmpty();
        assertThat(parsed.skipped()).isEmpty();
    }

    @Test
    void a_file_with_nul_bytes_is_not_text_and_is_refused_whole() {
        assertThatThrownBy(() -> EnvFile.parse("A=1\0B=secretpw"))
                .isInstanceOf(EnvFileException.class)
                .hasMessageContaining("NUL")
                .message().doesNotContain("secretpw");
    }

    /**
     * A quote left open by mistake: a file, the line it opens on, the var it names, and what every
     * other line must give. The quote is closed only by a stray quote (or never), and the lines it
     * runs over are assignments: its own line is skipped, never the ones after it.
     */
    static Stream<Arguments> quotesLeftOpen() {
        String url = "postgres://u:secretpw@host/db";
        String leftOpen = "not closed on it";
        return Stream.of(
                // the review's input: GREETING must not swallow DATABASE_URL; TITLE keeps its stray quote
                arguments("GREETING=\"Hello\nDATABASE_URL=" + url + "\nTITLE=Shop\"\n", 1, "GREETING", leftOpen,
                        Map.of("DATABASE_URL", url, "TITLE", "Shop\"")),
                arguments("GREETING='Hello\nDATABASE_URL=" + url + "\nTITLE=Shop'\n", 1, "GREETING", leftOpen,
                        Map.of("DATABASE_URL", url, "TITLE", "Shop'")),
                arguments("GREETING=`Hello\nDATABASE_URL=" + url + "\nTITLE=Shop`\n", 1, "GREETING", leftOpen,
                        Map.of("DATABASE_URL", url, "TITLE", "Shop`")),
                arguments("A=1\r\nGREETING=\"Hello\r\nexport DATABASE_URL = " + url + "\r\nTITLE=Shop\"\r\n", 2, "GREETING",
                        leftOpen, Map.of("A", "1", "DATABASE_URL", url, "TITLE", "Shop\"")),
                // the assignment is the line the stray quote closes on
                arguments("GREETING=\"Hello\nDATABASE_URL=" + url + "\"\nTITLE=Shop\n", 1, "GREETING", leftOpen,
                        Map.of("DATABASE_URL", url + "\"", "TITLE", "Shop")),
                // a blank line first, then an assignment
                arguments("NOTE=\"first\n\n  DATABASE_URL=" + url + "\nTITLE=Shop\"\n", 1, "NOTE", leftOpen,
                        Map.of("DATABASE_URL", url, "TITLE", "Shop\"")),
                // the next quote opens another value, closed on its own line: the first is never closed
                arguments("GREETING=\"Hello\nDATABASE_URL=\"" + url + "\"\n", 1, "GREETING", "never closed",
                        Map.of("DATABASE_URL", url)),
                arguments("GREETING=\"Hello\nDATABASE_URL=" + url + "\nTITLE=\"Shop\"\n", 1, "GREETING", "never closed",
                        Map.of("DATABASE_URL", url, "TITLE", "Shop")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("quotesLeftOpen")
    void a_quote_left_open_skips_its_own_line_and_every_later_line_is_read(String file, int line, String name,
                                                                            String problem, Map<String, String> vars) {
        EnvFile.Parsed parsed = EnvFile.parse(file);
        assertThat(parsed.vars()).containsExactlyInAnyOrderEntriesOf(vars);
        assertThat(parsed.skipped()).singleElement().satisfies(skipped -> {
            assertThat(skipped.line()).isEqualTo(line);
            assertThat(skipped.name()).isEqualTo(name);
            assertThat(skipped.problem()).contains(problem)
                    .doesNotContain("secretpw").doesNotContain("Hello").doesNotContain("DATABASE_URL");
        });
    }

    @Test
    void after_a_quote_left_open_the_lines_it_ran_over_are_read_one_by_one() {
        EnvFile.Parsed parsed = EnvFile.parse("NOTE=\"first\nsecond line\nDATABASE_URL=postgres://u:secretpw@h/d\nTITLE=Shop\"\n");
        assertThat(parsed.vars()).containsExactly(entry("DATABASE_URL", "postgres://u:secretpw@h/d"), entry("TITLE", "Shop\""));
        assertThat(parsed.skipped()).extracting(EnvFile.SkippedLine::toString).containsExactly(
                "line 1 (NOTE): the quote opened on this line is not closed on it, and line 3 after it is an assignment"
                        + " (NAME=...), so it is taken as a quote left open; write a value of several lines with \\n in double quotes",
                "line 2: no '=' after the first word; expected NAME=value");
    }

    @Test
    void two_quotes_left_open_in_a_row_are_each_skipped() {
        EnvFile.Parsed parsed = EnvFile.parse("A=\"one\nB=\"two\nC=three\"\nD=four\n");
        assertThat(parsed.vars()).containsExactly(entry("C", "three\""), entry("D", "four"));
        assertThat(parsed.skipped()).extracting(EnvFile.SkippedLine::line, EnvFile.SkippedLine::name)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "A"), org.assertj.core.groups.Tuple.tuple(2, "B"));
    }

    @Test
    void genuine_values_of_several_lines_still_work() {
        // a PEM block: base64 lines, the last padded with '=' (it reads as NAME= with no value: no assignment)
        String pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2Xk3Q9w+ab/cd0123456789ABCDEFGHIJKLMNOPQRSTUVWX\n"
                + "dGVzdGluZ19wYWRkaW5n\ndGVzdA==\naGVsbG8=\n-----END CERTIFICATE-----";
        String sql = "SELECT id\nFROM orders\nWHERE a = b AND c=d\n  -- x=1";
        EnvFile.Parsed parsed = EnvFile.parse("CERT=\"" + pem + "\"\nKEY='" + pem + "'\nQUERY=\"" + sql + "\"\nAFTER=1\n");
        assertThat(parsed.skipped()).isEmpty();
        assertThat(parsed.vars()).containsExactly(entry("CERT", pem), entry("KEY", pem), entry("QUERY", sql),
                entry("AFTER", "1"));
    }

    /**
     * What {@code heroku config --shell} writes for a value (heroku/cli, src/lib/config/quote.ts: bare
     * when no character needs quoting; else in double quotes with \" \\ \$ \` \! and \n when the value
     * holds ' or a line end; else in single quotes with \\ for a backslash), and that value.
     */
    static Stream<Arguments> herokuShellOutput() {
        return Stream.of(
                arguments("abc", "abc"),
                arguments("a-b.c/d%20+e~_9", "a-b.c/d%20+e~_9"),
                arguments("", ""),
                arguments("'My Shop App'", "My Shop App"),
                arguments("'C:\\\\path x'", "C:\\path x"),
                arguments("'C:\\\\\\\\share\\\\dir'", "C:\\\\share\\dir"),
                arguments("'trailing\\\\'", "trailing\\"),
                arguments("'\\\\'", "\\"),
                arguments("'a\\\\nb'", "a\\nb"),
                arguments("'ab$c ${HOME}'", "ab$c ${HOME}"),
                arguments("'say \"hi\"'", "say \"hi\""),
                arguments("'\"'", "\""),
                arguments("'a`b`c'", "a`b`c"),
                arguments("'hi!'", "hi!"),
                arguments("'#general'", "#general"),
                arguments("'p#ss'", "p#ss"),
                arguments("'postgres://u:p@h:5432/d?sslmode=require'", "postgres://u:p@h:5432/d?sslmode=require"),
                arguments("'a=b'", "a=b"),
                arguments("'tab\there'", "tab\there"),
                arguments("'cr\rhere'", "cr\rhere"),
                arguments("'x\u00a0y'", "x\u00a0y"),
                arguments("'Café ☕'", "Café ☕"),
                arguments("\"it's\"", "it's"),
                arguments("\"'\"", "'"),
                arguments("\"it's C:\\\\new\"", "it's C:\\new"),
                arguments("\"line one\\nline two\"", "line one\nline two"),
                arguments("\"\\n\"", "\n"),
                arguments("\"it's\r\\nok\"", "it's\r\nok"),
                arguments("\"it's \\\"\\$5\\\" \\`x\\` \\!\\\\\"", "it's \"$5\" `x` !\\"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("herokuShellOutput")
    void every_value_heroku_config_shell_writes_reads_back_as_the_original(String written, String original) {
        EnvFile.Parsed parsed = EnvFile.parse("BEFORE=1\nVALUE=" + written + "\nAFTER=2\n");
        assertThat(parsed.skipped()).isEmpty();
        assertThat(parsed.vars()).containsExactly(entry("BEFORE", "1"), entry("VALUE", original), entry("AFTER", "2"));
    }

    @Test
    void heroku_config_shell_output_is_read_whole() {
        // as `heroku config --shell` writes it: a URL is quoted for its ':' and '@', a value with ' in double quotes
        Map<String, String> vars = EnvFile.parse("""
                DATABASE_URL='postgres://u7ab:p9f3@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8k2'
                HEROKU_POSTGRESQL_RED_URL='postgres://u7ab:p9f3@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8k2'
                APP_NAME='My Shop App'
                MOTTO="it's ours"
                SHARE='\\\\\\\\server\\\\share'
                EMPTY=
                """).vars();
        assertThat(vars).containsEntry("APP_NAME", "My Shop App").containsEntry("MOTTO", "it's ours")
                .containsEntry("SHARE", "\\\\server\\share").containsEntry("EMPTY", "")
                .containsEntry("DATABASE_URL", "postgres://u7ab:p9f3@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8k2")
                .containsKey("HEROKU_POSTGRESQL_RED_URL");
    }
}
