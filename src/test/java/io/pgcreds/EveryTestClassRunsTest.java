package io.pgcreds;

import org.junit.jupiter.api.Test;
import org.junit.platform.commons.annotation.Testable;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard against tests that never run: surefire runs {@code *Test} classes and failsafe
 * {@code *IT} classes (pom.xml), so a class with tests under any other name is skipped without a
 * word. A test is a method with an annotation that JUnit Platform marks {@link Testable}: Jupiter's
 * {@code @Test}, {@code @ParameterizedTest}, {@code @RepeatedTest}, {@code @TestFactory}, jqwik's
 * {@code @Property} and {@code @Example}, and any engine's to come. Nested classes count for the
 * top-level class that runs them.
 */
class EveryTestClassRunsTest {

    @Test
    void every_class_with_tests_is_named_for_surefire_or_failsafe() throws Exception {
        Path classes = Path.of(EveryTestClassRunsTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> withTests = classNames(classes).stream().filter(EveryTestClassRunsTest::hasTests)
                .map(name -> name.replaceFirst("\\$.*", "")).distinct().sorted().toList();
        System.out.println("[figure] test classes found: " + withTests.size());
        assertThat(withTests).as("test classes found").hasSizeGreaterThan(20);
        assertThat(withTests).as("classes with tests that neither surefire (*Test) nor failsafe (*IT) would run")
                .allMatch(name -> name.endsWith("Test") || name.endsWith("IT"));
    }

    private static List<String> classNames(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> file.toString().endsWith(".class"))
                    .map(file -> root.relativize(file).toString().replace('/', '.').replaceFirst("\\.class$", ""))
                    .toList();
        }
    }

    private static boolean hasTests(String className) {
        Class<?> type;
        try {
            type = Class.forName(className, false, EveryTestClassRunsTest.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
        for (Method method : type.getDeclaredMethods()) {
            for (Annotation annotation : method.getAnnotations()) {
                if (testable(annotation.annotationType(), new HashSet<>())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the annotation is {@code @Testable} or carries it, however deep (e.g. {@code @ParameterizedTest}). */
    private static boolean testable(Class<? extends Annotation> type, Set<Class<?>> seen) {
        if (type == Testable.class) {
            return true;
        }
        if (!seen.add(type)) {
            return false;
        }
        for (Annotation meta : type.getAnnotations()) {
            if (testable(meta.annotationType(), seen)) {
                return true;
            }
        }
        return false;
    }
}
