// The priority-queue catalogue (component kind "pq"): every priority queue
// the checks run, with its expected verdict per check and one reason each.
//
// In-house entries, the seed's port and the mutants are written over a World;
// those with lock-free parts run the Relacy model (inhouse_pq_kind); the peer
// runs every check but the model (pq_kind).
//
// Checks of this kind: property (properties/pq/pq_property.cpp),
// linearizability (properties/pq/pq_linearizability.cpp, strict entries),
// model (models/pq/pq_model.cpp), stress and tsan (stress/pq/pq_stress.cpp),
// asan (stress/pq/pq_asan.cpp: the stress body under AddressSanitizer and
// UBSan, LeakSanitizer at each entry's exit), bench (bench/pq/bench_pq.cpp).
// progress: stress/progress/pq_progress.cpp.
// asan verdicts, 7 of 7 runs each: mutex_heap, run_merge, multiqueue, the
// peer and run_merge.relaxed_publish pass (no memory error; x86 keeps the
// relaxed CAS's order); the entries the stress judge fails fail here the
// same way (seed_batches and its mutant, late_batch_skipped,
// unlocked_pop); leaky_collect fails by its leak.
//
// Figures below were measured on the 2-core development machine, shared
// with other builds (load average 4-6): "N of N" counts runs with distinct
// seeds.
//
// Facts the reasons rely on:
//   - x86-TSO: a release CAS and a relaxed CAS are the same lock cmpxchg, so
//     the native stress of a weakened publication passes.
//   - ThreadSanitizer sees a missing release as a race on the plain data it
//     should have published (the node's item, the run's cells), when a run
//     produces one.
//   - The stress check's rank error is a lower bound over every
//     linearization of the recorded history (stress/pq/pq_stress.hpp): a
//     strict entry with a positive figure is proven to break its promise.
#pragma once

#include <string>
#include <string_view>

#include "primitives/catalogue.hpp"
#include "primitives/pq/contract.hpp"
#include "primitives/pq/multiqueue.hpp"
#include "primitives/pq/mutex_heap.hpp"
#include "primitives/pq/peers.hpp"
#include "primitives/pq/run_merge.hpp"
#include "primitives/pq/seed_batches.hpp"

namespace gauntlet {

namespace pq_entries {

inline constexpr expectation relaxed_no_lin{
    expect::skip, "relaxed: no sequential specification holds a relaxed pop; the property and stress checks measure its "
                  "rank error"};

inline constexpr expectation mutant_not_timed{expect::skip, "mutants are not timed"};
inline constexpr expectation peer_not_swappable{expect::skip, "a peer's atomics are not ours to swap for Relacy's"};
inline constexpr expectation all_locked{
    expect::skip,
    "no lock-free part to model: every access to the shared state (World::var) is under one mutex, which the "
    "property and stress checks exercise"};

// The model's verdict on an entry it passes, with what it did not look at.
inline constexpr expectation model_pass_blind{
    expect::pass,
    "no violation in two scenarios (two producers, one producer pushing twice, against two pops) at preemption "
    "bounds 1 and 2; not judged: the order of what pops return (property, linearizability and stress judge it); "
    "not seen: the consumer's own heap or cursors and the producers' buffers (thread-private plain data), "
    "load-buffering outcomes, allocation as a write"};

inline constexpr pq_traits strict_fifo{pq_order::strict, 0, true};
inline constexpr pq_traits strict_only{pq_order::strict, 0, false};
inline constexpr pq_traits relaxed_unbounded{pq_order::relaxed, no_bound, false};

// ------------------------------------------------------------ baseline

struct mutex_heap_entry {
    static constexpr std::string_view name = "mutex_heap";
    static constexpr origin_kind origin = origin_kind::in_house;
    static constexpr progress_kind progress = progress_kind::blocking;
    template <class W>
    using type = mutex_heap<W>;
    static constexpr pq_traits traits = strict_fifo;
    // property, linearizability, stress, tsan pass: one lock around a
    // binary heap whose ties break by the push sequence number (stress: 10
    // of 10 seeds, certain rank error 0 at every pop; tsan 8 of 8;
    // linearizability 4 of 4 runs, about 97% of 2000 histories
    // overlapping). model skip: all_locked. progress flaky (declared
    // blocking): the consumer stopped inside pop holds the lock and the
    // producers wait, when the stop lands inside the lock (37 of 40 runs).
    static constexpr expectations expected{.property = expect::pass, .model = all_locked,
                                           .stress = expect::pass, .tsan = expect::pass,
                                           .asan = expect::pass, .bench = expect::pass,
                                           .linearizability = expect::pass,
                                           .progress = {expect::flaky,
                                                        "blocking: a stopped lock holder stops the others, seen when "
                                                        "a stop lands inside pop's critical section: 37 of 40 runs "
                                                        "(the other 3 made one stop, outside the lock; a CI run "
                                                        "likewise)"}};
};

// ------------------------------------------------------------ run_merge

struct run_merge_entry {
    static constexpr std::string_view name = "run_merge";
    static constexpr origin_kind origin = origin_kind::in_house;
    static constexpr progress_kind progress = progress_kind::lock_free;
    template <class W>
    using type = run_merge<W>;
    static constexpr pq_traits traits = strict_fifo;
    // All pass: every push published at once (release CAS), every pop
    // collects (acquire exchange) before it merges. model: two scenarios at
    // preemption bounds 1 and 2, no violation; stress 10 of 10 seeds, tsan
    // 8 of 8, linearizability 4 of 4 runs.
    static constexpr expectations expected{.property = expect::pass, .model = model_pass_blind,
                                           .stress = expect::pass, .tsan = expect::pass,
                                           .asan = expect::pass, .bench = expect::pass,
                                           .linearizability = expect::pass, .progress = expect::pass};
};

struct run_merge_relaxed_publish_policy : run_merge_policy {
    static constexpr std::memory_order publish = std::memory_order_relaxed;
};
struct run_merge_relaxed_publish : run_merge_entry {
    static constexpr std::string_view name = "run_merge.relaxed_publish";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = run_merge<W, run_merge_relaxed_publish_policy>;
    // The producer's CAS publishes relaxed (was release). model fail
    // (scenario two_producers, first execution at bound 1): the consumer's
    // acquire exchange reads the node but synchronizes with no release, so
    // its read of the node's item (World::var) is a DATA RACE with the
    // producer's write. tsan fail (16 of 16 runs): ThreadSanitizer reports
    // the same race on the plain item natively (in one early run, at 4000
    // items, the body also reported an item lost; not explained, not seen
    // in the 15 runs since). property pass (one thread); stress and
    // linearizability pass (x86 makes a relaxed CAS the same lock cmpxchg,
    // and the compiler kept the item's store before it: 10 of 10 stress
    // seeds).
    static constexpr expectations expected{.property = expect::pass, .model = expect::fail,
                                           .stress = expect::pass, .tsan = expect::fail,
                                           .asan = expect::pass, .bench = mutant_not_timed,
                                           .linearizability = expect::pass, .progress = expect::pass};
};

struct run_merge_late_batch_policy : run_merge_policy {
    static constexpr bool collect_every_pop = false;
};
struct run_merge_late_batch_skipped : run_merge_entry {
    static constexpr std::string_view name = "run_merge.late_batch_skipped";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = run_merge<W, run_merge_late_batch_policy>;
    // The merge collects only when the consumer's heap is empty: an item
    // published after a collect waits behind everything collected before.
    // property fail, shrunk: push(p0, 0), push(p0, 0), pop, push(p0, 1),
    // then the drain's first pop returns priority 0 with the 1 present.
    // stress fail (22 of 22 seeds): a pop returns an item while a higher
    // one, whose push returned before the pop began, is popped later: a
    // certain rank error (up to thousands of items) on every linearization.
    // tsan fail (8 of 8): the same judge under TSan. linearizability fail
    // (6 of 6 seeds, within 12 histories). model skip (was run: no
    // violation, 29.9k executions): the scenarios check exactly-once and
    // races; the skipped item is still taken, later.
    static constexpr expectations expected{
        .property = expect::fail,
        .model = {expect::skip, "an ordering defect: the model's scenarios judge exactly-once and races, and a "
                                "late item is still taken once, only later (measured: no violation at bounds 1 "
                                "and 2); its scenarios are not compiled for it"},
        .stress = expect::fail, .tsan = expect::fail, .asan = expect::fail, .bench = mutant_not_timed,
        .linearizability = expect::fail, .progress = expect::pass};
};

struct run_merge_leaky_collect_policy : run_merge_policy {
    static constexpr bool free_collected = false;
};
struct run_merge_leaky_collect : run_merge_entry {
    static constexpr std::string_view name = "run_merge.leaky_collect";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = run_merge<W, run_merge_leaky_collect_policy>;
    // The consumer never frees the nodes it collects. asan fail:
    // LeakSanitizer at the entry's exit (one node per item). model fail:
    // Relacy's leak check (World::make without World::destroy) in the first
    // execution. property, linearizability, stress, tsan pass: every answer
    // is right; nothing there looks at the heap.
    static constexpr expectations expected{.property = expect::pass, .model = expect::fail,
                                           .stress = expect::pass, .tsan = expect::pass,
                                           .asan = expect::fail, .bench = mutant_not_timed,
                                           .linearizability = expect::pass, .progress = expect::pass};
};

// ------------------------------------------------------------ seed

struct seed_batches_entry {
    static constexpr std::string_view name = "seed_batches";
    static constexpr origin_kind origin = origin_kind::seed;
    static constexpr progress_kind progress = progress_kind::lock_free;
    template <class W>
    using type = seed_batches<W>;
    static constexpr pq_traits traits = strict_fifo;
    // property fail (finding): an item in a producer's unpublished batch is
    // invisible to the consumer; shrunk: push(p0, 0), pop reports empty (the
    // batch of 8 is neither full nor flushed). stress fail (the same finding
    // under threads, 10 of 10 seeds): a pop returns a lower priority, or
    // reports empty, while a pushed item waits in a producer's buffer; the
    // certain rank error averages 0.7-2.6 per pop, up to 14. tsan fail (8 of
    // 8): the same judge under TSan. linearizability fail (6 of 6 seeds,
    // within 3 histories): pops report empty after a push returned. model
    // pass: exactly-once and no race on the runs (the scenarios' producers
    // flush; the order of pops is not the model's to judge).
    static constexpr expectations expected{.property = expect::fail, .model = model_pass_blind,
                                           .stress = expect::fail, .tsan = expect::fail,
                                           .asan = expect::fail, .bench = expect::pass,
                                           .linearizability = expect::fail, .progress = expect::pass};
};

struct seed_batches_relaxed_publish_policy : seed_batches_policy {
    static constexpr std::memory_order publish = std::memory_order_relaxed;
};
struct seed_batches_relaxed_publish : seed_batches_entry {
    static constexpr std::string_view name = "seed_batches.relaxed_publish";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = seed_batches<W, 8, seed_batches_relaxed_publish_policy>;
    // The run is published by a relaxed CAS (was release). model fail
    // (first execution of two_producers at bound 1): the consumer reads the
    // run's count and cells (World::var) with no happens-before from the
    // producer's writes: DATA RACE. tsan fail (8 of 8): ThreadSanitizer
    // reports the race natively. property, stress and linearizability fail:
    // the seed's own finding, inherited; this mutant's weakening is the
    // model's and TSan's to catch.
    static constexpr expectations expected{.property = expect::fail, .model = expect::fail,
                                           .stress = expect::fail, .tsan = expect::fail,
                                           .asan = expect::fail, .bench = mutant_not_timed,
                                           .linearizability = expect::fail, .progress = expect::pass};
};

// ------------------------------------------------------------ relaxed

struct multiqueue_entry {
    static constexpr std::string_view name = "multiqueue";
    static constexpr origin_kind origin = origin_kind::in_house;
    static constexpr progress_kind progress = progress_kind::blocking;
    template <class W>
    using type = multiqueue<W>;
    static constexpr pq_traits traits = relaxed_unbounded;
    // The model searches it at preemption bound 1 only (models/pq/pq_model.cpp).
    static constexpr unsigned model_bound = 1;
    // property pass: nothing lost or duplicated, empty only when empty; rank
    // error measured, no bound to hold (sequential, 64 priorities: mean 2.1,
    // max 30 per pop). stress, tsan pass: exactly once; certain rank error
    // recorded (mean 0.9-1.5, max 27-271 per run). model pass: the heaps are
    // World::var under their locks and the top hint, read outside the lock,
    // only chooses which heap to lock (the same two scenarios as the
    // lock-free entries, at preemption bound 1: exactly once, no race, no
    // deadlock).
    // linearizability skip: relaxed.
    static constexpr expectation model_bound_1{
        expect::pass,
        "no violation in two scenarios (two producers, one producer pushing twice, against two pops) at preemption "
        "bound 1; not judged: the order of what pops return; not seen: load-buffering outcomes, schedules with two "
        "preemptions"};
    // progress flaky (declared blocking): a producer stopped inside push
    // holds its heap's lock, and the consumer's pop locks (does not try)
    // the heap its two-choice picked, and its empty scan locks every heap in
    // turn, so it waits on the stopped producer although other heaps hold
    // the untaken items; with 16 outstanding the other producer then waits
    // too. A pop that tried the lock and chose again, as push does, would
    // not wait there.
    static constexpr expectation stopped_lock_holder{
        expect::flaky,
        "blocking: a producer stopped inside push holding a heap's lock stalls the consumer's pop, which locks the "
        "heap it picks: 4 of 40 runs here (2026-11-29) and one full gcc suite run, with 16 completed pushes untaken"};
    static constexpr expectations expected{.property = expect::pass, .model = model_bound_1,
                                           .stress = expect::pass, .tsan = expect::pass,
                                           .asan = expect::pass, .bench = expect::pass,
                                           .linearizability = relaxed_no_lin, .progress = stopped_lock_holder};
};

struct multiqueue_unlocked_pop_policy : multiqueue_policy {
    static constexpr bool pop_takes_lock = false;
};
struct multiqueue_unlocked_pop : multiqueue_entry {
    static constexpr std::string_view name = "multiqueue.unlocked_pop";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = multiqueue<W, multiqueue_unlocked_pop_policy>;
    // The two-choice pop takes from its heap without the heap's lock.
    // stress fail (16 of 16 seeds, within the first round): a producer's
    // push and the unlocked pop on one heap duplicate an item (exactly-once
    // judge). tsan fail (11 of 11): the race on the heap's plain cells and
    // size. property pass (one thread: no lock is
    // needed). model fail: Relacy reports the unlocked pop's access to the
    // heap's World::var cells racing a producer's locked push.
    // progress flaky: see unlocked_pop_stall.
    static constexpr expectation unlocked_pop_stall{
        expect::flaky,
        "a stall in 3 of 108 runs (2 of 107 on the gcc build, and a CI run): a producer stopped inside push "
        "holding a heap's lock, 16 completed pushes untaken and the consumer's pops finding none for 100 ms; the "
        "pop that skips the lock reads that heap mid-push, the race stress and tsan catch, and the stop makes it "
        "last"};
    static constexpr expectations expected{
        .property = expect::pass, .model = expect::fail,
        .stress = expect::fail, .tsan = expect::fail, .asan = expect::fail, .bench = mutant_not_timed,
        .linearizability = relaxed_no_lin, .progress = unlocked_pop_stall};
};

// ------------------------------------------------------------ peer

#if defined(GAUNTLET_HAVE_TBB)
struct tbb_priority_queue_entry {
    static constexpr std::string_view name = "tbb_priority_queue";
    static constexpr origin_kind origin = origin_kind::peer;
    static constexpr progress_kind progress = progress_kind::blocking;
    template <class W>
    using type = pq_peers::tbb_priority_queue;
    static constexpr pq_traits traits = strict_only;
    // property, linearizability, stress, tsan pass: strict as oneTBB
    // documents (stress: certain rank error 0 at every pop, 10 of 10 seeds;
    // linearizability 4 of 4 runs, about 98% of 2000 histories overlapping;
    // tsan 8 of 8, no report: the queue and its aggregator are header code
    // over std::atomic, instrumented). Equal priorities are not held to push
    // order (strict_only). progress flaky (declared blocking): the consumer
    // stopped inside pop stalls both producers (oneTBB's aggregator has one
    // thread apply the others' operations) when the run's one stop lands
    // inside it: 80 of 80 runs on this machine (40, then 40 more on
    // 2026-11-29), and one CI run whose stop landed outside (no stall), as
    // mutex_heap's can.
    static constexpr expectations expected{.property = expect::pass, .model = peer_not_swappable,
                                           .stress = expect::pass, .tsan = expect::pass,
                                           .asan = expect::pass, .bench = expect::pass,
                                           .linearizability = expect::pass,
                                           .progress = {expect::flaky, "blocking: a stopped pop stalls the producers "
                                                                       "when the stop lands inside it (80 of 80 runs "
                                                                       "here; one CI run's stop landed outside)"}};
};
#endif

}  // namespace pq_entries

using inhouse_pq_catalogue =
    type_list<pq_entries::mutex_heap_entry, pq_entries::run_merge_entry, pq_entries::run_merge_relaxed_publish,
              pq_entries::run_merge_late_batch_skipped, pq_entries::run_merge_leaky_collect,
              pq_entries::seed_batches_entry,
              pq_entries::seed_batches_relaxed_publish, pq_entries::multiqueue_entry,
              pq_entries::multiqueue_unlocked_pop>;

#if defined(GAUNTLET_HAVE_TBB)
using peer_pq_catalogue = type_list<pq_entries::tbb_priority_queue_entry>;
#else
using peer_pq_catalogue = type_list<>;
#endif

using pq_catalogue = concat_lists<inhouse_pq_catalogue, peer_pq_catalogue>;

// The part the Relacy world can compile (models/pq/pq_model.cpp).
struct inhouse_pq_kind {
    static constexpr std::string_view name = "pq";
    using catalogue = inhouse_pq_catalogue;
    template <class E>
    static std::string component() {
        return E::traits.order == pq_order::strict ? "pq.strict" : "pq.relaxed";
    }
};

// Every priority queue, peers included (every check but the model).
struct pq_kind : inhouse_pq_kind {
    using catalogue = pq_catalogue;
};

}  // namespace gauntlet
