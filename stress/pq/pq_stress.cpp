// Check "stress" (native build) and "tsan" (ThreadSanitizer build) for every
// catalogue priority queue; the body and its judge are pq_stress.hpp.
#include "primitives/harness/check_program.hpp"
#include "stress/pq/pq_stress.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    pq_stress::options opt;
    if (under_tsan()) opt = {2000, 2};
    check_program prog("pq_stress", under_tsan() ? check_kind::tsan : check_kind::stress,
                       "Real-thread stress of every catalogue priority queue: 1-2 producers pushing, one consumer\n"
                       "popping; exactly once, per-producer order among equal priorities, rank error bounds.",
                       under_tsan() ? 60.0 : 20.0);
    prog.options()
        .option("--items", "N", "items per producer per round (default 20000, 2000 under TSan)", opt.items,
                std::uint64_t{1}, std::uint64_t{1} << 30)
        .option("--rounds", "N", "rounds per entry (default 4, 2 under TSan)", opt.rounds, 1, 100000);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<pq_kind>([&]<class E>(const entry_context& ctx) { return pq_stress::check_entry<E>(opt, ctx); });
    return prog.finish();
}
