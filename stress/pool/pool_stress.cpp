// Check "stress" (native build) and "tsan" (ThreadSanitizer build) for every
// pool; the body and its invariants are pool_stress.hpp.
#include "primitives/harness/check_program.hpp"
#include "stress/pool/pool_stress.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    pool_stress::options opt;
    if (under_tsan()) opt = {3, 12, 1.5};
    check_program prog("pool_stress", under_tsan() ? check_kind::tsan : check_kind::stress,
                       "Real-thread stress of every pool: outside submitters and jobs submitting jobs (deque\n"
                       "overflow, steals); every job exactly once, on a worker, refused after shutdown.",
                       under_tsan() ? 60.0 : 20.0);
    prog.options()
        .option("--rounds", "N", "rounds per entry (default 6, 3 under TSan)", opt.rounds, 1, 100000)
        .option("--roots", "N", "root jobs per outside submitter per round (default 40, 12 under TSan)", opt.roots,
                1u, 100000u)
        .option("--quiet", "S", "seconds without progress that make a job stranded (default 1, 1.5 under TSan)",
                opt.quiet, 0.1, 600.0);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<pool_kind>([&]<class E>(const entry_context& ctx) -> result {
        if constexpr (E::expected.stress.kind == expect::skip && E::expected.tsan.kind == expect::skip)
            return result::fail("the body of an entry whose stress check is skipped ran");
        else
            return pool_stress::check_entry<E>(opt, ctx);
    });
    return prog.finish();
}
