// Check "stress" (native build) and "tsan" (ThreadSanitizer build) for every
// catalogue deque; the body and its invariants are deque_stress.hpp.
#include <algorithm>

#include "primitives/harness/check_program.hpp"
#include "stress/deque/deque_stress.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    deque_stress::options opt;
    if (under_tsan()) opt = {40000, 6, 5000, 2.0, 10.0};
    // An entry takes well under a second natively (a few under TSan), so a
    // hang is cut at 15 s (60 s under TSan) rather than the stress default
    // of 60 s: chase_lev_le2013.no_take_fence can hang by chance, when a
    // duplicate leaves top above bottom and the next resize's copy loop
    // (size_t indices, `i != b`) runs towards 2^64.
    check_program prog("deque_stress", under_tsan() ? check_kind::tsan : check_kind::stress,
                       "Real-thread stress of every catalogue deque: the owner pushing and popping, 1-2 thieves\n"
                       "stealing; every item exactly once, each thief's steals in push order.",
                       under_tsan() ? 60.0 : 15.0);
    prog.options()
        .option("--items", "N", "items pushed per round (default 500000, 40000 under TSan)", opt.items,
                std::uint64_t{1}, std::uint64_t{1} << 32)
        .option("--rounds", "N", "random rounds per entry (default 8, 6 under TSan)", opt.rounds, 1, 100000)
        .option("--duel", "N", "two-item races of the duel after the rounds, at most (default 100000, 5000 under TSan; 0: none)",
                opt.duel, std::uint64_t{0}, std::uint64_t{1} << 32)
        .option("--duel-seconds", "S", "seconds the duel may take, at most (default 0.5, 2 under TSan)", opt.duel_seconds,
                0.01, 3600.0);
    const double default_items = static_cast<double>(opt.items);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    // the first round's stuck limit is for the default item count
    opt.first_round_seconds *= std::max(1.0, static_cast<double>(opt.items) / default_items);
    prog.run<deque_kind>([&]<class E>(const entry_context& ctx) { return deque_stress::check_entry<E>(opt, ctx); });
    return prog.finish();
}
