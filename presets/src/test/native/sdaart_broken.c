/* TEST-ONLY STAND-IN: a "libsdaart.so" that lacks most runtime symbols, to test the missing-symbol error. */
int sdaaGetDeviceCount(int* n) { *n = 1; return 0; }
