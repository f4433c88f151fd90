#pragma once
// Torch-free: both executables call this first thing in main().

namespace pae {

// Debian's LibTorch runs on GNU OpenMP, whose idle workers spin between parallel regions.
// On a busy machine (a GUI thread, a second job, other programs) that spinning costs 3–7×
// per optimization step, so our programs run with OMP_WAIT_POLICY=passive. libgomp reads it
// only when it loads, so the first thing main() does is call this: when the variable is
// unset it sets it and re-executes the program once. Returns only when nothing had to
// change (or the re-exec failed, in which case the program goes on as it is).
void ensurePassiveOpenMpWait(char** argv);

} // namespace pae
