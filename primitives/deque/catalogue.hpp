// The deque catalogue (component kind "deque"): every work-stealing deque the
// checks run, with its expected verdict per check and one reason each.
//
// In-house entries (and the published port and the mutants) are written over
// a World and run every check, the Relacy model included
// (inhouse_deque_kind); the peer runs every check but the model (deque_kind).
//
// Checks of this kind: property (properties/deque/deque_property.cpp),
// linearizability (properties/deque/deque_linearizability.cpp), model
// (models/deque/deque_model.cpp), stress and tsan
// (stress/deque/deque_stress.cpp), asan (stress/deque/deque_asan.cpp), bench
// (bench/deque/bench_deque.cpp), progress (stress/progress/deque_progress.cpp).
//
// Facts the reasons rely on:
//   - x86-TSO: a weakened acquire/release or a relaxed CAS compiles to the
//     same instructions, so the native stress of such a mutant passes; a
//     removed seq_cst fence (an mfence) does change what x86 does (store
//     buffering), but only within a few instructions' window.
//   - ThreadSanitizer ignores fences and does not model store buffering: a
//     missing fence is invisible to it; a missing release on a publication
//     of plain data (the array's size) is a race it reports when it happens.
//   - AddressSanitizer judges exactly-once in deque_asan.cpp through heap
//     items freed by their taker: a duplicate is a use-after-free or double
//     free, a lost item a leak, a never-written cell a null or wild read.
//     It sees a duplicate only when the run produces one, as stress does.
//   - The linearizability check's histories are short (3-5 operations per
//     thread): a defect that needs a few instructions' window (a missing
//     fence) shows in some runs of 3000 histories, not all.
//   - The model (Relacy) explores the C++ model's executions of the scenarios
//     (minus load buffering) and checks exactly-once and races on World::var.
//   - The asymmetric pair (world.hpp: light_fence, heavy_fence) is modelled
//     as C++ would specify it (relacy_world.hpp): a light fence and a heavy
//     one act as two seq_cst fences in the order they run, two light fences
//     order nothing; so the model sees a heavy fence weakened to a light
//     one. Natively a light fence is a compiler barrier and a heavy one a
//     membarrier system call (x86: two light fences leave store buffering
//     open, as a removed fence does).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "primitives/catalogue.hpp"
#include "primitives/deque/chase_lev.hpp"
#include "primitives/deque/chase_lev_le2013.hpp"
#include "primitives/deque/contract.hpp"
#include "primitives/deque/mutex_deque.hpp"
#include "primitives/deque/peers.hpp"

namespace gauntlet {

namespace deque_entries {

using item = std::uint64_t;

inline constexpr expectation mutant_not_timed{expect::skip, "mutants are not timed"};
inline constexpr expectation peer_not_swappable{expect::skip, "a peer's atomics are not ours to swap for Relacy's"};

inline constexpr deque_traits growable{false, true};
inline constexpr deque_traits bounded{true, true};

// ------------------------------------------------------------ published

// linearizability fail (finding), the published port and its mutants alike:
// the size_t underflow of the first pop on a new deque (property's
// counterexample) under threads: the owner's pop on an empty deque returns
// 0, a cell no push wrote, and a thief then steals another 0 (bottom left at
// SIZE_MAX). Seen in every run (12 of 12 seeds and the default): scenarios
// without a pre-fill whose owner pops first are one in eight. This is the
// only defect the check shows in the le2013 mutants: each mutant's own
// weakening is the model's to catch.
inline constexpr expectation le2013_lin_underflow{expect::fail};
inline constexpr expectation fence_lin_by_chance{
    expect::flaky,
    "the missing take fence's duplicate (a pop and a steal both taking one item) shows when a scenario's pop and "
    "steal meet within the store buffer's window: measured in 4 of 30 runs (chase_lev.no_take_fence) and 3 of 30 "
    "(chase_lev_bounded.no_take_fence) of 3000 histories each"};
inline constexpr expectation fence_asan_by_chance{
    expect::flaky,
    "AddressSanitizer names the duplicate of the missing take fence as a heap-use-after-free when the run produces "
    "one, which needs the store buffer's window: measured at the default 10 rounds of 50000 items in 4, 7 and 7 of "
    "12 seeds (chase_lev, chase_lev_bounded, chase_lev_le2013 .no_take_fence); the rate moves with the machine's "
    "load"};

struct chase_lev_le2013_entry {
    static constexpr std::string_view name = "chase_lev_le2013";
    static constexpr origin_kind origin = origin_kind::published;
    static constexpr progress_kind progress = progress_kind::lock_free;
    template <class W>
    using type = chase_lev_le2013<W, item>;
    static constexpr deque_traits traits = growable;
    // property fail (finding): size_t indices; `pop` on a new deque computes
    // b = SIZE_MAX, returns a cell no push wrote and leaves bottom there
    // (top and bottom start at 0 here: Fig. 1 shows no initialisation; an
    // implementation that starts both at 1 does not underflow on the first
    // pop, but the paper's code does not say so).
    // model pass: the scenarios push before the owner pops (no underflow);
    // the paper's orders hold in every search. stress / tsan pass: the owner
    // begins with pushes; the cells are atomics. asan pass: the same, with
    // heap items (22 of 22 seeds). linearizability fail (finding):
    // le2013_lin_underflow.
    static constexpr expectations expected{.property = expect::fail, .model = expect::pass,
                                           .stress = expect::pass, .tsan = expect::pass,
                                           .asan = expect::pass, .bench = expect::pass,
                                           .linearizability = le2013_lin_underflow, .progress = expect::pass};
};

inline constexpr expectation fence_tsan_by_chance{
    expect::flaky,
    "TSan reports nothing (no race: the cells are atomics, and it ignores fences); its verdict is the stress "
    "body's exactly-once judge, which sees the store-buffering duplicate only by chance at TSan's speed "
    "(measured: once in 8 runs for the bounded mutant, never in 8 for the growable ones)"};
inline constexpr expectation le2013_underflow{expect::fail};  // property: inherited, see below

struct le2013_no_take_fence_orders : le2013_orders {
    static constexpr bool take_fence = false;
};
struct chase_lev_le2013_no_take_fence : chase_lev_le2013_entry {
    static constexpr std::string_view name = "chase_lev_le2013.no_take_fence";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev_le2013<W, item, le2013_no_take_fence_orders>;
    // take's seq_cst fence removed. model fail (scenario one_thief, one
    // preemption): the owner pushes 1 and 2, pops: lowers bottom to 1, reads
    // a stale top 0 and takes item 2 without a CAS; the thief's two steals
    // read top 0, then 1, and a stale bottom 2 (Relacy: NOT CURRENT) each
    // time, and take items 1 and 2: item 2 twice. property fail:
    // inherits the published size_t underflow. stress: store buffering on
    // x86 within a few instructions: by chance; when the duplicate leaves
    // top above bottom, the next resize's copy loop (size_t, `i != b`)
    // hangs and the entry is killed at the timeout (seen once in 8 runs).
    // tsan flaky: no race (cells
    // are atomics), TSan ignores fences; only the body's judge, by chance.
    // asan flaky: the duplicate, by chance, is a heap-use-after-free.
    // linearizability fail: the inherited underflow (le2013_lin_underflow).
    // progress flaky: killed at the timeout (a hang, no stall report) in 4
    // of 37 runs at --seconds 0.4 (2026-11-29), as stress can hang; a hung
    // child's owner was found in the resize's copy loop (`i != b`).
    static constexpr expectations expected{
        .property = le2013_underflow, .model = expect::fail,
        .stress = {expect::flaky, "the duplicate needs the owner's store of bottom still in its store buffer "
                                  "while a thief reads bottom: a few instructions' window; seen in 2 to 10 of 10 "
                                  "runs of 8 rounds, depending on the mutant and the machine's load"},
        .tsan = fence_tsan_by_chance, .asan = fence_asan_by_chance, .bench = mutant_not_timed,
        .linearizability = le2013_lin_underflow,
        .progress = {expect::flaky, "the entry hangs by chance (killed at the timeout in 4 of 37 runs), as its "
                                    "stress check can: a duplicate that leaves top above bottom sends the next "
                                    "resize's size_t copy loop towards 2^64"}};
};

struct le2013_no_steal_fence_orders : le2013_orders {
    static constexpr bool steal_fence = false;
};
struct chase_lev_le2013_no_steal_fence : chase_lev_le2013_entry {
    static constexpr std::string_view name = "chase_lev_le2013.no_steal_fence";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev_le2013<W, item, le2013_no_steal_fence_orders>;
    // steal's seq_cst fence removed. model fail (scenario one_thief): the
    // same duplicate from the thief's side: its load of bottom, no longer
    // ordered after the owner's fence, reads the stale 2 after the owner took
    // item 2 without a CAS. property fail: the inherited underflow.
    // stress pass: on x86 the thief's two loads stay in order, and the
    // owner's mfence still drains its store: the outcome needs the C++
    // model's freedom, not x86's. tsan pass: TSan ignores fences. asan pass
    // (x86, as stress). linearizability fail: the inherited underflow.
    static constexpr expectations expected{.property = le2013_underflow, .model = expect::fail,
                                           .stress = expect::pass, .tsan = expect::pass,
                                           .asan = expect::pass, .bench = mutant_not_timed,
                                           .linearizability = le2013_lin_underflow, .progress = expect::pass};
};

struct le2013_relaxed_steal_cas_orders : le2013_orders {
    static constexpr std::memory_order steal_cas = std::memory_order_relaxed;
};
struct chase_lev_le2013_relaxed_steal_cas : chase_lev_le2013_entry {
    static constexpr std::string_view name = "chase_lev_le2013.relaxed_steal_cas";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev_le2013<W, item, le2013_relaxed_steal_cas_orders>;
    // steal's CAS on top relaxed (was seq_cst). model fail (scenario lap,
    // bound 1): the CAS no longer releases to push's acquire load of top, so
    // the thief's read of cell 0 (item 1) does not happen before the owner's
    // push of item 3 into that cell: a DATA RACE on the cell's witness. The
    // value outcome (the thief returning item 3: load buffering) is one
    // Relacy cannot produce and x86 never shows; the witness makes the
    // missing edge visible instead. The store-buffering race of pop and
    // steal stays forbidden without the CAS in S (C++20 orders the two
    // fences through top's coherence order), so the other scenarios pass.
    // property fail: the inherited underflow. stress / tsan / asan pass:
    // x86 keeps the read before the CAS, and the cells are atomics, so TSan
    // has no race to report. linearizability fail: the inherited underflow.
    static constexpr expectations expected{.property = le2013_underflow, .model = expect::fail,
                                           .stress = expect::pass, .tsan = expect::pass,
                                           .asan = expect::pass, .bench = mutant_not_timed,
                                           .linearizability = le2013_lin_underflow, .progress = expect::pass};
};

struct le2013_relaxed_publish_orders : le2013_orders {
    static constexpr std::memory_order publish_array = std::memory_order_relaxed;
};
struct chase_lev_le2013_relaxed_publish : chase_lev_le2013_entry {
    static constexpr std::string_view name = "chase_lev_le2013.relaxed_array_publish";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev_le2013<W, item, le2013_relaxed_publish_orders>;
    // resize publishes the new array relaxed (was release). model fail: in
    // the resize scenario a thief that read bottom before the resize loads
    // the new array: its size (World::var) races with the construction, and
    // its cells may still hold their initial zero. tsan: the same race on
    // the size; push's release is a fence TSan ignores, so no other edge
    // hides it. property fail: the inherited underflow. stress and asan
    // pass: x86. linearizability fail: the inherited underflow.
    static constexpr expectations expected{.property = le2013_underflow, .model = expect::fail,
                                           .stress = expect::pass, .tsan = expect::fail,
                                           .asan = expect::pass, .bench = mutant_not_timed,
                                           .linearizability = le2013_lin_underflow, .progress = expect::pass};
};

// ------------------------------------------------------------ repaired

struct chase_lev_entry {
    static constexpr std::string_view name = "chase_lev";
    static constexpr origin_kind origin = origin_kind::in_house;
    static constexpr progress_kind progress = progress_kind::lock_free;
    template <class W>
    using type = chase_lev<W, item>;
    static constexpr deque_traits traits = growable;
    // All pass: signed indices, every order justified in chase_lev.hpp;
    // replaced arrays freed at destruction (asan: no leak).
    static constexpr expectations expected{.property = expect::pass, .model = expect::pass,
                                           .stress = expect::pass, .tsan = expect::pass,
                                           .asan = expect::pass, .bench = expect::pass,
                                           .linearizability = expect::pass, .progress = expect::pass};
};

struct chase_lev_no_take_fence_policy : chase_lev_policy {
    static constexpr bool take_fence = false;
};
struct chase_lev_no_take_fence : chase_lev_entry {
    static constexpr std::string_view name = "chase_lev.no_take_fence";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev<W, item, chase_lev_no_take_fence_policy>;
    // As chase_lev_le2013.no_take_fence: model fail (one_thief: item 2
    // popped and stolen), stress and tsan by chance (tsan: no race, fences
    // invisible, only the body's judge), property pass (one thread);
    // linearizability and asan flaky (the duplicate by chance: e.g. a pop
    // and a steal both returning item 2 of a pre-fill of 3).
    static constexpr expectations expected{
        .property = expect::pass, .model = expect::fail,
        .stress = chase_lev_le2013_no_take_fence::expected.stress, .tsan = fence_tsan_by_chance,
        .asan = fence_asan_by_chance, .bench = mutant_not_timed, .linearizability = fence_lin_by_chance,
        .progress = expect::pass};
};

struct chase_lev_no_steal_fence_policy : chase_lev_policy {
    static constexpr bool steal_fence = false;
};
struct chase_lev_no_steal_fence : chase_lev_entry {
    static constexpr std::string_view name = "chase_lev.no_steal_fence";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev<W, item, chase_lev_no_steal_fence_policy>;
    // As chase_lev_le2013.no_steal_fence: model fail; property, stress,
    // tsan, asan, linearizability pass (x86 keeps the thief's loads in order).
    static constexpr expectations expected{.property = expect::pass, .model = expect::fail,
                                           .stress = expect::pass, .tsan = expect::pass,
                                           .asan = expect::pass, .bench = mutant_not_timed,
                                           .linearizability = expect::pass, .progress = expect::pass};
};

struct chase_lev_relaxed_steal_cas_policy : chase_lev_policy {
    static constexpr std::memory_order steal_cas = std::memory_order_relaxed;
};
struct chase_lev_relaxed_steal_cas : chase_lev_entry {
    static constexpr std::string_view name = "chase_lev.relaxed_steal_cas";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev<W, item, chase_lev_relaxed_steal_cas_policy>;
    // As chase_lev_le2013.relaxed_steal_cas: model fail (scenario lap, the
    // witness race), and nothing else sees it (linearizability, stress,
    // tsan and asan pass: x86 and atomics); property pass (one thread).
    static constexpr expectations expected{.property = expect::pass, .model = expect::fail,
                                           .stress = expect::pass, .tsan = expect::pass,
                                           .asan = expect::pass, .bench = mutant_not_timed,
                                           .linearizability = expect::pass, .progress = expect::pass};
};

struct chase_lev_steal_store_policy : chase_lev_policy {
    static constexpr bool steal_claims_by_store = true;
};
struct chase_lev_steal_store : chase_lev_entry {
    static constexpr std::string_view name = "chase_lev.steal_store_not_cas";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev<W, item, chase_lev_steal_store_policy>;
    // The top CAS in steal weakened to a store (no read-modify-write): two
    // thieves that read the same top both claim the same item, and so do a
    // thief and the owner's CAS on the last item. model fail (scenario
    // last_element, bound 1: the thief reads top 0 and bottom 1, the owner's
    // CAS 0 -> 1 wins the last item, the thief's store of 1 claims it too).
    // property pass (one thread). stress fail: with two thieves a duplicate
    // steal in every run measured (20 of 20 seeds, 8 rounds each: the window
    // between a thief's load and store of top is wide against a second
    // thief spinning on steal). tsan fail: TSan reports no race (atomics
    // only), but the same body's exactly-once judge fails under it too (3 of
    // 3 runs). linearizability fail: two thieves' steals both return item 1
    // of a pre-fill of 3 (every run measured: 43 of 43 seeds, the first
    // failing history between the 1st and the 1251st of 3000). asan fail: the second taker reads the item the first
    // freed, heap-use-after-free (32 of 32 seeds at the default 10 rounds
    // of 50000 items; at 6 rounds 9 of 10, hence 10).
    // Measured again under load (other builds running): stress caught it in
    // 49 of 60 runs, tsan in 39 of 43: both flaky; model, linearizability
    // and asan hold it.
    static constexpr expectation duplicate_by_chance{
        expect::flaky, "a duplicate steal needs two thieves between one load and store: 49 of 60 runs under load"};
    static constexpr expectations expected{
        .property = expect::pass, .model = expect::fail,
        .stress = duplicate_by_chance,
        .tsan = duplicate_by_chance, .asan = expect::fail, .bench = mutant_not_timed, .linearizability = expect::fail,
        .progress = expect::pass};
};

struct chase_lev_relaxed_publish_policy : chase_lev_policy {
    static constexpr std::memory_order publish_array = std::memory_order_relaxed;
};
struct chase_lev_relaxed_publish : chase_lev_entry {
    static constexpr std::string_view name = "chase_lev.relaxed_array_publish";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev<W, item, chase_lev_relaxed_publish_policy>;
    // grow publishes the new array relaxed (was release). model fail
    // (scenario resize): a thief that read bottom before the grow loads the
    // new array and reads its size (World::var) with no happens-before from
    // its construction: DATA RACE. tsan fail: the same race on the size in
    // steal (chase_lev.hpp, cell()), 3 of 3 runs; push's release store of
    // bottom orders the array only for thieves that read a bottom written
    // after the grow, so the race needs a thief that loaded bottom before it.
    // property pass (one thread); stress, asan and linearizability pass
    // (x86: a relaxed store is the same mov).
    // Measured again: tsan reported the race in 33 of 42 runs: flaky; the
    // model holds it.
    static constexpr expectation race_by_chance{
        expect::flaky, "the race needs a thief that read bottom before the grow: 33 of 42 tsan runs"};
    static constexpr expectations expected{.property = expect::pass, .model = expect::fail,
                                           .stress = expect::pass, .tsan = race_by_chance,
                                           .asan = expect::pass, .bench = mutant_not_timed,
                                           .linearizability = expect::pass, .progress = expect::pass};
};

// ------------------------------------------------------------ asymmetric

// The two chase_lev_asym mutants whose thieves execute no real fence
// (light_steal_fence, no_steal_fence): natively both sides have at most a
// compiler barrier, the store-buffering race of chase_lev.no_take_fence.
// stress flaky: the duel (deque_stress.hpp), a litmus-style race at the
// last two items, raised the catch rate but not to every run. Measured
// 2026-11-29, whole check: light_steal_fence 40 of 40, then 18 of 20 and 1
// miss in 1 (a later hour, the same machine); no_steal_fence 40 of 40, then
// 19 of 20 and 0 of 1. The duel alone (--rounds 1 --items 1): 10 of 10 for
// both, also with `yes` busy on the other core. Without the duel: 21 and 27
// of 30 quiet, 0 and 2 of 30 with `yes` on the other core.
inline constexpr expectation asym_fence_stress_duel{
    expect::flaky,
    "the store-buffering duplicate, which the duel's litmus-style races produce in most runs: light_steal_fence "
    "40 of 40, then 18 of 20 and 0 of 1 an hour later; no_steal_fence 40 of 40, 19 of 20, 0 of 1 (2026-11-29)"};
inline constexpr expectation asym_fence_tsan_by_chance{
    expect::flaky,
    "TSan reports nothing (no race: the cells are atomics, and it sees neither kind of fence); its verdict is the "
    "stress body's exactly-once judge, which saw no duplicate in 20 of 20 runs of either mutant but can see one"};
inline constexpr expectation asym_fence_asan_by_chance{
    expect::flaky,
    "AddressSanitizer names a duplicate as a heap-use-after-free when the run produces one: none in 72 runs of "
    "either mutant at the default 10 rounds, nor in 3 at 100 rounds (chase_lev.no_take_fence alongside: none in "
    "30 and in 3), though the stress check's runs produce one more often than not"};
inline constexpr expectation asym_fence_lin_by_chance{
    expect::flaky,
    "the duplicate shows when a scenario's pop and steal meet within the store buffer's window: in 1 of 60 runs "
    "(light_steal_fence) and 4 of 60 (no_steal_fence) of 3000 histories each"};

struct chase_lev_asym_entry {
    static constexpr std::string_view name = "chase_lev_asym";
    static constexpr origin_kind origin = origin_kind::in_house;
    static constexpr progress_kind progress = progress_kind::lock_free;
    template <class W>
    using type = chase_lev<W, item, chase_lev_asym_policy>;
    static constexpr deque_traits traits = growable;
    // All pass: chase_lev with pop's fence light and steal's heavy
    // (chase_lev.hpp, "Asymmetric fences"); in the model and natively the
    // pair forbids what two seq_cst fences forbid.
    static constexpr expectations expected = chase_lev_entry::expected;
};

struct chase_lev_asym_light_steal_fence_policy : chase_lev_asym_policy {
    static constexpr chase_lev_fence steal_fence_kind = chase_lev_fence::light;
};
struct chase_lev_asym_light_steal_fence : chase_lev_asym_entry {
    static constexpr std::string_view name = "chase_lev_asym.light_steal_fence";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev<W, item, chase_lev_asym_light_steal_fence_policy>;
    // steal's heavy fence weakened to a light one: both sides now execute
    // only a compiler barrier, and nothing forbids store buffering; natively
    // this is chase_lev.no_take_fence's race (x86 keeps the thief's loads in
    // order, so the thief's compiler barrier adds nothing).
    // model fail (scenario one_thief): two light fences order nothing in the
    // Relacy world either (relacy_world.hpp), and the search finds the
    // duplicate: the owner takes item 2 without a CAS after reading a stale
    // top, the thief reads a stale bottom twice and steals items 1 and 2.
    // property pass (one thread). stress flaky: the duel's duplicate, in
    // most runs (asym_fence_stress_duel). tsan, asan, linearizability: the
    // duplicate by chance (asym_fence_*_by_chance).
    static constexpr expectations expected{
        .property = expect::pass, .model = expect::fail,
        .stress = asym_fence_stress_duel, .tsan = asym_fence_tsan_by_chance,
        .asan = asym_fence_asan_by_chance, .bench = mutant_not_timed, .linearizability = asym_fence_lin_by_chance,
        .progress = expect::pass};
};

struct chase_lev_asym_no_take_fence_policy : chase_lev_asym_policy {
    static constexpr bool take_fence = false;
};
struct chase_lev_asym_no_take_fence : chase_lev_asym_entry {
    static constexpr std::string_view name = "chase_lev_asym.no_take_fence";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev<W, item, chase_lev_asym_no_take_fence_policy>;
    // pop's light fence removed. model fail (scenario one_thief), as
    // chase_lev.no_take_fence: a heavy fence pairs only with a light one
    // (relacy_world.hpp), so steal's fence alone forbids nothing.
    // Natively the light fence is only a compiler barrier, and without it
    // gcc 12 and clang 14 still emit the store of bottom before the load of
    // top (their -O2 code of pop), so the machine code is the correct
    // entry's and the thief's membarrier still orders the owner: property,
    // stress, tsan, asan and linearizability pass.
    static constexpr expectations expected{.property = expect::pass, .model = expect::fail,
                                           .stress = expect::pass, .tsan = expect::pass,
                                           .asan = expect::pass, .bench = mutant_not_timed,
                                           .linearizability = expect::pass, .progress = expect::pass};
};

struct chase_lev_asym_no_steal_fence_policy : chase_lev_asym_policy {
    static constexpr bool steal_fence = false;
};
struct chase_lev_asym_no_steal_fence : chase_lev_asym_entry {
    static constexpr std::string_view name = "chase_lev_asym.no_steal_fence";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev<W, item, chase_lev_asym_no_steal_fence_policy>;
    // steal's heavy fence removed. model fail (as chase_lev.no_steal_fence:
    // pop's fence alone forbids nothing). Natively the same code as
    // light_steal_fence but for a compiler barrier between two loads that x86
    // keeps in order: the owner's only fence is a compiler barrier, so store
    // buffering shows: stress in most runs (the duel: asym_fence_stress_duel),
    // the other native checks by chance (asym_fence_*_by_chance). property
    // pass (one thread).
    static constexpr expectations expected{
        .property = expect::pass, .model = expect::fail,
        .stress = asym_fence_stress_duel, .tsan = asym_fence_tsan_by_chance,
        .asan = asym_fence_asan_by_chance, .bench = mutant_not_timed, .linearizability = asym_fence_lin_by_chance,
        .progress = expect::pass};
};

struct chase_lev_asym_relaxed_steal_cas_policy : chase_lev_asym_policy {
    static constexpr std::memory_order steal_cas = std::memory_order_relaxed;
};
struct chase_lev_asym_relaxed_steal_cas : chase_lev_asym_entry {
    static constexpr std::string_view name = "chase_lev_asym.relaxed_steal_cas";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev<W, item, chase_lev_asym_relaxed_steal_cas_policy>;
    // As chase_lev.relaxed_steal_cas: model fail (scenario lap, the witness
    // race), and nothing else sees it (x86 and atomics).
    static constexpr expectations expected = chase_lev_relaxed_steal_cas::expected;
};

// ------------------------------------------------------------ bounded

struct chase_lev_bounded_entry {
    static constexpr std::string_view name = "chase_lev_bounded";
    static constexpr origin_kind origin = origin_kind::in_house;
    static constexpr progress_kind progress = progress_kind::lock_free;
    template <class W>
    using type = chase_lev<W, item, chase_lev_bounded_policy>;
    static constexpr deque_traits traits = bounded;
    // All pass: chase_lev without resize; push reports full at the bound.
    static constexpr expectations expected = chase_lev_entry::expected;
};

struct chase_lev_bounded_no_take_fence_policy : chase_lev_bounded_policy {
    static constexpr bool take_fence = false;
};
struct chase_lev_bounded_no_take_fence : chase_lev_bounded_entry {
    static constexpr std::string_view name = "chase_lev_bounded.no_take_fence";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev<W, item, chase_lev_bounded_no_take_fence_policy>;
    // As chase_lev.no_take_fence. stress flaky: at a bound of 2-16 the
    // owner's pops run near the top all the time and the duplicate shows
    // more often (measured 10 of 10 and 7 of 10 seeds in two series; the
    // growable mutant 5 and 2 of 10, its published twin 6 and 2 of 10), but
    // not in every run. linearizability and asan flaky, as chase_lev's.
    static constexpr expectations expected{.property = expect::pass, .model = expect::fail,
                                           .stress = chase_lev_le2013_no_take_fence::expected.stress,
                                           .tsan = fence_tsan_by_chance,
                                           .asan = fence_asan_by_chance, .bench = mutant_not_timed,
                                           .linearizability = fence_lin_by_chance, .progress = expect::pass};
};

struct chase_lev_bounded_no_steal_fence_policy : chase_lev_bounded_policy {
    static constexpr bool steal_fence = false;
};
struct chase_lev_bounded_no_steal_fence : chase_lev_bounded_entry {
    static constexpr std::string_view name = "chase_lev_bounded.no_steal_fence";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev<W, item, chase_lev_bounded_no_steal_fence_policy>;
    // As chase_lev.no_steal_fence.
    static constexpr expectations expected = chase_lev_no_steal_fence::expected;
};

struct chase_lev_bounded_relaxed_steal_cas_policy : chase_lev_bounded_policy {
    static constexpr std::memory_order steal_cas = std::memory_order_relaxed;
};
struct chase_lev_bounded_relaxed_steal_cas : chase_lev_bounded_entry {
    static constexpr std::string_view name = "chase_lev_bounded.relaxed_steal_cas";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = chase_lev<W, item, chase_lev_bounded_relaxed_steal_cas_policy>;
    // As chase_lev.relaxed_steal_cas.
    static constexpr expectations expected = chase_lev_relaxed_steal_cas::expected;
};

// ------------------------------------------------------------ baseline

struct mutex_deque_entry {
    static constexpr std::string_view name = "mutex_deque";
    static constexpr origin_kind origin = origin_kind::in_house;
    static constexpr progress_kind progress = progress_kind::blocking;
    template <class W>
    using type = mutex_deque<W, item>;
    static constexpr deque_traits traits = growable;
    // All pass but progress: every operation under one lock; the model sees
    // the lock discipline (state is World::var). progress fail (declared
    // blocking): the owner stopped inside push or pop while it holds the
    // lock, the thieves' steals wait for it with 15 items in the deque
    // (7 of 7 runs).
    static constexpr expectations expected{
        .property = expect::pass, .model = expect::pass, .stress = expect::pass, .tsan = expect::pass,
        .asan = expect::pass, .bench = expect::pass, .linearizability = expect::pass,
        .progress = {expect::fail, "blocking: a stopped lock holder stops the thieves"}};
};

struct mutex_deque_unlocked_steal_policy : mutex_deque_policy {
    static constexpr bool steal_takes_lock = false;
};
struct mutex_deque_unlocked_steal : mutex_deque_entry {
    static constexpr std::string_view name = "mutex_deque.unlocked_steal";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = mutex_deque<W, item, mutex_deque_unlocked_steal_policy>;
    // steal skips the lock. model fail: the ring's head and size are
    // World::var, so the unguarded access is a data race Relacy reports
    // (last_element, one preemption). tsan fail: the same race on the plain
    // fields natively. property pass (one thread). stress fail: the owner's
    // pop and an unguarded steal take the same item (a duplicate) in every
    // run measured (15 of 15 seeds, within the first round).
    // linearizability fail: a steal returns item 1 a second time after the
    // owner's push of 2 (43 of 43 seeds, within the first few histories).
    // asan fail: heap-use-after-free of a stolen item (32 of 32 seeds).
    // Measured again: stress caught it in 100 of 101 runs: flaky (one
    // meson run in a hundred would mismatch); model, tsan, linearizability
    // and asan hold it.
    static constexpr expectation duplicate_nearly_always{
        expect::flaky, "a duplicate needs a steal inside the owner's pop: 100 of 101 runs"};
    static constexpr expectations expected{
        .property = expect::pass, .model = expect::fail,
        .stress = duplicate_nearly_always,
        .tsan = expect::fail, .asan = expect::fail, .bench = mutant_not_timed, .linearizability = expect::fail,
        .progress = {expect::flaky,
                     "the thieves skip the lock, so a stopped owner stalls them only when the race has left the "
                     "ring's size or head wrong and their steals answer empty: stalls in 4 of 6 runs"}};
};

// ------------------------------------------------------------ peer

#if defined(GAUNTLET_HAVE_XENIUM)
struct xenium_chase_deque_entry {
    static constexpr std::string_view name = "xenium_chase_deque";
    static constexpr origin_kind origin = origin_kind::peer;
    static constexpr progress_kind progress = progress_kind::lock_free;
    template <class W>
    using type = deque_peers::xenium_chase_deque;
    static constexpr deque_traits traits{false, false};  // every failed steal is `abort`
    // property fail (finding): xenium 0.0.2 (Debian 0.0.2+ds-8),
    // detail/growing_circular_array.hpp grow(): the copy computes the new
    // cell as `i % new_mod_mask` (modulo capacity - 1) where the reads mask
    // with `& mask`, so a grow with top > 0 puts items where get() does not
    // look. Shrunk counterexample (capacity 2): fill(1), pop, push, pop,
    // fill(3), steal, steal: the second steal returns 0 (a cell no push
    // wrote) instead of the second item.
    // stress fail (the same defect under threads: items lost, duplicated or
    // a never-written 0 stolen after a grow; 10 of 10 seeds).
    // tsan fail: the stress body's judge under TSan (3 of 3 runs); TSan
    // itself reported no race (xenium's cells are atomics).
    // linearizability fail (the same finding): after pushes 3-5 grow the
    // array with top at 2, a steal returns 0 (43 of 43 seeds, within the
    // first 150 histories). asan fail: the stolen 0 read as an item is a null member
    // access (UBSan), or a lost item a leak (32 of 32 seeds).
    // Measured again: stress caught it in 39 of 40 runs: flaky; property,
    // linearizability and asan hold the finding.
    static constexpr expectation lost_item_nearly_always{
        expect::flaky, "a grow with top > 0 under threads: 39 of 40 runs"};
    static constexpr expectations expected{.property = expect::fail, .model = peer_not_swappable,
                                           .stress = lost_item_nearly_always, .tsan = expect::fail,
                                           .asan = expect::fail, .bench = expect::pass,
                                           .linearizability = expect::fail, .progress = expect::pass};
};
#endif

}  // namespace deque_entries

using inhouse_deque_catalogue =
    type_list<deque_entries::chase_lev_le2013_entry, deque_entries::chase_lev_le2013_no_take_fence,
              deque_entries::chase_lev_le2013_no_steal_fence, deque_entries::chase_lev_le2013_relaxed_steal_cas,
              deque_entries::chase_lev_le2013_relaxed_publish, deque_entries::chase_lev_entry,
              deque_entries::chase_lev_no_take_fence, deque_entries::chase_lev_no_steal_fence,
              deque_entries::chase_lev_relaxed_steal_cas, deque_entries::chase_lev_steal_store,
              deque_entries::chase_lev_relaxed_publish, deque_entries::chase_lev_asym_entry,
              deque_entries::chase_lev_asym_light_steal_fence, deque_entries::chase_lev_asym_no_take_fence,
              deque_entries::chase_lev_asym_no_steal_fence, deque_entries::chase_lev_asym_relaxed_steal_cas,
              deque_entries::chase_lev_bounded_entry, deque_entries::chase_lev_bounded_no_take_fence,
              deque_entries::chase_lev_bounded_no_steal_fence, deque_entries::chase_lev_bounded_relaxed_steal_cas,
              deque_entries::mutex_deque_entry, deque_entries::mutex_deque_unlocked_steal>;

#if defined(GAUNTLET_HAVE_XENIUM)
using peer_deque_catalogue = type_list<deque_entries::xenium_chase_deque_entry>;
#else
using peer_deque_catalogue = type_list<>;
#endif

using deque_catalogue = concat_lists<inhouse_deque_catalogue, peer_deque_catalogue>;

// The part the Relacy world can compile (models/deque/deque_model.cpp).
struct inhouse_deque_kind {
    static constexpr std::string_view name = "deque";
    using catalogue = inhouse_deque_catalogue;
    template <class E>
    static std::string component() {
        return E::traits.bounded ? "deque.work_stealing.bounded" : "deque.work_stealing";
    }
};

// Every deque, peers included (every check but the model).
struct deque_kind : inhouse_deque_kind {
    using catalogue = deque_catalogue;
};

}  // namespace gauntlet
