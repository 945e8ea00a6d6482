// Property check "linearizability" for every queue in the catalogue.
//
// Per entry: random small scenarios (2–3 real threads, 3–5 operations each,
// optional pre-fill, drain at the end; history_recorder.hpp) and each
// recorded history is checked
//  * against a sequential FIFO queue with the Wing–Gong–Lowe search
//    (linearizability_checker.hpp) when the entry promises linearizability;
//  * for per-producer FIFO and exactly-once when it promises only that
//    (vyukov_mpsc_queue, moodycamel::ConcurrentQueue);
//  * a queue promising no order declares linearizability `skip`.
// The first failing history ends the entry; it is the record's trace (the
// replay line reproduces the scenario scripts, not the interleaving).
// Power: at least 20% of the histories must have operations of two threads
// overlapping, and at most 5% may be over the search budget; otherwise the
// verdict is fail with a detail saying the check had no power
// (history_tally.hpp).
#include <random>
#include <string>

#include "history_recorder.hpp"
#include "history_tally.hpp"
#include "linearizability_checker.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "primitives/queues/catalogue.hpp"

namespace {

namespace lin = gauntlet::linearizability;

// Small bound, so that full is reached inside 3–5 operations (atomic_queue
// rounds it up to 64 and is checked against that bound).
constexpr std::size_t requested_capacity = 2;

}  // namespace

int main(int argc, char** argv) {
    using namespace gauntlet;
    std::size_t scenarios = 3000;
    check_program prog("queue_linearizability", check_kind::linearizability,
                       "Records small concurrent histories of every catalogue queue on real threads and\n"
                       "checks them for linearizability (Wing-Gong-Lowe) or per-producer FIFO.",
                       300.0);
    prog.options().option("--scenarios", "N", "histories per entry (default 3000)", scenarios, std::size_t{1},
                          std::size_t{10000000});
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<queue_kind>([&]<class E>(const entry_context& ctx) -> result {
        using Q = typename E::template type<native_world>;
        if constexpr (E::traits.order == queue_order::none) {
            return result::fail("the contract promises no order: declare linearizability as skip");
        } else {
            std::size_t capacity = requested_capacity;
            if (E::traits.bounded) capacity = bound_in_force(Q(requested_capacity), requested_capacity);
            const std::size_t model_capacity = E::traits.bounded ? capacity : lin::unbounded;

            std::mt19937_64 rng(ctx.seed);
            lin::history_recorder<Q> recorder(3);
            lin::history_tally tally;
            for (std::size_t i = 0; i < scenarios && tally.failure.empty(); ++i) {
                const lin::scenario s = lin::random_scenario(E::traits, capacity, rng);
                const lin::history h = recorder.run(s, requested_capacity);
                tally.recorded(h);
                if (E::traits.order == queue_order::linearizable) {
                    const lin::outcome o = lin::check_fifo(h, model_capacity);
                    if (tally.searched(o) && !o.linearizable)
                        tally.failure = "scenario " + std::to_string(i) +
                                        ": history not linearizable w.r.t. a FIFO queue of bound " +
                                        (E::traits.bounded ? std::to_string(capacity) : "none") + "\n" +
                                        lin::describe(h);
                } else {
                    const std::string why = lin::check_fifo_per_producer(h, true);
                    if (!why.empty())
                        tally.failure = "scenario " + std::to_string(i) + ": " + why + "\n" + lin::describe(h);
                }
            }
            const bool fifo_only = E::traits.order == queue_order::fifo_per_producer;
            json m;
            m["promise"] = fifo_only ? "fifo_per_producer" : "linearizable";
            return tally.verdict(fifo_only ? "per-producer FIFO" : "linearizable", m);
        }
    });
    return prog.finish();
}
