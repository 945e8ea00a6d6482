// model check, priority queues: Relacy explores producers racing the
// consumer on every world-swappable priority-queue entry with lock-free
// parts (run_merge, the seed's sorted batches, their publication and leak
// mutants; the MultiQueue, whose top hints are read outside the heaps'
// locks). Entries whose shared state is all under one mutex skip it, and
// so does run_merge.late_batch_skipped, an ordering defect these scenarios
// do not judge (the reasons are in the catalogue); no scenario is compiled
// for a skipped entry.
//
// Scenarios (`race<...>`): each producer pushes `Pushes` items (distinct
// payloads, priorities alternating 1 and 2), then flushes; the consumer makes
// `Pops` single try_pop attempts (no retry loop, so every search is finite).
// Afterwards the consumer drains what is left. Checks: every item returned is
// one that was pushed (its payload and its priority), every pushed item is
// returned exactly once; Relacy adds data races on World::var (a node's item
// and link, a run's cells, count and link: what the release of the
// publishing CAS must order), leaks and double frees of nodes and runs
// (World::make / destroy), and deadlock.
//   two_producers   2 producers x 1 push, consumer 2 pops
//   one_producer    1 producer x 2 pushes, consumer 2 pops
//
// Search: Relacy's context-bound scheduler, every schedule with at most 1,
// then 2 preemptions (--bound, default 2; recorded per search; an entry may
// cap it with `model_bound`: the MultiQueue's six locked heaps take 1.2
// million executions at bound 2, a minute, so it is searched at bound 1), each
// schedule with every value a load may read under the C++ model as Relacy
// implements it. No randomness: the same search on every run. What it does
// not decide: the order of what pops return (strictness and rank error are
// the property and stress checks'); what Relacy cannot see: stores become
// visible in execution order (no load-buffering outcomes), plain data that
// is not World::var (the consumer's own heap and cursors, the producers'
// own buffers: thread-private by design) is not race-checked, allocation is
// not a write.
#include "primitives/relacy_world.hpp"  // first: standard headers, then Relacy

#include <cstdint>
#include <optional>
#include <string>

#include "models/model_check.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/pq/catalogue.hpp"

namespace {

using namespace gauntlet;
using W = relacy_world;

template <class Entry, unsigned Producers, unsigned Pushes, unsigned Pops>
struct race : rl::test_suite<race<Entry, Producers, Pushes, Pops>, Producers + 1> {
    using Q = typename Entry::template type<W>;
    static constexpr unsigned items = Producers * Pushes;

    std::optional<Q> q;
    unsigned seen[items] = {};  // written inside the simulation, one fiber at a time

    void before() { q.emplace(Producers); }

    static pq_item item_of(unsigned p, unsigned k) {
        return pq_item{1u + (p + k) % 2u, (std::uint64_t{p} << 32) | k};
    }

    void take(const pq_item& v) {
        const unsigned p = static_cast<unsigned>(v.payload >> 32), k = static_cast<unsigned>(v.payload & 0xffffffffu);
        RL_ASSERT(p < Producers && k < Pushes);               // a payload that was pushed
        RL_ASSERT(v.priority == item_of(p, k).priority);      // with its own priority
        ++seen[p * Pushes + k];
    }

    void thread(unsigned index) {
        if (index < Producers) {
            for (unsigned k = 0; k < Pushes; ++k) q->push(index, item_of(index, k));
            q->flush(index);
            return;
        }
        for (unsigned j = 0; j < Pops; ++j) {
            pq_item v;
            if (q->try_pop(v)) take(v);
        }
    }

    void after() {
        pq_item v;
        while (q->try_pop(v)) take(v);
        for (unsigned x = 0; x < items; ++x) RL_ASSERT(seen[x] == 1u);  // exactly once
        q.reset();
    }
};

template <class Entry>
result check_entry(unsigned bound) {
    search_run s;
    s.deepen<race<Entry, 2, 1, 2>>("two_producers", bound);
    s.deepen<race<Entry, 1, 2, 2>>("one_producer", bound);
    return verdict_of(s);
}

}  // namespace

int main(int argc, char** argv) {
    unsigned bound = 2;
    check_program prog("pq_model", check_kind::model,
                       "Model-checks every world-swappable priority queue with lock-free parts with Relacy:\n"
                       "two producers, or one producer pushing twice, racing the consumer's pops.",
                       120.0);
    prog.options().option("--bound", "N", "largest preemption bound searched (default 2)", bound, 1u, 4u);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<inhouse_pq_kind>([&]<class E>(const entry_context&) -> result {
        static_assert(world_swappable<E>, "only entries written over a World can be model-checked");
        // An entry whose model expectation is skip never runs this body:
        // its scenarios are not compiled.
        if constexpr (E::expected.model.kind == expect::skip)
            return result::fail("the body of an entry whose model check is skipped ran");
        else if constexpr (requires { E::model_bound; })
            return check_entry<E>(bound < E::model_bound ? bound : E::model_bound);  // the entry's own cap
        else
            return check_entry<E>(bound);
    });
    return prog.finish();
}
