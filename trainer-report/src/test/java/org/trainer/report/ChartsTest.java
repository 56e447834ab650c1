package org.trainer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.junit.jupiter.api.Test;
import org.trainer.core.train.Finding;
import org.trainer.core.train.History;

/** The charts' axes and labels on hand-made histories. */
class ChartsTest {

    private static History history(double[] epochLoss, double lr) {
        History h = new History();
        for (double v : epochLoss) {
            h.addEpoch(Map.of("loss", v, "lr", lr));
        }
        return h;
    }

    private static List<Double> list(double... v) {
        return java.util.Arrays.stream(v).boxed().toList();
    }

    /** The tick labels the range axis draws at the report's size. */
    private static List<String> tickLabels(JFreeChart chart) {
        BufferedImage img = new BufferedImage(Charts.WIDTH, Charts.HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        ChartRenderingInfo info = new ChartRenderingInfo();
        chart.draw(g, new Rectangle2D.Double(0, 0, Charts.WIDTH, Charts.HEIGHT), info);
        ValueAxis axis = chart.getXYPlot().getRangeAxis();
        List<String> out = new ArrayList<>();
        for (Object t : axis.refreshTicks(g, new AxisState(), info.getPlotInfo().getDataArea(), RectangleEdge.LEFT)) {
            if (t instanceof NumberTick n && !n.getText().isEmpty()) {
                out.add(n.getText());
            }
        }
        g.dispose();
        return out;
    }

    private static String subtitles(JFreeChart chart) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < chart.getSubtitleCount(); i++) {
            if (chart.getSubtitle(i) instanceof TextTitle t) {
                sb.append(t.getText()).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void aConstantLearningRateGetsDistinctTickLabels() {
        JFreeChart chart = Charts.learningRate(history(new double[] {1, 0.5, 0.3}, 0.05));
        List<String> labels = tickLabels(chart);
        assertTrue(labels.size() >= 3, labels::toString);
        assertEquals(labels.size(), new HashSet<>(labels).size(), () -> "repeated tick labels: " + labels);
    }

    @Test
    void theLossAxisFollowsTheEpochCurvesAndNotesTheClippedSteps() {
        double[] steps = new double[40];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = 0.3 + (i % 2 == 0 ? 0.2 : -0.2);
        }
        steps[3] = 6e9;
        JFreeChart chart = Charts.curve("loss", list(steps), list(0.5, 0.35, 0.3, 0.28), null);
        ValueAxis axis = chart.getXYPlot().getRangeAxis();
        assertFalse(axis instanceof LogAxis);
        assertTrue(axis.getUpperBound() < 1, () -> "upper bound " + axis.getUpperBound());
        assertTrue(axis.getLowerBound() <= 0.1, () -> "the per-step noise stays in view: " + axis.getLowerBound());
        String notes = subtitles(chart);
        assertTrue(notes.contains("1 of 40 lie outside and are clipped (1 above, up to 6.000e+09)"),
                notes);
    }

    @Test
    void aDivergedRunsEpochCurveGetsALogAxis() {
        JFreeChart chart = Charts.curve("loss", List.of(), list(2.3, 1.5, 40, 6e9), list(2.2, 1.4, 38, 5e9));
        assertInstanceOf(LogAxis.class, chart.getXYPlot().getRangeAxis());
        assertEquals("", subtitles(chart), "nothing clipped");
    }

    @Test
    void findingsAtOneStepShareAMarkerAndNeighboursLabelsAreStaggered() {
        // Without per-step losses a finding sits at the end of its epoch.
        History h = history(new double[] {1, 0.8}, 0.1);
        List<Finding> fs = List.of(finding("DeadRelu", 0, Finding.Severity.WARNING),
                finding("WeightUpdateRatio", 0, Finding.Severity.WARNING),
                finding("WeightUpdateRatio", 0, Finding.Severity.WARNING),
                finding("ExplodingTensor", 0, Finding.Severity.ERROR),
                finding("VanishingGradient", 1, Finding.Severity.WARNING));
        JFreeChart chart = Charts.timeline(h, fs);
        List<Marker> markers = new ArrayList<>(chart.getXYPlot().getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND));
        assertEquals(2, markers.size());
        assertEquals("DeadRelu, WeightUpdateRatio x2, ExplodingTensor", markers.get(0).getLabel());
        assertEquals(Charts.severityColor(Finding.Severity.ERROR), markers.get(0).getPaint(), "the worst one's colour");
        assertTrue(markers.get(1).getLabelOffset().getTop() > markers.get(0).getLabelOffset().getTop(),
                "the neighbour's label sits lower");
    }

    private static Finding finding(String rule, int epoch, Finding.Severity s) {
        return new Finding(rule, s, epoch, 10L * (epoch + 1), rule + " saw something", Map.of());
    }
}
