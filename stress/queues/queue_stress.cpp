// Check "stress" (native build) and "tsan" (ThreadSanitizer build) for every
// catalogue queue; the body and its invariants are queue_stress.hpp.
#include "primitives/harness/check_program.hpp"
#include "stress/queues/queue_stress.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    queue_stress::options opt;
    if (under_tsan()) opt = {6000, 6};
    check_program prog("queue_stress", check_program::stress_or_tsan,
                       "Real-thread stress of every catalogue queue: exactly-once, sums, per-producer order\n"
                       "across consumers, no spurious full or empty where the contract promises it.");
    prog.options()
        .option("--items", "N", "items per producer per round (default 200000, 6000 under TSan)", opt.items,
                std::uint64_t{1}, std::uint64_t{1} << 32)
        .option("--rounds", "N", "rounds per entry (default 2, 6 under TSan)", opt.rounds, 1, 100000);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<queue_kind>([&]<class E>(const entry_context& ctx) { return queue_stress::check_entry<E>(opt, ctx); });
    return prog.finish();
}
