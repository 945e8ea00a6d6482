// model check, queues: Relacy explores producers and consumers racing on
// every world-swappable in-house queue entry (correct queues and mutants).
//
// Scenarios, chosen by the entry's traits:
//   - exchange: P producers push K tagged items each, C consumers pop until
//     all P*K items are out (retrying on full / empty), at capacity 2, so the
//     ring wraps and is seen full and empty. Checks: every item popped
//     exactly once, items of one producer popped in push order by each
//     consumer, the queue empty at the end; Relacy adds data races on cells
//     and payloads (World::var), leaks and use after free of nodes
//     (World::make / destroy). 1P1C x 3 items for SPSC, 2P1C x 2 for MPSC,
//     2P2C x 2 for MPMC.
//   - completed_push (linearizable multi-producer contracts): two producers
//     push one item each, the second then raises a flag; a consumer that sees
//     the flag must find an item (a push that returned is visible to a pop
//     that starts after it).
//   - completed_pop (linearizable bounded multi-consumer contracts): the
//     mirror image for "full": the queue starts full, two consumers pop one
//     item each, the second then raises a flag; a producer that sees the flag
//     must find room.
//   - blocking (queues with blocking push/pop): a producer pushes 3 items
//     with push() into a capacity-1 queue, a consumer pop()s them; a lost
//     wake-up leaves a thread waiting forever, which Relacy reports as a
//     deadlock.
//
// Search. `attempts` has no retry loop: for SPSC and MPSC entries Relacy's
// full-search scheduler visits every interleaving and relaxed-memory choice
// (about 0.2 M and 5 M executions); for bounded MPMC entries, whose operations
// wait for an in-flight claim, the context-bound scheduler (2 preemptions);
// for unbounded MPMC entries (CAS retry loops, hazard-pointer records) the
// random scheduler. The other scenarios retry on full/empty, so they run N
// random-scheduler executions each (--iterations, default 200000). A mutant
// is found within the first few thousand executions; correct entries run the
// whole budget.
//
// An entry passes when every scenario passes; the first failing scenario's
// Relacy report (the execution history, naming the queue's own source lines)
// is the record's trace.
#include "primitives/relacy_world.hpp"  // first: standard headers, then Relacy

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "models/model_check.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/queues/contract.hpp"
#include "primitives/queues/inhouse_catalogue.hpp"

namespace {

using namespace gauntlet;
using W = relacy_world;
using item = std::uint64_t;

constexpr item tag(unsigned producer, unsigned k) { return (item{producer} << 8) | (k + 1); }
constexpr unsigned producer_of(item v) { return static_cast<unsigned>(v >> 8); }
constexpr unsigned index_of(item v) { return static_cast<unsigned>(v & 0xff) - 1; }

template <class Q>
void push_retrying(Q& q, item v) {
    while (!q.try_push(v)) W::spin_hint();
}

// The queue under test lives from before() to after(), so its destructor runs
// in after(), inside the simulation, where its frees are checked against the
// nodes it allocated (double free, leak) like every other step.
template <class Q>
struct queue_under_test {
    std::optional<Q> slot;
    void open(std::size_t capacity) { slot.emplace(capacity); }
    void close() { slot.reset(); }
    Q& operator*() { return *slot; }
    Q* operator->() { return &*slot; }
};

template <class Entry, unsigned P, unsigned C, unsigned K>
struct exchange : rl::test_suite<exchange<Entry, P, C, K>, P + C> {
    using Q = typename Entry::template type<W>;
    static constexpr unsigned total = P * K;

    queue_under_test<Q> q;
    W::atomic<unsigned> popped{0};
    unsigned seen[P][K] = {};  // written only inside the simulation, one fiber at a time

    void before() { q.open(2); }

    void thread(unsigned index) {
        if (index < P) {
            for (unsigned k = 0; k < K; ++k) push_retrying(*q, tag(index, k));
            return;
        }
        unsigned next_expected[P] = {};  // per producer, as this consumer sees it
        while (popped.load(std::memory_order_relaxed) < total) {
            item v = 0;
            if (!q->try_pop(v)) {
                W::spin_hint();
                continue;
            }
            const unsigned p = producer_of(v), k = index_of(v);
            RL_ASSERT(p < P && k < K);              // a value that was pushed
            RL_ASSERT(k >= next_expected[p]);       // FIFO per producer
            next_expected[p] = k + 1;
            ++seen[p][k];
            popped.fetch_add(1, std::memory_order_relaxed);
        }
    }

    void after() {
        for (unsigned p = 0; p < P; ++p)
            for (unsigned k = 0; k < K; ++k) RL_ASSERT(seen[p][k] == 1);  // exactly once
        item v = 0;
        RL_ASSERT(!q->try_pop(v));  // nothing left, nothing invented
        q.close();
    }
};

// Single attempts, no retry loops, so the full-search scheduler can visit
// every interleaving and every relaxed-memory choice Relacy models: each
// producer tries K pushes once, each consumer tries J pops once; then the
// remainder is drained. Exactly-once over the successful pushes, FIFO per
// producer per consumer.
template <class Entry, unsigned P, unsigned C, unsigned K, unsigned J>
struct attempts : rl::test_suite<attempts<Entry, P, C, K, J>, P + C> {
    using Q = typename Entry::template type<W>;

    queue_under_test<Q> q;
    bool pushed[P][K] = {};
    unsigned seen[P][K] = {};

    void before() { q.open(2); }

    void thread(unsigned index) {
        if (index < P) {
            for (unsigned k = 0; k < K; ++k) pushed[index][k] = q->try_push(tag(index, k));
            return;
        }
        unsigned next_expected[P] = {};
        for (unsigned j = 0; j < J; ++j) {
            item v = 0;
            if (!q->try_pop(v)) continue;
            const unsigned p = producer_of(v), k = index_of(v);
            RL_ASSERT(p < P && k < K);
            RL_ASSERT(k >= next_expected[p]);  // FIFO per producer
            next_expected[p] = k + 1;
            ++seen[p][k];
        }
    }

    void after() {
        item v = 0;
        while (q->try_pop(v)) ++seen[producer_of(v)][index_of(v)];
        for (unsigned p = 0; p < P; ++p)
            for (unsigned k = 0; k < K; ++k) RL_ASSERT(seen[p][k] == (pushed[p][k] ? 1u : 0u));
        q.close();
    }
};

// Two consumers drain a pre-filled queue while one producer pushes: pops race
// with pops over the same head node (hazard publication and reclamation).
template <class Entry>
struct racing_pops : rl::test_suite<racing_pops<Entry>, 3> {
    using Q = typename Entry::template type<W>;
    static constexpr unsigned prefilled = 3, total = prefilled + 1;

    queue_under_test<Q> q;
    unsigned seen[total] = {};

    void before() {
        q.open(4);
        for (unsigned k = 0; k < prefilled; ++k) RL_ASSERT(q->try_push(tag(0, k)));
    }

    void thread(unsigned index) {
        if (index == 2) {
            push_retrying(*q, tag(0, prefilled));
            return;
        }
        for (unsigned n = 0; n < 2; ++n) {
            item v = 0;
            if (q->try_pop(v)) {
                RL_ASSERT(producer_of(v) == 0 && index_of(v) < total);
                ++seen[index_of(v)];
            }
        }
    }

    void after() {
        item v = 0;
        while (q->try_pop(v)) ++seen[index_of(v)];
        for (unsigned k = 0; k < total; ++k) RL_ASSERT(seen[k] == 1);  // exactly once
        q.close();
    }
};

template <class Entry>
struct completed_push : rl::test_suite<completed_push<Entry>, 3> {
    using Q = typename Entry::template type<W>;

    queue_under_test<Q> q;
    W::atomic<int> second_pushed{0};
    unsigned popped = 0;

    void before() { q.open(2); }

    void thread(unsigned index) {
        if (index == 0) {
            push_retrying(*q, tag(0, 0));
        } else if (index == 1) {
            push_retrying(*q, tag(1, 0));
            second_pushed.store(1, std::memory_order_release);
        } else if (second_pushed.load(std::memory_order_acquire) == 1) {
            // push(tag(1,0)) returned before this pop started: the queue holds
            // at least that item, so a linearizable queue cannot be empty.
            item v = 0;
            RL_ASSERT(q->try_pop(v));
            ++popped;
        }
    }

    void after() {
        item v = 0;
        while (q->try_pop(v)) ++popped;
        RL_ASSERT(popped == 2);
        q.close();
    }
};

// The mirror image for bounded queues: the queue starts full (capacity 2),
// two consumers pop one item each, the second then raises a flag; a producer
// that sees the flag must find room (a pop that returned freed a cell).
template <class Entry>
struct completed_pop : rl::test_suite<completed_pop<Entry>, 3> {
    using Q = typename Entry::template type<W>;

    queue_under_test<Q> q;
    W::atomic<int> second_popped{0};
    unsigned popped = 0;
    bool pushed = false;

    void before() {
        q.open(2);
        RL_ASSERT(q->try_push(tag(0, 0)));
        RL_ASSERT(q->try_push(tag(0, 1)));
    }

    void thread(unsigned index) {
        item v = 0;
        if (index == 0) {
            if (q->try_pop(v)) ++popped;
        } else if (index == 1) {
            if (q->try_pop(v)) {
                ++popped;
                second_popped.store(1, std::memory_order_release);
            }
        } else if (second_popped.load(std::memory_order_acquire) == 1) {
            // pop() returned before this push started: a linearizable
            // bounded queue has a free cell.
            RL_ASSERT(q->try_push(tag(1, 0)));
            pushed = true;
        }
    }

    void after() {
        item v = 0;
        while (q->try_pop(v)) ++popped;
        RL_ASSERT(popped == 2u + (pushed ? 1u : 0u));
        q.close();
    }
};

template <class Entry>
struct blocking : rl::test_suite<blocking<Entry>, 2> {
    using Q = typename Entry::template type<W>;
    queue_under_test<Q> q;

    void before() { q.open(1); }
    void after() { q.close(); }

    void thread(unsigned index) {
        if (index == 0) {
            for (unsigned k = 0; k < 3; ++k) q->push(tag(0, k));
        } else {
            for (unsigned k = 0; k < 3; ++k) RL_ASSERT(q->pop() == tag(0, k));
        }
    }
};

struct scenario_outcome {
    bool passed = true;
    std::string scenario, result, trace;
    std::vector<model_search> searches;
};

template <class Suite, search_kind K>
void run(scenario_outcome& total, const char* name, const model_budget& b) {
    if (!total.passed) return;  // report the first failure
    const model_outcome o = model_check<Suite, K>(b);
    total.searches.push_back({name, b, o.executions});
    if (!o.passed) {
        total.passed = false;
        total.scenario = name;
        total.result = o.result;
        total.trace = o.trace;
    }
}

template <class Entry>
result check_entry(unsigned long iterations, std::uint64_t seed) {
    constexpr queue_traits t = Entry::traits;
    using Q = typename Entry::template type<W>;

    model_budget random;
    random.iterations = iterations;
    random.seed = seed;

    model_budget full;
    full.full = true;
    model_budget bounded;
    bounded.context_bound_search = true;
    bounded.context_bound = 2;

    scenario_outcome o;
    if constexpr (t.producers == multiplicity::single)
        run<attempts<Entry, 1, 1, 3, 3>, search_kind::full>(o, "attempts 1P1C x3", full);
    else if constexpr (t.consumers == multiplicity::single)
        run<attempts<Entry, 2, 1, 1, 2>, search_kind::full>(o, "attempts 2P1C x1", full);
    else if constexpr (t.bounded)
        run<attempts<Entry, 1, 1, 3, 3>, search_kind::context_bound>(o, "attempts 1P1C x3", bounded);
    else
        run<attempts<Entry, 1, 1, 3, 3>, search_kind::random>(o, "attempts 1P1C x3", random);
    if constexpr (t.producers == multiplicity::single) {
        run<exchange<Entry, 1, 1, 3>, search_kind::random>(o, "exchange 1P1C x3", random);
    } else if constexpr (t.consumers == multiplicity::single) {
        run<exchange<Entry, 2, 1, 2>, search_kind::random>(o, "exchange 2P1C x2", random);
    } else {
        run<exchange<Entry, 2, 2, 2>, search_kind::random>(o, "exchange 2P2C x2", random);
        run<racing_pops<Entry>, search_kind::random>(o, "racing_pops", random);
    }
    if constexpr (t.producers == multiplicity::multi && t.order == queue_order::linearizable)
        run<completed_push<Entry>, search_kind::random>(o, "completed_push", random);
    if constexpr (t.bounded && t.consumers == multiplicity::multi && t.order == queue_order::linearizable)
        run<completed_pop<Entry>, search_kind::random>(o, "completed_pop", random);
    if constexpr (requires(Q q, item v) { q.push(v); { q.pop() } -> std::same_as<item>; })
        run<blocking<Entry>, search_kind::random>(o, "blocking", random);
    json m = describe(o.searches);
    if (!o.passed) m["scenario"] = o.scenario;
    return o.passed ? result::pass("no violation: " + summary(o.searches), m)
                    : result::fail(o.result + " in scenario '" + o.scenario + "'; searches: " + summary(o.searches),
                                   o.trace, m);
}

}  // namespace

int main(int argc, char** argv) {
    unsigned long iterations = 200000;
    check_program prog("queue_model", check_kind::model,
                       "Model-checks every in-house queue entry (world-swappable) with Relacy.", 600.0);
    prog.options().option("--iterations", "N", "random-scheduler executions per scenario (default 200000)",
                          iterations, 1ul, 1000000000ul);
    prog.default_seed(0);  // a committed seed (Relacy's own sequence): held verdicts come from a fixed search
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<inhouse_queue_kind>([&]<class E>(const entry_context& ctx) -> result {
        static_assert(world_swappable<E>, "only entries written over a World can be model-checked");
        return check_entry<E>(iterations, ctx.base_seed);
    });
    return prog.finish();
}
