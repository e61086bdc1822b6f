package io.pgcreds.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses {@code KEY=value} files: dotenv files and the output of {@code heroku config --shell}.
 * Blank lines and {@code #} comments are skipped, an {@code export } prefix is allowed, and values
 * are shell words: unquoted, 'single-quoted' (literal), "double-quoted" (with \ escapes, may span
 * lines), or several of those run together, as in {@code 'it'\''s'}. A later key wins. Anything
 * else, including a quote left open at the end (a half-written file), is an error naming the line.
 * Stateless and thread-safe.
 */
public final class EnvFile {
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private EnvFile() {
    }

    public static Map<String, String> parse(String text) {
        if (text.indexOf('\0') >= 0) {
            throw new EnvFileException("the file contains NUL bytes; is it a text file?");
        }
        Map<String, String> vars = new LinkedHashMap<>();
        Cursor cursor = new Cursor(text.startsWith("\uFEFF") ? text.substring(1) : text);
        while (!cursor.atEnd()) {
            cursor.skipBlanks();
            if (cursor.atEnd()) {
                break;
            }
            char first = cursor.peek();
            if (first == '\n' || first == '\r') {
                cursor.next();
                continue;
            }
            if (first == '#') {
                cursor.skipToEndOfLine();
                continue;
            }
            int line = cursor.line;
            String key = cursor.word();
            if (key.equals("export") && cursor.peekIsBlank()) {
                cursor.skipBlanks();
                key = cursor.word();
            }
            if (!KEY.matcher(key).matches()) {
                throw new EnvFileException("line " + line + ": expected NAME=value with a name of letters, digits and '_'");
            }
            cursor.skipBlanks();
            if (cursor.atEnd() || cursor.peek() != '=') {
                throw new EnvFileException("line " + line + ": " + key + " has no '='");
            }
            cursor.next();
            cursor.skipBlanks();
            vars.put(key, cursor.value(key, line));
            cursor.skipBlanks();
            if (!cursor.atEnd() && cursor.peek() == '#') {
                cursor.skipToEndOfLine();
            }
            if (!cursor.atEnd() && cursor.peek() != '\n' && cursor.peek() != '\r') {
                throw new EnvFileException("line " + line + ": unexpected text after the value of " + key);
            }
        }
        return vars;
    }

    private static final class Cursor {
        private final String text;
        private int position;
        private int line = 1;

        Cursor(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return position >= text.length();
        }

        char peek() {
            return text.charAt(position);
        }

        boolean peekIsBlank() {
            return !atEnd() && (peek() == ' ' || peek() == '\t');
        }

        char next() {
            char ch = text.charAt(position++);
            if (ch == '\n') {
                line++;
            }
            return ch;
        }

        void skipBlanks() {
            while (peekIsBlank()) {
                position++;
            }
        }

        void skipToEndOfLine() {
            while (!atEnd() && peek() != '\n') {
                position++;
            }
        }

        String word() {
            int start = position;
            while (!atEnd() && peek() != '=' && peek() != ' ' && peek() != '\t' && peek() != '\n' && peek() != '\r') {
                position++;
            }
            return text.substring(start, position);
        }

        /** One shell word, up to an unquoted blank, line end or comment. */
        String value(String key, int line) {
            StringBuilder value = new StringBuilder();
            while (!atEnd()) {
                char ch = peek();
                if (ch == '\n' || ch == '\r' || ch == ' ' || ch == '\t') {
                    break;
                }
                if (ch == '#' && value.length() == 0) {
                    break;
                }
                next();
                if (ch == '\'') {
                    int close = text.indexOf('\'', position);
                    if (close < 0) {
                        throw unterminated(key, line, "single");
                    }
                    appendCounting(value, text.substring(position, close));
                    position = close + 1;
                } else if (ch == '"') {
                    doubleQuoted(value, key, line);
                } else if (ch == '\\' && !atEnd()) {
                    char escaped = next();
                    if (escaped != '\n') {
                        value.append(escaped);
                    }
                } else {
                    value.append(ch);
                }
            }
            return value.toString();
        }

        private void doubleQuoted(StringBuilder value, String key, int line) {
            while (true) {
                if (atEnd()) {
                    throw unterminated(key, line, "double");
                }
                char ch = next();
                if (ch == '"') {
                    return;
                }
                if (ch == '\\' && !atEnd()) {
                    char escaped = next();
                    switch (escaped) {
                        case 'n' -> value.append('\n');
                        case 't' -> value.append('\t');
                        case 'r' -> value.append('\r');
                        case '\n' -> { }
                        default -> value.append(escaped);
                    }
                } else {
                    value.append(ch);
                }
            }
        }

        private void appendCounting(StringBuilder value, String literal) {
            value.append(literal);
            literal.chars().filter(ch -> ch == '\n').forEach(ch -> line++);
        }

        private static EnvFileException unterminated(String key, int line, String kind) {
            return new EnvFileException("line " + line + ": the " + kind + "-quoted value of " + key
                    + " is never closed (a file still being written?)");
        }
    }
}
