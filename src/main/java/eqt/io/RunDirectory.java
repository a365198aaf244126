package eqt.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Where a run writes. A run never lands in a directory that already holds something unless the user said
 * {@code --overwrite}; default names are created with an atomic {@code mkdir}, so two runs started at the same
 * second get different directories instead of sharing one.
 */
public final class RunDirectory {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private RunDirectory() {
    }

    /** Refuses to replace an existing output file unless the user said {@code --overwrite}. */
    public static void refuseExisting(Path output, boolean overwrite) {
        if (Files.exists(output) && !overwrite) throw BadInputException.setting("{output} " + output + " exists; pass {overwrite}");
    }

    /**
     * Checks, before any long work, that {@code output} can be written: it does not exist (unless
     * {@code overwrite}), and its nearest existing ancestor is a writable directory, so the missing parents can
     * be made ({@link #createParents}) when the result is ready. Creates nothing.
     */
    public static void checkWritable(Path output, boolean overwrite) {
        refuseExisting(output, overwrite);
        Path p = output.toAbsolutePath().getParent();
        while (p != null && !Files.exists(p)) p = p.getParent();
        if (p == null || !Files.isDirectory(p)) {
            throw new BadInputException(output + ": cannot be created (" + p + " is not a directory)");
        }
        checkWritable(p);
    }

    /** Makes the missing parent directories of {@code output}. */
    /** The most recently written {@code model.eqt} under {@code runs} (a run directory's), if any. */
    public static java.util.Optional<Path> newestCheckpoint(Path runs) {
        if (!java.nio.file.Files.isDirectory(runs)) return java.util.Optional.empty();
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(runs, 3)) {
            return s.filter(p -> p.getFileName().toString().equals("model.eqt"))
                    .max(java.util.Comparator.comparingLong(p -> p.toFile().lastModified()));
        } catch (java.io.IOException e) {
            throw new BadInputException(runs + ": cannot search for checkpoints (" + e.getMessage() + ")");
        }
    }

    /** Creates {@code dir} and its parents, or refuses naming it. */
    public static void mkdirs(Path dir) {
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new BadInputException(dir + ": cannot create directory (" + e.getMessage() + ")");
        }
    }

    public static void createParents(Path output) {
        Path parent = output.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new BadInputException(parent + ": cannot create directory (" + e.getMessage() + ")");
        }
    }

    /**
     * Refuses now what {@link #create} would refuse later, creating nothing: an {@code explicit} directory that is a
     * file or already holds something (unless {@code overwrite}), or a target that cannot be written or made.
     */
    public static void check(Path explicit, Path root, boolean overwrite) {
        Path target = explicit != null ? explicit : root;
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw BadInputException.setting(target + ": " + (explicit != null ? "{out}" : "run root") + " exists and is not a directory");
        }
        try {
            if (explicit != null && Files.isDirectory(explicit) && !overwrite && !isEmpty(explicit)) {
                throw BadInputException.setting(explicit + ": output directory already holds a run; "
                        + "pass {overwrite} or choose another {out}");
            }
        } catch (IOException e) {
            throw new BadInputException(explicit + ": cannot list (" + e.getMessage() + ")");
        }
        if (Files.isDirectory(target)) checkWritable(target);
        else checkWritable(target, false);
    }

    /** {@code explicit} if given (must be absent or empty, unless {@code overwrite}), else a new dir under {@code root}. */
    public static Path create(Path explicit, Path root, String prefix, boolean overwrite) {
        check(explicit, root, overwrite);
        try {
            if (explicit != null) {
                Files.createDirectories(explicit);
                return explicit;
            }
            Files.createDirectories(root);
            String base = prefix + "-" + LocalDateTime.now().format(STAMP);
            for (int i = 1; ; i++) {
                Path p = root.resolve(i == 1 ? base : base + "-" + i);
                try {
                    return Files.createDirectory(p);
                } catch (FileAlreadyExistsException e) {
                    // another run took this name a moment ago: try the next suffix
                }
            }
        } catch (AccessDeniedException e) {
            throw new BadInputException(e.getFile() + ": permission denied (output directory not writable)");
        } catch (IOException e) {
            throw new BadInputException((explicit != null ? explicit : root) + ": cannot create output directory ("
                    + e.getMessage() + ")");
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void checkWritable(Path dir) {
        if (!Files.isWritable(dir)) throw new BadInputException(dir + ": permission denied (output directory not writable)");
    }
}
