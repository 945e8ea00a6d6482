// The litmus catalogue: one table per shape, one row per memory-order
// annotation, each row stating the outcomes the C++ memory model forbids.
//
// A table is a struct:
//
//   struct sb_table {
//       using shape = store_buffering_shape;                       // litmus_shapes.hpp
//       template <class W, orders O> using body = store_buffering<W, O>;
//       using out = outcome_of<shape>;
//       static constexpr outcome_set<shape> weak{out{0, 0}};      // no interleaving gives them
//       static constexpr std::string_view model_gap = "...";      // why Relacy misses an outcome ("" if never)
//       static constexpr std::string_view hardware_note = "...";  // what sharing cores hides ("" if nothing)
//       static constexpr std::array rows{
//           row<shape>{.annotation = "sc", .ord = ann::seq_cst, .forbidden = {out{0, 0}},
//                      .argument = "why 0,0 is forbidden", .reference = "[BOSSW11] SB+sc; ..."},
//           ...
//       };
//   };
//
// Every outcome of the shape's domain not in `forbidden` is allowed.
// Outcomes are `outcome_of<Shape>` values checked when compiled: a register
// value outside the shape's domain, or the wrong number of registers, does
// not compile; a forbidden outcome that some interleaving produces (not in
// `weak`), or a declared model gap that is forbidden, fails a static_assert.
//
// Each row becomes one catalogue entry, `litmus_test<Table, Row>`, named
// "<shape>.<annotation>". A run fails (verdict fail) when
//   * a forbidden outcome is seen on this hardware or reached by the model;
//   * Relacy stops with an error;
//   * an allowed outcome Relacy does not reach is not in the row's
//     `unreached` (an undeclared limitation: the model, or the world's
//     mapping of the orders, is stronger than C++ says), or an outcome in
//     `unreached` is reached (the declaration is stale).
// `unreached` lists the allowed outcomes Relacy is expected not to reach;
// the reason is the table's `model_gap` (Relacy adds each store to the end of
// its location's modification order when the store executes, and a load only
// reads stores that have executed: LB, 2+2W and S weak outcomes are out of
// its reach).
//
// In-house rows expect pass; mutant rows are deliberately wrong declarations
// (an allowed weak outcome declared forbidden) and expect fail: the model
// checker must reach the "forbidden" outcome, which shows the check can fail.
//
// References (cited per row):
//   [BOSSW11] Batty, Owens, Sarkar, Sewell, Weber. Mathematizing C++
//             Concurrency. POPL 2011 (and the Cambridge cppmem examples).
//   [RC11]    Lahav, Vafeiadis, Kang, Hur, Dreyer. Repairing Sequential
//             Consistency in C/C++11. PLDI 2017.
//   [herd-C11] Alglave, Maranget et al., herd7's C11 cat model and the
//             diy/herd litmus families. Test names below follow diy's
//             naming (shape + annotations: SB+sc, MP+rel+acq, ...) to say
//             which family member is meant; they are not file names.
//   [P1202]   D. Goldblatt. Asymmetric Fences. WG21 paper P1202
//             (wg21.link/p1202): a light fence pairs with a heavy one as
//             two seq_cst fences; two light fences order nothing.
//   [C++20]   ISO/IEC 14882:2020 [intro.races] (coherence: write-write,
//             read-read, read-write, write-read; they hold for
//             relaxed atomics too), [atomics.order] (S, seq_cst fences;
//             out of thin air: LB without dependencies is not forbidden by
//             the standard), [atomics.fences] (release/acquire fences).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include "litmus/litmus_shapes.hpp"
#include "primitives/catalogue.hpp"

namespace gauntlet::litmus {

namespace ann {
constexpr auto rlx = std::memory_order_relaxed;
constexpr auto acq = std::memory_order_acquire;
constexpr auto rel = std::memory_order_release;
constexpr auto acq_rel = std::memory_order_acq_rel;
constexpr auto sc = std::memory_order_seq_cst;

constexpr orders relaxed{rlx, rlx, rlx, rlx};
constexpr orders rel_acq{rel, acq, rlx, rlx};
constexpr orders seq_cst{sc, sc, rlx, rlx};
// Relaxed accesses, seq_cst fence between a thread's first and second access.
constexpr orders fence_sc{rlx, rlx, sc, sc};
// Relaxed accesses, release fence after a write / acquire fence after a read.
constexpr orders fence_rel_acq{rlx, rlx, rel, acq};
// Relaxed accesses, acq_rel fence between a thread's first and second access.
constexpr orders fence_acq_rel{rlx, rlx, acq_rel, acq_rel};
// Relaxed accesses, seq_cst fence in thread 0 only.
constexpr orders fence_sc_thread0{rlx, rlx, sc, sc, 1u};
// Relaxed accesses, only the release fence after a write (no acquire side).
constexpr orders fence_rel_only{rlx, rlx, rel, rlx};
// Relaxed accesses, only the acquire fence after a read (no release side).
constexpr orders fence_acq_only{rlx, rlx, rlx, acq};
// Fence on one side, access order on the other: release fence + acquire
// load, and release store + acquire fence.
constexpr orders fence_rel_load_acq{rlx, acq, rel, rlx};
constexpr orders store_rel_fence_acq{rel, rlx, rlx, acq};
// Relaxed accesses, the asymmetric pair (world.hpp) between a thread's
// first and second access: T0 light and T1 heavy, both light, both heavy.
constexpr orders fence_light_heavy{.store = rlx, .load = rlx, .fence_w = sc, .fence_r = sc,
                                   .light_threads = 1u, .heavy_threads = 2u};
constexpr orders fence_light_light{.store = rlx, .load = rlx, .fence_w = sc, .fence_r = sc, .light_threads = 3u};
constexpr orders fence_heavy_heavy{.store = rlx, .load = rlx, .fence_w = sc, .fence_r = sc, .heavy_threads = 3u};
// Mixed: only one side of the pair strengthened.
constexpr orders sc_store_rlx_load{sc, rlx, rlx, rlx};
constexpr orders rel_rlx{rel, rlx, rlx, rlx};
constexpr orders rlx_acq{rlx, acq, rlx, rlx};
}  // namespace ann

// One annotation of a shape: its orders, what the C++ model forbids and why,
// and what the model checker is expected not to reach.
template <class Shape>
struct row {
    std::string_view annotation;        // the second half of the test's name
    orders ord;                         // where the orders go: litmus_shapes.hpp
    outcome_set<Shape> forbidden;       // every other outcome of the domain is allowed
    std::string_view argument;          // why the weak outcomes are forbidden or allowed
    std::string_view reference;         // where the answer is stated
    outcome_set<Shape> unreached = {};  // allowed outcomes Relacy does not reach (the table's model_gap)
    origin_kind origin = origin_kind::in_house;
    expectation expected = expect::pass;
};

// Why Relacy misses an outcome: its modification order is execution order.
namespace gap {
inline constexpr std::string_view lb =
    "Relacy lets a load read only stores that have already executed, so each thread's load runs before its own "
    "store and after the other thread's: a cycle (load buffering needs a load to read a later store)";
inline constexpr std::string_view two_plus_two_w =
    "Relacy adds each store to the end of its location's modification order when it executes, so final x=1 and "
    "y=1 need x=2 to execute before x=1 and y=2 before y=1, against both threads' program order";
inline constexpr std::string_view s =
    "Relacy's modification order is execution order: T1 reading y=1 runs after T0's x=2, so T1's later x=1 "
    "follows x=2 and the final x is 1, never 2";
}  // namespace gap

// ------------------------------------------------------------------ SB
struct sb_table {
    using shape = store_buffering_shape;
    template <class W, orders O>
    using body = store_buffering<W, O>;
    using out = outcome_of<shape>;
    static constexpr outcome_set<shape> weak{out{0, 0}};
    static constexpr std::string_view model_gap = {};  // Relacy reaches every allowed SB outcome
    static constexpr std::string_view hardware_note = {};
    static constexpr std::array rows{
        row<shape>{.annotation = "relaxed",
                   .ord = ann::relaxed,
                   .forbidden = {},
                   .argument = "0,0 allowed: relaxed accesses impose no order between a store and a later load of "
                               "another location",
                   .reference = "[BOSSW11] SB (cppmem 'SB'); [RC11] SB; herd-C11 SB"},
        row<shape>{.annotation = "rel_acq",
                   .ord = ann::rel_acq,
                   .forbidden = {},
                   .argument = "0,0 allowed: release/acquire only orders through a reads-from edge, and neither "
                               "load reads from the other thread here",
                   .reference = "[BOSSW11] SB+rel+acq; [RC11] SB allowed under RA; herd-C11 SB+rel+acq"},
        row<shape>{.annotation = "sc",
                   .ord = ann::seq_cst,
                   .forbidden = {out{0, 0}},
                   .argument = "0,0 forbidden: the four seq_cst accesses lie in one total order S consistent with "
                               "program order; the last store in S precedes both loads",
                   .reference = "[BOSSW11] SB+sc; [C++20] [atomics.order]; herd-C11 SB+sc"},
        row<shape>{.annotation = "fence_sc",
                   .ord = ann::fence_sc,
                   .forbidden = {out{0, 0}},
                   .argument = "0,0 forbidden: the two seq_cst fences are ordered in S; the load after the later "
                               "fence must see the store before the earlier one",
                   .reference = "[BOSSW11] SB+fences (C++11 29.3p6); [C++20] [atomics.order]; herd-C11 SB+fencescs"},
        row<shape>{.annotation = "fence_acq_rel",
                   .ord = ann::fence_acq_rel,
                   .forbidden = {},
                   .argument = "0,0 allowed: an acq_rel fence synchronizes only through a load that reads a store "
                               "on the other side of a release, and both loads read the initial value; acq_rel "
                               "fences are not in S. x86 emits no instruction for them, so the hardware shows the "
                               "store buffer",
                   .reference = "[C++20] [atomics.fences] (fences synchronize only through rf); [RC11] "
                                "SB+fences.acq_rel allowed; herd-C11 SB+fence.acq_rel"},
        row<shape>{.annotation = "fence_sc_one_thread",
                   .ord = ann::fence_sc_thread0,
                   .forbidden = {},
                   .argument = "0,0 allowed: the seq_cst fence rules order a load after a fence only against a "
                               "store before another seq_cst fence (or a seq_cst store); T1 has neither, so its "
                               "store may still be invisible to T0's load",
                   .reference = "[C++20] [atomics.order] (fence rules need seq_cst on both sides); [RC11] "
                                "SB+fence.sc+po allowed; herd-C11 SB+fencesc+po"},
        row<shape>{.annotation = "sc_store_rlx_load",
                   .ord = ann::sc_store_rlx_load,
                   .forbidden = {},
                   .argument = "0,0 allowed: the relaxed loads are not constrained by S (only seq_cst operations "
                               "are). x86 compiles the seq_cst store to XCHG, a full barrier, so the hardware is "
                               "stronger than the model here",
                   .reference = "[C++20] [atomics.order] (S orders seq_cst operations only); herd-C11 SB+sc+po "
                                "(mixed)"},
        row<shape>{.annotation = "fence_light_heavy",
                   .ord = ann::fence_light_heavy,
                   .forbidden = {out{0, 0}},
                   .argument = "0,0 forbidden: a light and a heavy fence act as two seq_cst fences in the order "
                               "they run (natively: T1's membarrier makes T0's CPU execute a full barrier, either "
                               "before T0's light fence, which then sees y=1, or after it, which flushes x=1 before "
                               "T1 loads x)",
                   .reference = "[P1202] asymmetric_thread_fence_heavy/_light; Linux membarrier(2) "
                                "MEMBARRIER_CMD_PRIVATE_EXPEDITED; herd-C11 SB+fencescs"},
        row<shape>{.annotation = "fence_heavy_heavy",
                   .ord = ann::fence_heavy_heavy,
                   .forbidden = {out{0, 0}},
                   .argument = "0,0 forbidden: a heavy fence is at least a seq_cst fence in its own thread, so "
                               "this is SB+fences",
                   .reference = "[P1202]; [C++20] [atomics.order]; herd-C11 SB+fencescs"},
        row<shape>{.annotation = "fence_light_light",
                   .ord = ann::fence_light_light,
                   .forbidden = {},
                   .argument = "0,0 allowed: two light fences order nothing (natively each is a compiler barrier "
                               "only, and x86's store buffer shows 0,0)",
                   .reference = "[P1202] (a light fence synchronizes only with a heavy one)"},
        row<shape>{.annotation = "light_light_declared_forbidden",
                   .ord = ann::fence_light_light,
                   .forbidden = {out{0, 0}},
                   .argument = "wrong on purpose: two light fences declared as strong as a light and a heavy one; "
                               "the model reaches 0,0 (it tells the two kinds apart)",
                   .reference = "mutant of SB.fence_light_light: claims SB.fence_light_heavy's forbidden set",
                   .origin = origin_kind::mutant,
                   .expected = expect::fail},
        row<shape>{.annotation = "relaxed_declared_sc",
                   .ord = ann::relaxed,
                   .forbidden = {out{0, 0}},
                   .argument = "wrong on purpose: relaxed SB declared as if it were seq_cst; the model reaches 0,0",
                   .reference = "mutant of SB.relaxed: claims SB+sc's forbidden set",
                   .origin = origin_kind::mutant,
                   .expected = expect::fail},
    };
};

// ------------------------------------------------------------------ MP
struct mp_table {
    using shape = message_passing_shape;
    template <class W, orders O>
    using body = message_passing<W, O>;
    using out = outcome_of<shape>;
    static constexpr outcome_set<shape> weak{out{1, 0}};
    static constexpr std::string_view model_gap = {};  // Relacy reaches every allowed MP outcome
    static constexpr std::string_view hardware_note = {};
    static constexpr std::array rows{
        row<shape>{.annotation = "relaxed",
                   .ord = ann::relaxed,
                   .forbidden = {},
                   .argument = "1,0 allowed: a relaxed flag creates no synchronizes-with edge",
                   .reference = "[BOSSW11] MP (relaxed); [RC11] MP; herd-C11 MP"},
        row<shape>{.annotation = "rel_acq",
                   .ord = ann::rel_acq,
                   .forbidden = {out{1, 0}},
                   .argument = "1,0 forbidden: the acquire load reading the release store synchronizes with it, so "
                               "data=1 happens before the data load",
                   .reference = "[BOSSW11] MP+rel+acq; [C++20] [intro.races]; herd-C11 MP+rel+acq"},
        row<shape>{.annotation = "sc",
                   .ord = ann::seq_cst,
                   .forbidden = {out{1, 0}},
                   .argument = "1,0 forbidden: a seq_cst store is a release, a seq_cst load an acquire",
                   .reference = "[BOSSW11] MP+sc; herd-C11 MP+sc"},
        row<shape>{.annotation = "fence_rel_acq",
                   .ord = ann::fence_rel_acq,
                   .forbidden = {out{1, 0}},
                   .argument = "1,0 forbidden: release fence before the flag store, acquire fence after the flag "
                               "load that reads it: fence-to-fence synchronization",
                   .reference = "[BOSSW11] MP+fences; [C++20] [atomics.fences]; herd-C11 MP+fence.rel+fence.acq"},
        row<shape>{.annotation = "fence_sc",
                   .ord = ann::fence_sc,
                   .forbidden = {out{1, 0}},
                   .argument = "1,0 forbidden: a seq_cst fence is both a release and an acquire fence, so the "
                               "fences synchronize as in MP.fence_rel_acq",
                   .reference = "[C++20] [atomics.fences] p2; [RC11] MP+fences.sc; herd-C11 MP+fencesc+fencesc"},
        row<shape>{.annotation = "fence_rel_only",
                   .ord = ann::fence_rel_only,
                   .forbidden = {},
                   .argument = "1,0 allowed: a release fence synchronizes only with an acquire fence or acquire "
                               "load on the reading side; T1's flag load is relaxed, unfenced",
                   .reference = "[C++20] [atomics.fences] p2-p4 (need an acquire side); herd-C11 MP+fence.rel+po"},
        row<shape>{.annotation = "fence_acq_only",
                   .ord = ann::fence_acq_only,
                   .forbidden = {},
                   .argument = "1,0 allowed: an acquire fence synchronizes only with a release fence or release "
                               "store on the writing side; T0's flag store is relaxed, unfenced",
                   .reference = "[C++20] [atomics.fences] p2-p4 (need a release side); herd-C11 MP+po+fence.acq"},
        row<shape>{.annotation = "fence_rel_load_acq",
                   .ord = ann::fence_rel_load_acq,
                   .forbidden = {out{1, 0}},
                   .argument = "1,0 forbidden: the release fence is sequenced before the flag store, and the "
                               "acquire load reads that store: fence-to-atomic synchronization",
                   .reference = "[C++20] [atomics.fences] p3; [BOSSW11] MP+fence.rel+acq; herd-C11 "
                                "MP+fence.rel+acq"},
        row<shape>{.annotation = "store_rel_fence_acq",
                   .ord = ann::store_rel_fence_acq,
                   .forbidden = {out{1, 0}},
                   .argument = "1,0 forbidden: the relaxed flag load reads the release store and is sequenced "
                               "before the acquire fence: atomic-to-fence synchronization",
                   .reference = "[C++20] [atomics.fences] p4; [BOSSW11] MP+rel+fence.acq; herd-C11 "
                                "MP+rel+fence.acq"},
        row<shape>{.annotation = "rel_rlx",
                   .ord = ann::rel_rlx,
                   .forbidden = {},
                   .argument = "1,0 allowed: a release store synchronizes only with an acquire read",
                   .reference = "[BOSSW11] MP+rel+rlx; [C++20] [atomics.order]; herd-C11 MP+rel+po"},
        row<shape>{.annotation = "rlx_acq",
                   .ord = ann::rlx_acq,
                   .forbidden = {},
                   .argument = "1,0 allowed: an acquire read of a relaxed store synchronizes with nothing",
                   .reference = "[BOSSW11] MP+rlx+acq; herd-C11 MP+po+acq"},
        row<shape>{.annotation = "relaxed_flag_declared_rel_acq",
                   .ord = ann::relaxed,
                   .forbidden = {out{1, 0}},
                   .argument = "wrong on purpose: a relaxed flag declared as if it were release/acquire; the model "
                               "reaches 1,0",
                   .reference = "mutant of MP.relaxed: claims MP+rel+acq's forbidden set",
                   .origin = origin_kind::mutant,
                   .expected = expect::fail},
    };
};

// ------------------------------------------------------------------ LB
struct lb_table {
    using shape = load_buffering_shape;
    template <class W, orders O>
    using body = load_buffering<W, O>;
    using out = outcome_of<shape>;
    static constexpr outcome_set<shape> weak{out{1, 1}};
    static constexpr std::string_view model_gap = gap::lb;
    static constexpr std::string_view hardware_note = {};
    static constexpr std::array rows{
        row<shape>{.annotation = "relaxed",
                   .ord = ann::relaxed,
                   .forbidden = {},
                   .argument = "1,1 allowed by the C++ standard (no dependency, not out of thin air; ARM/POWER "
                               "produce it). RC11 forbids it (po u rf acyclic); x86-TSO cannot produce it",
                   .reference = "[BOSSW11] LB (allowed); [RC11] forbids LB (no-thin-air: po u rf acyclic); [C++20] "
                                "[atomics.order]",
                   .unreached = {out{1, 1}}},
        row<shape>{.annotation = "rel_acq",
                   .ord = ann::rel_acq,
                   .forbidden = {out{1, 1}},
                   .argument = "1,1 forbidden: each acquire load reads the other's release store, so each thread's "
                               "load happens before the other's, a cycle in hb",
                   .reference = "[BOSSW11] LB+rel+acq; herd-C11 LB+rel+acq"},
        row<shape>{.annotation = "sc",
                   .ord = ann::seq_cst,
                   .forbidden = {out{1, 1}},
                   .argument = "1,1 forbidden: seq_cst stores are releases and seq_cst loads acquires, so the hb "
                               "cycle of LB.rel_acq applies (S alone forbids it too)",
                   .reference = "[BOSSW11] LB+sc; [C++20] [atomics.order]; herd-C11 LB+sc"},
    };
};

// ------------------------------------------------------------------ IRIW
struct iriw_table {
    using shape = iriw_shape;
    template <class W, orders O>
    using body = iriw<W, O>;
    using out = outcome_of<shape>;
    static constexpr outcome_set<shape> weak{out{1, 0, 1, 0}};
    static constexpr std::string_view model_gap = {};  // Relacy reaches every allowed IRIW outcome
    static constexpr std::string_view hardware_note =
        "x86-TSO is multi-copy atomic and never shows 1,0,1,0; POWER and ARMv7 can";
    static constexpr std::array rows{
        row<shape>{.annotation = "relaxed",
                   .ord = ann::relaxed,
                   .forbidden = {},
                   .argument = "1,0,1,0 allowed: relaxed loads need not agree on an order of writes to different "
                               "locations",
                   .reference = "[BOSSW11] IRIW; herd-C11 IRIW"},
        row<shape>{.annotation = "rel_acq",
                   .ord = ann::rel_acq,
                   .forbidden = {},
                   .argument = "1,0,1,0 allowed: C++ release/acquire is not multi-copy atomic; only seq_cst forbids "
                               "IRIW (POWER produces it with lwsync-based acquire)",
                   .reference = "[BOSSW11] IRIW+rel+acq (allowed); [RC11] IRIW-acq allowed; herd-C11 IRIW+acq"},
        row<shape>{.annotation = "sc",
                   .ord = ann::seq_cst,
                   .forbidden = {out{1, 0, 1, 0}},
                   .argument = "1,0,1,0 forbidden: all six accesses are in S; both readers' views must agree with "
                               "the order of the two stores in S",
                   .reference = "[BOSSW11] IRIW+sc; [C++20] [atomics.order]; herd-C11 IRIW+sc"},
    };
};

// ------------------------------------------------------------------ WRC
struct wrc_table {
    using shape = wrc_shape;
    template <class W, orders O>
    using body = wrc<W, O>;
    using out = outcome_of<shape>;
    static constexpr outcome_set<shape> weak{out{1, 1, 0}};
    static constexpr std::string_view model_gap = {};  // Relacy reaches every allowed WRC outcome
    static constexpr std::string_view hardware_note = "x86-TSO never shows 1,1,0 (stores are multi-copy atomic)";
    static constexpr std::array rows{
        row<shape>{.annotation = "relaxed",
                   .ord = ann::relaxed,
                   .forbidden = {},
                   .argument = "1,1,0 allowed: relaxed accesses carry no causality between threads",
                   .reference = "[BOSSW11] WRC; herd-C11 WRC"},
        row<shape>{.annotation = "rel_acq",
                   .ord = ann::rel_acq,
                   .forbidden = {out{1, 1, 0}},
                   .argument = "1,1,0 forbidden: T0's store synchronizes with T1's acquire, T1's release with T2's "
                               "acquire; happens-before is transitive, so T2 sees x=1",
                   .reference = "[BOSSW11] WRC+rel+acq; [RC11] WRC forbidden under RA; herd-C11 WRC+rel+acq"},
        row<shape>{.annotation = "sc",
                   .ord = ann::seq_cst,
                   .forbidden = {out{1, 1, 0}},
                   .argument = "1,1,0 forbidden: seq_cst accesses are releases and acquires, so the happens-before "
                               "chain of WRC.rel_acq applies",
                   .reference = "[BOSSW11] WRC+sc; [C++20] [intro.races] (write-read coherence); herd-C11 WRC+sc"},
    };
};

// ------------------------------------------------------------------ ISA2
struct isa2_table {
    using shape = isa2_shape;
    template <class W, orders O>
    using body = isa2<W, O>;
    using out = outcome_of<shape>;
    static constexpr outcome_set<shape> weak{out{1, 1, 0}};
    static constexpr std::string_view model_gap = {};  // Relacy reaches every allowed ISA2 outcome
    static constexpr std::string_view hardware_note = "x86-TSO never shows 1,1,0 (stores stay in order)";
    static constexpr std::array rows{
        row<shape>{.annotation = "relaxed",
                   .ord = ann::relaxed,
                   .forbidden = {},
                   .argument = "1,1,0 allowed: relaxed flags create no synchronizes-with edge, so nothing orders "
                               "x=1 before T2's read (POWER and ARM show it)",
                   .reference = "herd ISA2 family (Alglave, Maranget et al.); [BOSSW11]-style ISA2; herd-C11 ISA2"},
        row<shape>{.annotation = "rel_acq",
                   .ord = ann::rel_acq,
                   .forbidden = {out{1, 1, 0}},
                   .argument = "1,1,0 forbidden: y=1 synchronizes with T1's read, z=1 with T2's; hb is transitive, "
                               "so x=1 happens before T2's read, which by write-read coherence returns x=1 (no "
                               "later store to x exists)",
                   .reference = "herd ISA2+rel+acq+acq; [RC11] ISA2 forbidden under RA; [C++20] [intro.races]"},
        row<shape>{.annotation = "sc",
                   .ord = ann::seq_cst,
                   .forbidden = {out{1, 1, 0}},
                   .argument = "1,1,0 forbidden: seq_cst accesses are releases and acquires, so the happens-before "
                               "chain of ISA2.rel_acq applies",
                   .reference = "herd ISA2+sc; [C++20] [atomics.order], [intro.races]"},
    };
};

// ------------------------------------------------------------------ 2+2W
struct two_plus_two_w_table {
    using shape = two_plus_two_w_shape;
    template <class W, orders O>
    using body = two_plus_two_w<W, O>;
    using out = outcome_of<shape>;
    static constexpr outcome_set<shape> weak{out{1, 1}};
    static constexpr std::string_view model_gap = gap::two_plus_two_w;
    static constexpr std::string_view hardware_note = {};
    static constexpr std::array rows{
        row<shape>{.annotation = "relaxed",
                   .ord = ann::relaxed,
                   .forbidden = {},
                   .argument = "1,1 allowed: modification orders of x and y are independent of program order "
                               "under relaxed",
                   .reference = "[BOSSW11] 2+2W; herd-C11 2+2W",
                   .unreached = {out{1, 1}}},
        row<shape>{.annotation = "release",
                   .ord = ann::rel_acq,  // only stores: all release
                   .forbidden = {},
                   .argument = "1,1 allowed: with no reads there is no synchronizes-with edge, and C++ "
                               "release/acquire does not order mo against po (RA allows 2+2W)",
                   .reference = "2+2W allowed under C11 RA (Lahav, Giannarakis, Vafeiadis POPL 2016: only their SRA "
                                "forbids it); herd-C11 2+2W+rel",
                   .unreached = {out{1, 1}}},
        row<shape>{.annotation = "sc",
                   .ord = ann::seq_cst,
                   .forbidden = {out{1, 1}},
                   .argument = "1,1 forbidden: S contains the four stores consistent with program order and with "
                               "each location's modification order: a cycle",
                   .reference = "[C++20] [atomics.order]; herd-C11 2+2W+sc"},
    };
};

// ------------------------------------------------------------------ CoRR
struct corr_table {
    using shape = corr_shape;
    template <class W, orders O>
    using body = corr<W, O>;
    using out = outcome_of<shape>;
    static constexpr outcome_set<shape> weak{out{1, 0}};
    static constexpr std::string_view model_gap = {};  // every weak outcome is forbidden
    static constexpr std::string_view hardware_note = {};
    static constexpr std::array rows{
        row<shape>{.annotation = "relaxed",
                   .ord = ann::relaxed,
                   .forbidden = {out{1, 0}},
                   .argument = "1,0 forbidden at every order, relaxed included: read-read coherence",
                   .reference = "[BOSSW11] CoRR; [C++20] [intro.races] (read-read coherence); herd-C11 CoRR"},
        row<shape>{.annotation = "rel_acq",
                   .ord = ann::rel_acq,
                   .forbidden = {out{1, 0}},
                   .argument = "1,0 forbidden: read-read coherence holds at every order",
                   .reference = "[C++20] [intro.races] (read-read coherence); herd-C11 CoRR+rel+acq"},
        row<shape>{.annotation = "sc",
                   .ord = ann::seq_cst,
                   .forbidden = {out{1, 0}},
                   .argument = "1,0 forbidden: read-read coherence (and S: the second read follows the first in S, "
                               "after the store it read)",
                   .reference = "[C++20] [intro.races] (read-read coherence), [atomics.order]; herd-C11 CoRR+sc"},
    };
};

// ------------------------------------------------------------------ CoWW
struct coww_table {
    using shape = coww_shape;
    template <class W, orders O>
    using body = coww<W, O>;
    using out = outcome_of<shape>;
    static constexpr outcome_set<shape> weak{out{1}};
    static constexpr std::string_view model_gap = {};  // every weak outcome is forbidden
    static constexpr std::string_view hardware_note = {};
    static constexpr std::array rows{
        row<shape>{.annotation = "relaxed",
                   .ord = ann::relaxed,
                   .forbidden = {out{1}},
                   .argument = "1 forbidden at every order, relaxed included: x=1 is sequenced before x=2, so by "
                               "write-write coherence it precedes x=2 in x's modification order, and the final "
                               "value is 2",
                   .reference = "[C++20] [intro.races] (write-write coherence); [BOSSW11] CoWW; herd-C11 CoWW"},
        row<shape>{.annotation = "release",
                   .ord = ann::rel_acq,  // only stores: all release
                   .forbidden = {out{1}},
                   .argument = "1 forbidden: write-write coherence holds at every order",
                   .reference = "[C++20] [intro.races] (write-write coherence); herd-C11 CoWW+rel"},
        row<shape>{.annotation = "sc",
                   .ord = ann::seq_cst,
                   .forbidden = {out{1}},
                   .argument = "1 forbidden: write-write coherence (S also orders the stores as the program does)",
                   .reference = "[C++20] [intro.races] (write-write coherence), [atomics.order]; herd-C11 CoWW+sc"},
    };
};

// ------------------------------------------------------------------ CoRW
struct corw_table {
    using shape = corw_shape;
    template <class W, orders O>
    using body = corw<W, O>;
    using out = outcome_of<shape>;
    static constexpr outcome_set<shape> weak{out{2, 2}};
    static constexpr std::string_view model_gap = {};  // every weak outcome is forbidden
    static constexpr std::string_view hardware_note = {};
    static constexpr std::array rows{
        row<shape>{.annotation = "relaxed",
                   .ord = ann::relaxed,
                   .forbidden = {out{2, 2}},
                   .argument = "2,2 forbidden at every order, relaxed included: T0's read happens before its x=1, "
                               "so by read-write coherence the x=2 it read precedes x=1 in x's modification order, "
                               "and the final value is 1",
                   .reference = "[C++20] [intro.races] (read-write coherence); [BOSSW11] CoRW; herd-C11 CoRW2"},
        row<shape>{.annotation = "rel_acq",
                   .ord = ann::rel_acq,
                   .forbidden = {out{2, 2}},
                   .argument = "2,2 forbidden: read-write coherence holds at every order",
                   .reference = "[C++20] [intro.races] (read-write coherence); herd-C11 CoRW2+rel+acq"},
        row<shape>{.annotation = "sc",
                   .ord = ann::seq_cst,
                   .forbidden = {out{2, 2}},
                   .argument = "2,2 forbidden: read-write coherence holds at every order",
                   .reference = "[C++20] [intro.races] (read-write coherence), [atomics.order]; herd-C11 CoRW2+sc"},
    };
};

// ------------------------------------------------------------------ CoWR
struct cowr_table {
    using shape = cowr_shape;
    template <class W, orders O>
    using body = cowr<W, O>;
    using out = outcome_of<shape>;
    static constexpr outcome_set<shape> weak{out{2, 1}};
    static constexpr std::string_view model_gap = {};  // every weak outcome is forbidden
    static constexpr std::string_view hardware_note = {};
    static constexpr std::array rows{
        row<shape>{.annotation = "relaxed",
                   .ord = ann::relaxed,
                   .forbidden = {out{2, 1}},
                   .argument = "2,1 forbidden at every order, relaxed included: T0's x=1 happens before its read, "
                               "so by write-read coherence the read returns x=1 or a store after it in x's "
                               "modification order; reading x=2 puts x=2 last, and the final value is 2",
                   .reference = "[C++20] [intro.races] (write-read coherence); [BOSSW11] CoWR; herd-C11 CoWR"},
        row<shape>{.annotation = "rel_acq",
                   .ord = ann::rel_acq,
                   .forbidden = {out{2, 1}},
                   .argument = "2,1 forbidden: write-read coherence holds at every order",
                   .reference = "[C++20] [intro.races] (write-read coherence); herd-C11 CoWR+rel+acq"},
        row<shape>{.annotation = "sc",
                   .ord = ann::seq_cst,
                   .forbidden = {out{2, 1}},
                   .argument = "2,1 forbidden: write-read coherence holds at every order",
                   .reference = "[C++20] [intro.races] (write-read coherence), [atomics.order]; herd-C11 CoWR+sc"},
    };
};

// ------------------------------------------------------------------ S
struct s_table {
    using shape = s_shape;
    template <class W, orders O>
    using body = s_test<W, O>;
    using out = outcome_of<shape>;
    static constexpr outcome_set<shape> weak{out{1, 2}};
    static constexpr std::string_view model_gap = gap::s;
    static constexpr std::string_view hardware_note = {};
    static constexpr std::array rows{
        row<shape>{.annotation = "relaxed",
                   .ord = ann::relaxed,
                   .forbidden = {},
                   .argument = "1,2 allowed: no synchronization, x's modification order is free",
                   .reference = "[BOSSW11]-style S; herd-C11 S",
                   .unreached = {out{1, 2}}},
        row<shape>{.annotation = "rel_acq",
                   .ord = ann::rel_acq,
                   .forbidden = {out{1, 2}},
                   .argument = "1,2 forbidden: T1's acquire reads T0's release y=1, so x=2 happens before x=1, and "
                               "write-write coherence puts x=2 first (final x=1)",
                   .reference = "[C++20] [intro.races] (write-write coherence); [RC11] S forbidden under RA; "
                                "herd-C11 S+rel+acq"},
        row<shape>{.annotation = "sc",
                   .ord = ann::seq_cst,
                   .forbidden = {out{1, 2}},
                   .argument = "1,2 forbidden: seq_cst accesses are releases and acquires, so the argument of "
                               "S.rel_acq applies",
                   .reference = "[C++20] [intro.races] (write-write coherence), [atomics.order]; herd-C11 S+sc"},
    };
};

// ------------------------------------------------------------------ R
struct r_table {
    using shape = r_shape;
    template <class W, orders O>
    using body = r_test<W, O>;
    using out = outcome_of<shape>;
    static constexpr outcome_set<shape> weak{out{2, 0}};
    static constexpr std::string_view model_gap = {};  // Relacy reaches every allowed R outcome
    static constexpr std::string_view hardware_note = {};
    static constexpr std::array rows{
        row<shape>{.annotation = "relaxed",
                   .ord = ann::relaxed,
                   .forbidden = {},
                   .argument = "2,0 allowed: no synchronization at all; it is allowed even under release/acquire "
                               "(R.rel_acq)",
                   .reference = "[RC11] R allowed; herd-C11 R"},
        row<shape>{.annotation = "rel_acq",
                   .ord = ann::rel_acq,
                   .forbidden = {},
                   .argument = "2,0 allowed: no read-from edge between the threads, hence no synchronization; "
                               "release/acquire does not forbid R",
                   .reference = "[RC11] R allowed under RA; herd-C11 R+rel+acq"},
        row<shape>{.annotation = "sc",
                   .ord = ann::seq_cst,
                   .forbidden = {out{2, 0}},
                   .argument = "2,0 forbidden: in S, x=1 < y=1 (sb) < y=2 (mo) < r0=x (sb) < x=1 (r0 reads a value "
                               "older than x=1): a cycle",
                   .reference = "[C++20] [atomics.order]; herd-C11 R+sc"},
    };
};

// ------------------------------------------------------------------ RWC
struct rwc_table {
    using shape = rwc_shape;
    template <class W, orders O>
    using body = rwc<W, O>;
    using out = outcome_of<shape>;
    static constexpr outcome_set<shape> weak{out{1, 0, 0}};
    static constexpr std::string_view model_gap = {};  // Relacy reaches every allowed RWC outcome
    static constexpr std::string_view hardware_note =
        "x86-TSO allows 1,0,0 (T2's y=1 still buffered while T2 reads x=0 and T1 reads x=1 then y=0), but only "
        "with T0, T1 and T2 running at the same instant";
    static constexpr std::array rows{
        row<shape>{.annotation = "relaxed",
                   .ord = ann::relaxed,
                   .forbidden = {},
                   .argument = "1,0,0 allowed: no synchronization at all; it is allowed even under release/acquire "
                               "(RWC.rel_acq)",
                   .reference = "[BOSSW11]-style RWC; herd-C11 RWC"},
        row<shape>{.annotation = "rel_acq",
                   .ord = ann::rel_acq,
                   .forbidden = {},
                   .argument = "1,0,0 allowed: T2's store-then-load is store buffering; release/acquire does not "
                               "order a store before a later load of another location",
                   .reference = "[BOSSW11]-style RWC; [RC11] RWC allowed under RA; herd-C11 RWC+rel+acq"},
        row<shape>{.annotation = "sc",
                   .ord = ann::seq_cst,
                   .forbidden = {out{1, 0, 0}},
                   .argument = "1,0,0 forbidden: S contains all five accesses; x=1 < r0 < r1 < y=1 < r2 < x=1 "
                               "follows from the reads' values and program order: a cycle",
                   .reference = "[C++20] [atomics.order]; herd-C11 RWC+sc"},
    };
};

// ------------------------------------------------------------------ entries

namespace table_detail {
// "<shape>.<annotation>" as a compile-time string.
struct test_name_text {
    std::array<char, 64> text{};
    std::size_t size = 0;
    constexpr std::string_view view() const { return {text.data(), size}; }
};
consteval test_name_text join_name(std::string_view shape, std::string_view annotation) {
    test_name_text n;
    if (shape.size() + 1 + annotation.size() > n.text.size()) throw "a litmus test name is at most 64 characters";
    for (const char c : shape) n.text[n.size++] = c;
    n.text[n.size++] = '.';
    for (const char c : annotation) n.text[n.size++] = c;
    return n;
}
}  // namespace table_detail

// Row `Row` of `Table` as a catalogue entry.
template <class Table, std::size_t Row>
struct litmus_test {
    using table = Table;
    using shape = typename Table::shape;
    static constexpr const row<shape>& spec = Table::rows[Row];
    static constexpr std::string_view annotation = spec.annotation;
    static constexpr table_detail::test_name_text name_text = table_detail::join_name(shape::name, annotation);
    static constexpr std::string_view name = name_text.view();
    static constexpr origin_kind origin = spec.origin;
    static constexpr expectation expected = spec.expected;
    template <class W>
    using body = typename Table::template body<W, spec.ord>;

    static constexpr outcome_set<shape> forbidden = spec.forbidden;
    static constexpr outcome_set<shape> allowed = outcome_set<shape>::all() - spec.forbidden;

    static_assert(spec.forbidden.subset_of(Table::weak),
                  "a forbidden outcome must be weak: an outcome some interleaving produces is allowed at every order");
    static_assert(spec.unreached.subset_of(allowed), "a declared model gap must be an allowed outcome");
    static_assert(spec.unreached.empty() || !Table::model_gap.empty(),
                  "a row that declares outcomes Relacy does not reach needs the table's model_gap reason");
    static_assert(!spec.argument.empty() && !spec.reference.empty(), "every row states its argument and reference");
};

namespace table_detail {
template <class Table, class Rows>
struct rows_of;
template <class Table, std::size_t... R>
struct rows_of<Table, std::index_sequence<R...>> {
    using type = type_list<litmus_test<Table, R>...>;
};
template <class... E>
consteval bool names_unique(type_list<E...>) {
    const std::array<std::string_view, sizeof...(E)> n{E::name...};
    for (std::size_t i = 0; i < n.size(); ++i)
        for (std::size_t j = i + 1; j < n.size(); ++j)
            if (n[i] == n[j]) return false;
    return true;
}
template <class X, class... E>
consteval std::size_t index_in(type_list<E...>) {
    std::size_t i = 0;
    (void)((std::is_same_v<X, E> || (++i, false)) || ...);
    return i;
}
}  // namespace table_detail

// Every row of a table, in order.
template <class Table>
using table_tests =
    typename table_detail::rows_of<Table, std::make_index_sequence<Table::rows.size()>>::type;

using catalogue = concat_lists<table_tests<sb_table>, table_tests<mp_table>, table_tests<lb_table>,
                               table_tests<iriw_table>, table_tests<wrc_table>, table_tests<isa2_table>,
                               table_tests<two_plus_two_w_table>, table_tests<corr_table>, table_tests<coww_table>,
                               table_tests<corw_table>, table_tests<cowr_table>, table_tests<s_table>,
                               table_tests<r_table>, table_tests<rwc_table>>;
static_assert(catalogue::size == 60, "14 shapes: 57 annotations and 3 mutant declarations");
static_assert(table_detail::names_unique(catalogue{}), "litmus test names are unique");

// The entry's position in the catalogue (records carry it; the report sorts by it).
template <class E>
inline constexpr std::size_t catalogue_index = table_detail::index_in<E>(catalogue{});

// The harness's view of the catalogue (primitives/harness/check_program.hpp).
struct litmus_kind {
    static constexpr std::string_view name = "litmus";
    using catalogue = litmus::catalogue;
    template <class E>
    static std::string component() {
        return "litmus";
    }
};

}  // namespace gauntlet::litmus
