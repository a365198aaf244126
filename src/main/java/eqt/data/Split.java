package eqt.data;

import eqt.io.BadInputException;

/**
 * Which windows of every record are for training, validation and test: three contiguous blocks in that order,
 * so no training window (or random crop, which stays inside the training block) overlaps held-out samples.
 * The reference trains on windows {@code 0..98} and tests on {@code 99}: {@code new Split(100, 0, 1)}.
 */
public record Split(int windows, int valWindows, int testWindows) {

    public Split {
        if (testWindows < 1) throw BadInputException.setting("{test_windows} must be >= 1, got " + testWindows);
        if (valWindows < 0) throw BadInputException.setting("{val_windows} must be >= 0, got " + valWindows);
        if (valWindows + testWindows >= windows) {
            throw BadInputException.setting("{val_windows} " + valWindows + " + {test_windows} " + testWindows
                    + " leave no training windows out of " + windows);
        }
    }

    public int trainWindows() {
        return windows - valWindows - testWindows;
    }

    public int valFrom() {
        return trainWindows();
    }

    public int testFrom() {
        return windows - testWindows;
    }
}
