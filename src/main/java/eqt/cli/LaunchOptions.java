package eqt.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** The reference's launch flags ({@code --ddp --nproc_per_node N --nnodes M}): training through the launcher. */
final class LaunchOptions {

    @Option(names = "--ddp", description = "Data-parallel training through the launcher (the reference's spelling; "
            + "see `eq launcher --help`).")
    boolean ddp;
    @Option(names = {"--nproc_per_node", "--nproc-per-node"}, description = "Processes per node (with --ddp).")
    Integer nprocPerNode;
    @Option(names = "--nnodes", description = "Nodes (with --ddp).")
    Integer nnodes;
    @Option(names = {"--node_rank", "--node-rank"}, description = "This node's rank (with --ddp --nnodes N > 1; required there).")
    Integer nodeRank;
    @Option(names = {"--local_rank", "--local-rank"}, hidden = true, description = "Accepted for torchrun compatibility.")
    Integer localRank;

    /** Whether the command line asks for the launcher. */
    boolean requested() {
        return ddp || nprocPerNode != null || nnodes != null || nodeRank != null;
    }

    /** The command line minus the flags that choose the launch itself. */
    static List<String> workerArgs(List<String> original) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < original.size(); i++) {
            String a = original.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (name.equals("--ddp")) continue;
            if (LAUNCH_FLAGS.contains(name)) {
                if (!a.contains("=")) i++; // skip its value too
                continue;
            }
            out.add(a);
        }
        return out;
    }

    private static final Set<String> LAUNCH_FLAGS = Set.of("--nproc_per_node", "--nproc-per-node", "--nnodes",
            "--node_rank", "--node-rank", "--local_rank", "--local-rank");
}
