// Check "stress" (native build) and "tsan" (ThreadSanitizer build) for every
// lifecycle catalogue entry; the body is lifecycle_stress.hpp.
#include "primitives/harness/check_program.hpp"
#include "stress/lifecycle/lifecycle_stress.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    lifecycle_stress::options opt;
    if (under_tsan()) opt.rounds = 300;
    check_program prog("lifecycle_stress", check_program::stress_or_tsan,
                       "Real-thread stress of every lifecycle catalogue entry: racing admissions, drain and\n"
                       "wait_closed, whole-round invariants.");
    prog.options()
        .option("--rounds", "N", "rounds per entry (default 1500; 300 under ThreadSanitizer)", opt.rounds, 1, 10000000)
        .option("--seconds", "S", "time budget per entry (default 3)", opt.seconds, 0.01, 3600.0);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<lifecycle_kind>(
        [&]<class E>(const entry_context& ctx) { return lifecycle_stress::check_entry<E>(opt, ctx); });
    return prog.finish();
}
