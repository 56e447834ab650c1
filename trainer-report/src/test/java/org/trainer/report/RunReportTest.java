package org.trainer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.Shuffle;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.monitor.Profiler;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Callback;
import org.trainer.core.train.Finding;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.core.train.TrainingContext;
import org.trainer.optim.SGD;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** A report of a real run on the digits: every section, well-formed and self-contained, charts that decode, text escaped. */
class RunReportTest {
    private static final String NASTY = "<script>alert(\"x\")</script> & 'co'";
    private static History history;
    private static Profiler profiler;

    /** Stands in for a rule: records a finding at step 30, as the monitor's rules do during a run. */
    static final class FindingAt implements Callback {
        @Override
        public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
            if (ctx.iteration() == 30) {
                ctx.history().addFinding(new Finding("Scripted" + NASTY, Finding.Severity.WARNING, ctx.epoch(),
                        ctx.iteration(), "message " + NASTY, Map.of("loss " + NASTY, loss)));
            }
        }
    }

    @BeforeAll
    static void train() {
        Seeds.set(1);
        TensorDataset all = Digits.load();
        int[] order = Shuffle.permutation(all.size(), 7, 0);
        DataLoader train = DataLoader.builder(all.subset(Arrays.copyOfRange(order, 0, 1300))).batchSize(32)
                .shuffle(true).seed(3).build();
        DataLoader val = DataLoader.builder(all.subset(Arrays.copyOfRange(order, 1300, order.length)))
                .batchSize(500).build();
        Sequential model = new Sequential(new Linear(64, 128), new Activation.ReLU(), new Dropout(0.7),
                new Linear(128, 10));
        profiler = new Profiler(5);
        history = new Trainer().metrics(Accuracy::new).recordStepLosses(true).profiler(profiler)
                .callbacks(new FindingAt())
                .schedule((base, epoch) -> epoch < 3 ? base : base * 0.1)
                .fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.05, 0.9, 0), train, val, 5);
    }

    private static String html() {
        return RunReport.of("digits " + NASTY, history).profile(profiler.report()).setting("optimizer " + NASTY,
                "SGD " + NASTY).toHtml();
    }

    private static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        return b.parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void everySectionIsThereInAWellFormedDocument() throws Exception {
        String html = html();
        assertTrue(html.startsWith("<!DOCTYPE html>\n"), html.substring(0, 40));
        Document doc = parse(html);
        assertEquals("html", doc.getDocumentElement().getTagName());
        List<String> ids = new ArrayList<>();
        NodeList sections = doc.getElementsByTagName("section");
        for (int i = 0; i < sections.getLength(); i++) {
            ids.add(((Element) sections.item(i)).getAttribute("id"));
        }
        assertEquals(List.of("summary", "curves", "learning-rate", "findings", "profile", "diagnosis"), ids);
        // Loss and accuracy curves, learning rate, the findings timeline and the profile split.
        assertEquals(5, doc.getElementsByTagName("img").getLength());
        assertTrue(html.contains("data wait"), "the profile table");
        assertTrue(html.contains("the profiler skipped the first 5 as warm-up"), "the steps left out are explained");
        // The run used heavy dropout: the diagnosis names it and calls it expected.
        assertTrue(html.contains("validation better than training (expected)"), html);
        assertTrue(html.contains("Likely causes:") && html.contains("Fixes:"));
    }

    @Test
    void selfContainedWithChartsThatDecodeAsPng() throws Exception {
        String html = html();
        assertFalse(html.contains("://"), "no URL of any kind");
        Document doc = parse(html);
        for (String tag : List.of("link", "script", "iframe", "object", "embed")) {
            assertEquals(0, doc.getElementsByTagName(tag).getLength(), tag);
        }
        NodeList imgs = doc.getElementsByTagName("img");
        for (int i = 0; i < imgs.getLength(); i++) {
            String src = ((Element) imgs.item(i)).getAttribute("src");
            assertTrue(src.startsWith("data:image/png;base64,"), src.substring(0, 30));
            byte[] png = Base64.getDecoder().decode(src.substring("data:image/png;base64,".length()));
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertNotNull(image, "image " + i + " decodes");
            assertEquals(Charts.WIDTH, image.getWidth());
            assertEquals(Charts.HEIGHT, image.getHeight());
            assertFalse(((Element) imgs.item(i)).getAttribute("alt").isEmpty());
        }
    }

    @Test
    void textFromTheRunIsEscaped() throws Exception {
        String html = html();
        assertFalse(html.contains("<script"), "no raw markup from the run");
        String escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;";
        assertTrue(html.contains("<title>digits " + escaped + "</title>"), "title");
        assertTrue(html.contains("message " + escaped), "finding message");
        assertTrue(html.contains("Scripted" + escaped), "rule name");
        assertTrue(html.contains("<th>optimizer " + escaped + "</th><td>SGD " + escaped + "</td>"), "setting");
        // And the parsed text is the original.
        Document doc = parse(html);
        assertEquals("digits " + NASTY, doc.getElementsByTagName("title").item(0).getTextContent());
        assertEquals("\uFFFDa\tb", Html.escape("\u0001a\tb"), "control characters are not allowed in HTML");
    }

    @Test
    void theFileIsWrittenAtomically(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("reports/run.html");
        Path written = RunReport.of("first", history).write(file);
        assertEquals(file.toAbsolutePath(), written);
        assertTrue(Files.readString(file).contains("<title>first</title>"));
        if (Files.getFileStore(file).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
            assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(file)), "an ordinary document, not a private temporary file");
        }
        RunReport.of("second", history).write(file);
        assertTrue(Files.readString(file).contains("<title>second</title>"), "replaced whole");
        try (Stream<Path> s = Files.list(file.getParent())) {
            assertEquals(List.of(file), s.toList(), "no temporary file left beside it");
        }
        // A directory in the way: an error naming the file, nothing written.
        Path blocked = dir.resolve("blocked");
        Files.createDirectories(blocked.resolve("child"));
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> RunReport.of("x", history).write(blocked));
        assertTrue(e.getMessage().startsWith("RunReport.write: cannot write " + blocked), e.getMessage());
        assertTrue(Files.isDirectory(blocked.resolve("child")));
    }

    @Test
    void anEmptyOrUnprofiledRunStillGivesEverySection() throws Exception {
        String html = RunReport.of("nothing yet", new History()).toHtml();
        Document doc = parse(html);
        assertEquals(6, doc.getElementsByTagName("section").getLength());
        assertTrue(html.contains("This run was not profiled"), html);
        assertTrue(html.contains("No rule reported anything"), html);
        assertEquals("RunReport: title is null",
                assertThrows(NullPointerException.class, () -> RunReport.of(null, history)).getMessage());
    }

    @Test
    void identicalFindingsAreOneRowWithTheirCount() {
        History h = new History();
        h.addEpoch(Map.of("loss", 1.0));
        for (int i = 0; i < 6; i++) {
            h.addFinding(new Finding("DeadRelu", Finding.Severity.WARNING, 0, 10 + i, "ReLU 1 is dead", Map.of()));
        }
        h.addFinding(new Finding("DeadRelu", Finding.Severity.WARNING, 0, 30, "ReLU 3 is dead", Map.of()));
        String all = RunReport.of("grouped", h).toHtml();
        String html = all.substring(all.indexOf("<section id=\"findings\">"), all.indexOf("<section id=\"profile\">"));
        assertEquals(1, html.split("ReLU 1 is dead", -1).length - 1, "one row for the six: " + html);
        assertTrue(html.contains("<td>10 (also at 11, 12, 13, 14, 15)</td><td>6</td>"), html);
        assertTrue(html.contains("<td>30</td><td>1</td>"), html);
    }
}
