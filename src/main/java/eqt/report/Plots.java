package eqt.report;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG figures through XChart: the loss curve and true-vs-predicted source waveforms. */
public final class Plots {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /** Every batch loss, clipped at {@code clip} as the reference does, against the batch number. */
    public static void lossCurve(List<Float> losses, double clip, Path png) {
        double[] x = new double[losses.size()];
        double[] y = new double[losses.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
            y[i] = Math.min(clip, losses.get(i));
        }
        XYChart chart = new XYChartBuilder().width(900).height(500).title("training loss (clipped at " + clip + ")")
                .xAxisTitle("batch").yAxisTitle("MSE").build();
        chart.getStyler().setLegendVisible(false);
        XYSeries s = chart.addSeries("loss", x, y);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(Color.BLUE);
        save(chart, png);
    }

    /** The reference's inference figure: true source (blue) and predicted source (red) over one window. */
    public static void waveform(double[] truth, double[] predicted, String title, Path png) {
        double[] t = new double[truth.length];
        for (int i = 0; i < t.length; i++) t[i] = i;
        XYChart chart = new XYChartBuilder().width(1000).height(450).title(title).xAxisTitle("sample")
                .yAxisTitle("amplitude").build();
        XYSeries a = chart.addSeries("true source", t, truth);
        a.setMarker(SeriesMarkers.NONE);
        a.setLineColor(Color.BLUE);
        XYSeries b = chart.addSeries("predicted source", t, predicted);
        b.setMarker(SeriesMarkers.NONE);
        b.setLineColor(Color.RED);
        save(chart, png);
    }

    /** Several estimates of one waveform over each other, the first (the truth) in black. */
    public static void waveforms(Map<String, double[]> series, String title, Path png) {
        XYChart chart = new XYChartBuilder().width(1100).height(450).title(title).xAxisTitle("sample")
                .yAxisTitle("amplitude").build();
        Color[] colours = {Color.BLACK, Color.RED, Color.BLUE, Color.GREEN.darker()};
        int i = 0;
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            double[] t = new double[e.getValue().length];
            for (int k = 0; k < t.length; k++) t[k] = k;
            XYSeries s = chart.addSeries(e.getKey(), t, e.getValue());
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(colours[i++ % colours.length]);
        }
        save(chart, png);
    }

    /** Grouped bars: one group per category (channel), one bar per method. */
    public static void bars(List<String> categories, Map<String, List<Double>> values, String title, String yAxis,
                            Path png) {
        CategoryChart chart = new CategoryChartBuilder().width(1100).height(500).title(title).xAxisTitle("channel")
                .yAxisTitle(yAxis).build();
        for (Map.Entry<String, List<Double>> e : values.entrySet()) chart.addSeries(e.getKey(), categories, e.getValue());
        save(chart, png);
    }

    private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path png) {
        try {
            String name = png.toString();
            BitmapEncoder.saveBitmap(chart, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
                    BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
