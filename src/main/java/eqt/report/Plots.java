package eqt.report;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
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

    private static void save(XYChart chart, Path png) {
        try {
            String name = png.toString();
            BitmapEncoder.saveBitmap(chart, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
                    BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
