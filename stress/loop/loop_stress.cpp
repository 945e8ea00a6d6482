// Check "stress" (native build) and "tsan" (ThreadSanitizer build) for every
// loop catalogue entry; the body and its invariants are loop_stress.hpp.
#include "primitives/harness/check_program.hpp"
#include "stress/loop/loop_stress.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    loop_stress::options opt;
    if (under_tsan()) opt.items = 5000;
    check_program prog("loop_stress", check_program::stress_or_tsan,
                       "Real-thread stress of every loop entry: producers posting to a running loop that sleeps\n"
                       "between bursts, posts racing close(); exactly once, per-producer order, no lost wake-up.");
    prog.options()
        .option("--items", "N", "posts per producer per round (default 100000, 5000 under TSan)", opt.items,
                std::uint64_t{1}, std::uint64_t{1} << 32)
        .option("--rounds", "N", "rounds per entry: flood, close, ping-pong in turn (default 3)", opt.rounds, 1, 100000);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<loop_kind>([&]<class E>(const entry_context& ctx) -> result {
        // An entry whose stress and tsan expectations are both skip never
        // runs this body: it is not compiled for it.
        if constexpr (E::expected.stress.kind == expect::skip && E::expected.tsan.kind == expect::skip)
            return result::fail("the body of an entry whose stress checks are skipped ran");
        else
            return loop_stress::check_entry<E>(opt, ctx);
    });
    return prog.finish();
}
