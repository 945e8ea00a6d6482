// model check, deques: Relacy explores the owner racing thieves on every
// world-swappable deque entry (the published port, the in-house deques and
// the mutants).
//
// Scenarios (`race<...>`): the owner (thread 0) pushes `Pushes` tagged items
// (1, 2, ...), then pops `Pops` times; each thief makes `Steals` single steal
// attempts (an abort is an attempt: no retry loop, so every search is
// finite). Afterwards the owner drains what is left. Checks: every value
// returned by a pop or a steal is one that was pushed (a cell no push wrote
// holds 0), every pushed item is returned exactly once, a refused push (a
// bounded deque at its bound) is never returned; Relacy adds data races on
// World::var (the array's size, the mutex deque's cells), leaks and frees of
// arrays (World::make / destroy), and deadlock.
//   last_element   1 thief:  push 1, pop 1 | steal 1 (the CAS race on the last item)
//   one_thief      1 thief:  push 2, pop 2 | steal 2 (the store-buffering
//                  pair of pop and steal: without either seq_cst fence the
//                  owner's pop reads a stale top and takes item 2 without a
//                  CAS while the thief's second steal reads a stale bottom
//                  and takes item 2 too; found at one preemption)
//   two_thieves    2 thieves: push 2, pop 1 | steal 1 each (thieves racing
//                  each other and the owner on top)
//   resize         1 thief, capacity 2: push 3 (the third resizes a growable
//                  deque, is refused by a bounded one), pop 3 | steal 2
//   lap            1 thief, capacity 2, the owner only pushes while the
//                  thief runs: push 3 | steal 1. When the thief has taken
//                  item 1 and the owner's push of 3 reads the new top, push
//                  writes item 3 into the cell item 1 was read from. Run over
//                  the witness world (witness_world below): the deque's
//                  witness marks are race-checked variables, touched by push
//                  before it writes a cell and by steal after it reads one,
//                  so a successful steal's read that does not happen before
//                  the overwrite is a DATA RACE. That is the load-buffering
//                  hazard of a relaxed steal CAS (the thief's read may return
//                  the later item 3), which Relacy cannot produce as a value
//                  (stores become visible in execution order) but does see as
//                  a missing happens-before edge. One thief and no pops
//                  during the race, so no steal's CAS can fail: a failed
//                  steal's read does race with the overwrite, harmlessly (the
//                  cells are atomics), and is kept out of this scenario.
//
// Search: Relacy's context-bound scheduler, every schedule with at most 1,
// then 2 preemptions (--bound, default 2; recorded per search; the whole
// program takes about 4 s at bound 2, about 5 s per entry at bound 3 and
// 60 s per entry at bound 4, which found nothing more), each schedule with
// every value a load may read under the C++ model as Relacy implements it.
// No randomness: the same search on every run. What Relacy cannot see: stores
// become visible in execution order (no load-buffering outcomes), plain data
// that is not World::var (the mutex deque's capacity field, the array's
// cell pointer) is not race-checked, allocation is not a write.
//
// An entry passes when every scenario passes; the first failing scenario's
// Relacy report (the execution history, naming the deque's own source
// lines) is the record's trace.
#include "primitives/relacy_world.hpp"  // first: standard headers, then Relacy

#include <cstdint>
#include <optional>
#include <string>

#include "models/model_check.hpp"
#include "primitives/deque/catalogue.hpp"
#include "primitives/harness/check_program.hpp"

namespace {

using namespace gauntlet;
using W = relacy_world;
using item = std::uint64_t;

// The relacy world with race-checked witnesses (world.hpp, witness).
struct witness_world : relacy_world {
    using witness = relacy_world::tracked_witness;
};
static_assert(world<witness_world>);

template <class Entry, unsigned Thieves, unsigned Pushes, unsigned Pops, unsigned Steals, std::size_t Capacity,
          class World = W>
struct race : rl::test_suite<race<Entry, Thieves, Pushes, Pops, Steals, Capacity, World>, 1 + Thieves> {
    using D = typename Entry::template type<World>;

    // The deque lives from before() to after(): its destructor runs inside
    // the simulation, where its frees are checked like every other step.
    std::optional<D> d;
    bool pushed[Pushes] = {};
    unsigned seen[Pushes] = {};  // written inside the simulation, one fiber at a time

    void before() { d.emplace(Capacity); }

    void take(item v) {
        RL_ASSERT(v >= 1 && v <= Pushes);  // a value that was pushed, not an unwritten cell
        ++seen[v - 1];
    }

    void thread(unsigned index) {
        if (index == 0) {
            for (unsigned k = 0; k < Pushes; ++k) pushed[k] = d->push(item{k + 1});
            for (unsigned j = 0; j < Pops; ++j) {
                item v = 0;
                if (d->pop(v)) take(v);
            }
            return;
        }
        for (unsigned s = 0; s < Steals; ++s) {
            item v = 0;
            if (d->steal(v) == steal_status::success) take(v);
        }
    }

    void after() {
        item v = 0;
        while (d->pop(v)) take(v);
        for (unsigned k = 0; k < Pushes; ++k) RL_ASSERT(seen[k] == (pushed[k] ? 1u : 0u));  // exactly once
        d.reset();
    }
};

template <class Entry>
result check_entry(unsigned bound) {
    search_run s;
    s.deepen<race<Entry, 1, 1, 1, 1, 2>>("last_element", bound);
    s.deepen<race<Entry, 1, 2, 2, 2, 2>>("one_thief", bound);
    s.deepen<race<Entry, 2, 2, 1, 1, 2>>("two_thieves", bound);
    s.deepen<race<Entry, 1, 3, 3, 2, 2>>("resize", bound);
    s.deepen<race<Entry, 1, 3, 0, 1, 2, witness_world>>("lap", bound);
    return verdict_of(s);
}

}  // namespace

int main(int argc, char** argv) {
    unsigned bound = 2;
    check_program prog("deque_model", check_kind::model,
                       "Model-checks every world-swappable deque entry with Relacy: the owner racing one and\n"
                       "two thieves on the last item, a resize raced by a thief (capacity 2), and the owner's\n"
                       "push lapping onto a cell a thief read (happens-before checked through witnesses).",
                       120.0);
    prog.options().option("--bound", "N", "largest preemption bound searched (default 2)", bound, 1u, 4u);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<inhouse_deque_kind>([&]<class E>(const entry_context&) -> result {
        static_assert(world_swappable<E>, "only entries written over a World can be model-checked");
        return check_entry<E>(bound);
    });
    return prog.finish();
}
