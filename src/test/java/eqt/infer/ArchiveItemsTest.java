package eqt.infer;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an archive run takes as its records, from a list file or a directory tree. */
class ArchiveItemsTest {

    @TempDir
    Path dir;

    /** An output folder inside the input tree: its outputs and manifest are never read back as records. */
    @Test
    void theOutputFolderInsideTheInputTreeIsNotARecord() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("archive/2024"));
        Files.writeString(tree.resolve("a.sac"), "");
        Files.writeString(tree.resolve("b.sac"), "");
        Path out = Files.createDirectories(dir.resolve("archive/inverted"));
        Files.createDirectories(out.resolve("2024"));
        Files.writeString(out.resolve("2024/a.npy"), "");
        Files.writeString(out.resolve(ArchiveRun.MANIFEST), "{}\n");
        Files.writeString(dir.resolve("archive/" + ArchiveRun.MANIFEST), "{}\n");
        List<ArchiveRun.Item> items = ArchiveRun.items(dir.resolve("archive"), out);
        assertEquals(List.of("2024/a", "2024/b"), items.stream().map(ArchiveRun.Item::name).toList());
    }

    /** List lines: relative to the list's folder, blanks inside a path allowed (whole line, or "quoted"). */
    @Test
    void listPathsMayHoldBlanks() throws Exception {
        Path data = Files.createDirectories(dir.resolve("lists/data"));
        Files.writeString(data.resolve("my record.sac"), "");
        Files.writeString(data.resolve("z 1.sac"), "");
        Files.writeString(data.resolve("z2.sac"), "");
        Path list = dir.resolve("lists/records.txt");
        Files.writeString(list, "# one record per line\ndata/my record.sac\n\"data/z 1.sac\" data/z2.sac\n");
        List<ArchiveRun.Item> items = ArchiveRun.items(list, dir.resolve("out"));
        assertEquals(2, items.size());
        assertEquals(List.of(data.resolve("my record.sac")), items.get(0).files());
        assertEquals(List.of(data.resolve("z 1.sac"), data.resolve("z2.sac")), items.get(1).files());
        Files.writeString(list, "\"data/z 1.sac data/z2.sac\n");
        assertTrue(assertThrows(eqt.io.BadInputException.class, () -> ArchiveRun.items(list, dir.resolve("out")))
                .getMessage().contains("line 1: unbalanced double quote"));
    }
}
