package eqt.cli;

import eqt.dist.Launcher;
import eqt.io.BadInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code eq launcher --nproc N [--nnodes M --node_rank R --master_addr A --master_port P] -- TRAINING FLAGS}. */
@Command(name = "launcher", mixinStandardHelpOptions = true,
        description = {"Start data-parallel training: N worker processes on this node (torchrun's contract).",
                "Training flags follow '--'. For several nodes, run the same command on each with its --node_rank."})
final class LauncherCommand implements Callable<Integer> {

    @Option(names = {"--nproc", "--nproc_per_node", "--nproc-per-node"}, defaultValue = "1",
            description = "Worker processes on this node (default ${DEFAULT-VALUE}).")
    int nproc;
    @Option(names = "--nnodes", defaultValue = "1", description = "Nodes in the job (default ${DEFAULT-VALUE}).")
    int nnodes;
    @Option(names = {"--node_rank", "--node-rank"}, defaultValue = "0", description = "This node's rank (default ${DEFAULT-VALUE}).")
    int nodeRank;
    @Option(names = {"--master_addr", "--master-addr"}, defaultValue = "127.0.0.1",
            description = "Address of the node running rank 0 (default ${DEFAULT-VALUE}).")
    String masterAddr;
    @Option(names = {"--master_port", "--master-port"}, defaultValue = "29500",
            description = "Rendezvous port on the master (default ${DEFAULT-VALUE}).")
    int masterPort;
    @Parameters(paramLabel = "TRAINING_FLAGS", description = "Flags for each worker, after '--'.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        return launch(nproc, nnodes, nodeRank, masterAddr, masterPort, args);
    }

    static int launch(int nproc, int nnodes, int nodeRank, String addr, int port, List<String> args) throws Exception {
        if (nproc < 1) throw new BadInputException("--nproc must be >= 1, got " + nproc);
        if (nnodes < 1) throw new BadInputException("--nnodes must be >= 1, got " + nnodes);
        if (nodeRank < 0 || nodeRank >= nnodes) {
            throw new BadInputException("--node_rank " + nodeRank + " outside 0.." + (nnodes - 1));
        }
        if (port < 1 || port > 65535) throw new BadInputException("--master_port " + port + " is not a port");
        return new Launcher(new Launcher.Plan(nproc, nnodes, nodeRank, addr, port, List.copyOf(args)), System.out).run();
    }
}
