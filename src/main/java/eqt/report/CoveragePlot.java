package eqt.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Data coverage as {@code obspy-scan} draws it: a row per stream, a bar where it has data, the gaps left empty and
 * marked in red beneath, time along the bottom. Drawn with Java2D (one rectangle per stretch: XChart has no
 * such chart), headless.
 */
public final class CoveragePlot {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** A stream and the stretches {@code [from, to]} it has data for, in time order. */
    public record Row(String id, List<Instant[]> covered) {
    }

    private CoveragePlot() {
    }

    public static void write(List<Row> rows, Path png) {
        Instant t0 = null, t1 = null;
        for (Row r : rows) {
            for (Instant[] c : r.covered()) {
                if (t0 == null || c[0].isBefore(t0)) t0 = c[0];
                if (t1 == null || c[1].isAfter(t1)) t1 = c[1];
            }
        }
        if (t0 == null) throw new IllegalArgumentException("nothing to draw");
        double span = Math.max(1e-3, Duration.between(t0, t1).toMillis() / 1000.0);
        int left = 190, right = 30, top = 30, rowH = 26, width = 1200;
        int height = top + rows.size() * rowH + 60, plotW = width - left - right;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int k = 0; k < rows.size(); k++) {
            Row r = rows.get(k);
            int y = top + k * rowH;
            g.setColor(Color.DARK_GRAY);
            g.drawString(r.id(), 8, y + 16);
            g.setColor(new Color(0xF3, 0xC0, 0xC0)); // gaps: the row's whole span, painted over by its data
            g.fillRect(left, y + 18, plotW, 3);
            g.setColor(new Color(0x2E, 0x6F, 0xB0));
            for (Instant[] c : r.covered()) {
                int x0 = left + (int) Math.round(Duration.between(t0, c[0]).toMillis() / 1000.0 / span * plotW);
                int x1 = left + (int) Math.round(Duration.between(t0, c[1]).toMillis() / 1000.0 / span * plotW);
                g.fillRect(x0, y + 4, Math.max(1, x1 - x0), 14);
            }
        }
        int axisY = top + rows.size() * rowH + 6;
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1));
        g.drawLine(left, axisY, left + plotW, axisY);
        for (int i = 0; i <= 4; i++) {
            int x = left + plotW * i / 4;
            g.drawLine(x, axisY, x, axisY + 5);
            String label = t0.plusMillis(Math.round(span * 1000 * i / 4)).toString().replace("T", " ");
            g.drawString(label, Math.max(2, Math.min(width - 190, x - 80)), axisY + 20);
        }
        g.dispose();
        try {
            ImageIO.write(img, "png", png.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
