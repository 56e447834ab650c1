package org.trainer.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The figures the README's example table gives for the small examples, checked against what the
 * examples print when run: a figure that drifts fails here, naming the README's value and the
 * printed one. (The long examples are checked by {@code examples/readme_figures.py}, run before a
 * release.) A README figure matches when it is the printed value rounded to the README's decimals.
 */
class ReadmeFiguresTest {
    private static final Path README = Path.of("..", "README.md");

    /** A figure: how the example prints it and how the README states it (group 1 of each). */
    private record Figure(String what, String printed, String readme) {
    }

    @Test
    void digitsQuickstart() throws IOException {
        check(DigitsQuickstart::main, List.of(
                new Figure("test accuracy", "test accuracy: (\\d\\.\\d+)", "prints the test accuracy\\s+\\((\\d\\.\\d+)\\)")));
    }

    @Test
    void imbalancedDigits() throws IOException {
        String row = "\\s+\\d+\\s+\\d+\\s+\\d+\\s+(\\d\\.\\d+)";
        check(ImbalancedDigits::main, List.of(
                new Figure("plain recall", "  plain" + row, "plain \\((\\d\\.\\d+)\\)"),
                new Figure("class weights recall", "balanced class weights" + row, "class weights \\((\\d\\.\\d+)\\)"),
                new Figure("sampler recall", "weighted sampler" + row, "weighted sampler \\((\\d\\.\\d+)\\)"),
                new Figure("SMOTE recall", "SMOTE \\(k = 5\\)" + row, "SMOTE \\((\\d\\.\\d+)\\)")));
    }

    @Test
    void sunspotsWalkForward() throws IOException {
        String testRow = "\\ntest \\(held out\\)\\s+\\d+-\\d+\\s+\\d+\\s+";
        check(SunspotsWalkForward::main, List.of(
                new Figure("test RMSE", testRow + "(\\d+\\.\\d+)", "test RMSE (\\d+\\.\\d+) vs"),
                new Figure("persistence RMSE", testRow + "\\d+\\.\\d+\\s+(\\d+\\.\\d+)", "test RMSE \\d+\\.\\d+ vs (\\d+\\.\\d+)")));
    }

    @Test
    void earlyStoppingDigits() throws IOException {
        check(EarlyStoppingDigits::main, List.of(
                new Figure("stopping epoch", "stopped after epoch (\\d+)", "stops after epoch (\\d+)"),
                new Figure("best epoch", "best epoch (\\d+)", "\\(best (\\d+);"),
                new Figure("best training loss", "best epoch +\\d+: training loss (\\d\\.\\d+)", "training loss (\\d\\.\\d+) ->"),
                new Figure("last training loss", "last epoch +\\d+: training loss (\\d\\.\\d+)", "training loss \\d\\.\\d+ -> (\\d\\.\\d+)"),
                new Figure("best validation loss", "best epoch +\\d+: .*validation loss (\\d\\.\\d+)", "validation loss (\\d\\.\\d+) ->"),
                new Figure("last validation loss", "last epoch +\\d+: .*validation loss (\\d\\.\\d+)", "validation loss \\d\\.\\d+ -> (\\d\\.\\d+)")));
    }

    /** Runs an example's main with standard output captured, then compares each figure with the README's. */
    private static void check(Consumer<String[]> main, List<Figure> figures) throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream before = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            main.accept(new String[0]);
        } finally {
            System.setOut(before);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        for (Figure f : figures) {
            String printed = find(f.printed(), out, f.what() + " in the example's output");
            String stated = find(f.readme(), readme, f.what() + " in README.md");
            assertTrue(matches(stated, printed), f.what() + ": README.md says " + stated + ", the example prints "
                    + printed + " (update the README from a fresh run)");
        }
    }

    /**
     * Whether {@code stated} is {@code printed} rounded to the decimals of {@code stated}: within half
     * a unit of its last digit, plus half a unit of the printed value's last digit when that has more
     * decimals (the printed value is itself rounded).
     */
    static boolean matches(String stated, String printed) {
        int d = decimals(stated);
        int p = decimals(printed);
        double tolerance = Math.pow(10, -d) / 2 + (p > d ? Math.pow(10, -p) / 2 : 0) + 1e-12;
        return Math.abs(Double.parseDouble(stated) - Double.parseDouble(printed)) <= tolerance;
    }

    private static int decimals(String number) {
        int dot = number.indexOf('.');
        return dot < 0 ? 0 : number.length() - dot - 1;
    }

    private static String find(String regex, String text, String what) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            fail("no " + what + " (pattern " + regex + ")");
        }
        return m.group(1);
    }

    @Test
    void aFigureMatchesOnlyWhenItIsThePrintedValueRounded() {
        assertTrue(matches("0.97", "0.9722"));
        assertTrue(matches("18.9", "18.93"));
        assertFalse(matches("0.945", "0.9462"));
        assertFalse(matches("26", "27"));
    }
}
