package eqt.cli;

import eqt.checkpoint.Checkpoint;
import eqt.checkpoint.TorchInterchange;
import eqt.model.ModelConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code eq torch export|import}: checkpoints to and from PyTorch's {@code torch.save} state_dict files. */
@Command(name = "torch", mixinStandardHelpOptions = true,
        description = "Move weights to and from PyTorch (state_dict files as torch.save writes them).",
        subcommands = {TorchCommand.Export.class, TorchCommand.Import.class})
final class TorchCommand {

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Write a checkpoint's weights as a PyTorch state_dict: torch.load(FILE) returns them under "
                    + "the reference's names, ready for load_state_dict (benchmarks/python/reference_model.py).",
                    "Normalisation statistics, when the model has them, are exported as tensors named normalization.*."})
    static final class Export implements Callable<Integer> {
        @Option(names = "--checkpoint", required = true, description = "Checkpoint (.eqt) to export.")
        Path checkpoint;
        @Option(names = "--output", required = true, description = "state_dict file to write (e.g. model.pkl).")
        Path output;
        @Option(names = "--overwrite", description = "Replace --output if it exists.")
        boolean overwrite;

        @Override
        public Integer call() {
            int n = TorchInterchange.export(checkpoint, output, overwrite);
            System.out.printf("wrote %d tensors of the %s model to %s%n", n, Checkpoint.read(checkpoint).config().model(), output);
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Turn a PyTorch state_dict of the reference architecture (the original's model.pkl) into a "
                    + "checkpoint for --inference, evaluate and invert. Widths, layers and channels are read from "
                    + "the tensor shapes; the head count cannot be, so it is a flag."})
    static final class Import implements Callable<Integer> {
        @Option(names = "--state-dict", required = true, description = "File written by torch.save(model.state_dict(), …).")
        Path stateDict;
        @Option(names = "--output", required = true, description = "Checkpoint (.eqt) to write.")
        Path output;
        @Option(names = {"--n_head", "--n-head"}, defaultValue = "4", description = "Attention heads (default ${DEFAULT-VALUE}).")
        int nHead;
        @Option(names = {"--max_length", "--max-length"},
                description = "Longest window the model takes (default: the length of the file's pos_encoder.pe, else 1500).")
        Integer maxLength;
        @Option(names = "--dropout", defaultValue = "0.1", description = "Dropout, kept for fine-tuning (default ${DEFAULT-VALUE}).")
        double dropout;
        @Option(names = "--overwrite", description = "Replace --output if it exists.")
        boolean overwrite;

        @Override
        public Integer call() {
            ModelConfig mc = TorchInterchange.importReference(stateDict, nHead, maxLength, dropout, output, overwrite);
            System.out.printf("imported reference model (d_model %d, %d heads, %d layers, feed-forward %d, %d channels) "
                    + "into %s%n", mc.dModel(), mc.nHead(), mc.numLayers(), mc.ffDim(), mc.channels(), output);
            return 0;
        }
    }

}
