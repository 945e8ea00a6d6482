// Property check "linearizability" for every deque in the catalogue.
//
// Per entry: random small scenarios on real threads (the owner pushing and
// popping, one or two thieves stealing, 3–5 operations each, an optional
// pre-fill, a drain by pops at the end; random_deque_scenario and
// history_recorder in properties/queues/history_recorder.hpp), each recorded
// history checked against a sequential work-stealing deque (deque_spec in
// properties/queues/linearizability_checker.hpp: pop takes the newest item,
// steal the oldest, `empty` only on an empty deque, `abort` takes nothing)
// with the Wing–Gong–Lowe search. The deque is built with capacity 2: a
// growable one grows inside the scenarios, a bounded one is full.
//
// What it adds to the stress check: stress judges whole runs (exactly once,
// one thief's steals in order); this judges each operation's answer against
// real-time order, so it also sees an `empty` answered while an item was
// there for the whole call, or a pop that returns an item no longer the
// newest. What it cannot see: outcomes of a few instructions' window (the
// missing-fence duplicates) show only when a scenario happens to hit them.
//
// The first failing history ends the entry; it is the record's trace (the
// seed reproduces the scenario scripts, not the interleaving). Power: at
// least 20% of the histories must have operations of two threads overlapping,
// and at most 5% may be over the search budget; otherwise the verdict is fail
// with a detail saying the check had no power (history_tally.hpp).
#include <random>
#include <string>

#include "primitives/deque/catalogue.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "properties/queues/history_recorder.hpp"
#include "properties/queues/history_tally.hpp"
#include "properties/queues/linearizability_checker.hpp"

namespace {

namespace lin = gauntlet::linearizability;

constexpr std::size_t capacity = 2;

}  // namespace

int main(int argc, char** argv) {
    using namespace gauntlet;
    std::size_t scenarios = 3000;
    check_program prog("deque_linearizability", check_kind::linearizability,
                       "Records small concurrent histories of every catalogue deque (owner push/pop, 1-2 thieves\n"
                       "stealing) on real threads and checks them for linearizability (Wing-Gong-Lowe).",
                       300.0);
    prog.options().option("--scenarios", "N", "histories per entry (default 3000)", scenarios, std::size_t{1},
                          std::size_t{10000000});
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<deque_kind>([&]<class E>(const entry_context& ctx) -> result {
        using D = typename E::template type<native_world>;
        const std::size_t bound = E::traits.bounded ? capacity : lin::unbounded;
        std::mt19937_64 rng(ctx.seed);
        lin::history_recorder<D, lin::deque_calls> recorder(3);
        lin::history_tally tally;
        for (std::size_t i = 0; i < scenarios && tally.failure.empty(); ++i) {
            const lin::scenario s = lin::random_deque_scenario(E::traits.bounded, capacity, rng);
            const lin::history h = recorder.run(s, capacity);
            tally.recorded(h);
            const lin::outcome o = lin::check_deque(h, bound);
            if (tally.searched(o) && !o.linearizable)
                tally.failure = "scenario " + std::to_string(i) + ": history not linearizable w.r.t. a deque of bound " +
                                (E::traits.bounded ? std::to_string(capacity) : "none") + "\n" + lin::describe(h);
        }
        return tally.verdict("linearizable", json{});
    });
    return prog.finish();
}
