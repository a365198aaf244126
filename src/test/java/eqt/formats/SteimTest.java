package eqt.formats;

import static org.junit.jupiter.api.Assertions.*;

import edu.iris.dmc.seedcodec.Codec;
import edu.iris.dmc.seedcodec.DecompressedData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Steim-1/2 decoder against IRIS's seedCodec, record by record, on every Steim record of the real files
 * (test resources and shared/realdata beside the repository: both byte orders, both encodings, data centres'
 * day files and ObsPy's and libmseed's test files); and a fault injected into a record is caught.
 */
class SteimTest {

    @Test
    void everySteimRecordDecodesAsSeedCodecDecodesIt() throws Exception {
        Codec codec = new Codec();
        int records = 0, files = 0;
        for (Path f : eqt.testing.RealData.seedFiles()) {
            byte[] all = Files.readAllBytes(f);
            int before = records;
            for (int at = 0; at + 64 <= all.length; ) {
                byte[] head = java.util.Arrays.copyOfRange(all, at, Math.min(all.length, at + 512));
                SeedRecord.Layout l;
                try {
                    l = SeedRecord.Layout.of(head, head.length);
                } catch (SeedRecord.Invalid e) {
                    break; // the corrupt test files end in junk; what precedes it still counts
                }
                if (at + l.length() > all.length) break;
                byte[] rec = java.util.Arrays.copyOfRange(all, at, at + l.length());
                int n = SeedRecord.header(rec, l).count();
                if ((l.encoding() == 10 || l.encoding() == 11) && n > 0) {
                    ByteBuffer data = ByteBuffer.wrap(rec, l.dataOffset(), l.length() - l.dataOffset()).slice().order(l.dataOrder());
                    float[] ours = Steim.decode(l.encoding(), data, n);
                    DecompressedData d = codec.decompress(l.encoding(), java.util.Arrays.copyOfRange(rec, l.dataOffset(),
                            l.length()), n, l.dataOrder() == ByteOrder.LITTLE_ENDIAN);
                    assertArrayEquals(d.getAsFloat(), ours, f.getFileName() + " record at byte " + at);
                    records++;
                }
                at += l.length();
            }
            if (records > before) files++;
        }
        assertTrue(files >= 3 && records >= 100, files + " files, " + records + " records");
    }

    @Test
    void aFlippedDifferenceIsCaught() throws Exception {
        byte[] all = Files.readAllBytes(FormatsTest.real("CH.BALST..LHE.D.2025.314"));
        SeedRecord.Layout l = SeedRecord.Layout.of(all, 512);
        byte[] rec = java.util.Arrays.copyOf(all, l.length());
        int n = SeedRecord.header(rec, l).count();
        ByteBuffer data = ByteBuffer.wrap(rec, l.dataOffset(), l.length() - l.dataOffset()).slice().order(l.dataOrder());
        float[] good = Steim.decode(l.encoding(), data, n);
        rec[l.dataOffset() + 64 + 4 * 5] ^= 0x01; // a difference in the second frame
        data = ByteBuffer.wrap(rec, l.dataOffset(), l.length() - l.dataOffset()).slice().order(l.dataOrder());
        assertFalse(java.util.Arrays.equals(good, Steim.decode(l.encoding(), data, n)));
        ByteBuffer shortData = ByteBuffer.wrap(rec, l.dataOffset(), 128).slice().order(l.dataOrder());
        assertThrows(SeedRecord.Invalid.class, () -> Steim.decode(l.encoding(), shortData, n));
    }
}
