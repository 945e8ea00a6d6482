// The litmus catalogue: shape x memory-order annotation, each with the
// outcomes the C++ memory model allows and forbids.
//
// An entry is a struct:
//
//   struct sb_relaxed {
//       using shape = store_buffering_shape;                 // metadata
//       template <class W> using body = store_buffering<W, ord>;
//       static constexpr std::string_view annotation = "relaxed";
//       static constexpr orders ord{...};
//       static constexpr origin_kind origin = origin_kind::in_house;
//       static constexpr std::array<std::string_view, N> forbidden{...};
//       static constexpr std::string_view reference = "...";
//       static constexpr expect expected = expect::pass;
//   };
//
// Every outcome of the shape's domain not in `forbidden` is allowed. The
// implementation name is "<shape>.<annotation>". A run fails (verdict fail)
// iff a forbidden outcome is seen on this hardware or reached by the model
// checker. In-house entries expect pass; mutant entries are deliberately
// wrong declarations (an allowed weak outcome declared forbidden) and expect
// fail: the model checker must reach the "forbidden" outcome, which shows the
// check can fail.
//
// References (cited per entry):
//   [BOSSW11] Batty, Owens, Sarkar, Sewell, Weber. Mathematizing C++
//             Concurrency. POPL 2011 (and the Cambridge cppmem examples).
//   [RC11]    Lahav, Vafeiadis, Kang, Hur, Dreyer. Repairing Sequential
//             Consistency in C/C++11. PLDI 2017.
//   [herd-C11] Alglave, Maranget et al., herd7's C11 cat model and the
//             diy/herd litmus families. Test names below follow diy's
//             naming (shape + annotations: SB+sc, MP+rel+acq, ...) to say
//             which family member is meant; they are not file names.
//   [C++20]   ISO/IEC 14882:2020 [intro.races] (coherence: write-write,
//             read-read, read-write, write-read; they hold for
//             relaxed atomics too), [atomics.order] (S, seq_cst fences;
//             out of thin air: LB without dependencies is not forbidden by
//             the standard), [atomics.fences] (release/acquire fences).
#pragma once

#include <array>
#include <atomic>
#include <string_view>

#include "litmus/litmus_shapes.hpp"
#include "primitives/catalogue.hpp"
#include "primitives/verdict.hpp"

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
// Mixed: only one side of the pair strengthened.
constexpr orders sc_store_rlx_load{sc, rlx, rlx, rlx};
constexpr orders rel_rlx{rel, rlx, rlx, rlx};
constexpr orders rlx_acq{rlx, acq, rlx, rlx};
}  // namespace ann

constexpr std::array<std::string_view, 0> none{};

// ------------------------------------------------------------------ SB
struct sb_relaxed {
    using shape = store_buffering_shape;
    static constexpr std::string_view annotation = "relaxed";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = store_buffering<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 0,0 allowed: relaxed accesses impose no order between a store and a
    // later load of another location.
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[BOSSW11] SB (cppmem 'SB'); [RC11] SB; herd-C11 SB";
    static constexpr expect expected = expect::pass;
};
struct sb_rel_acq {
    using shape = store_buffering_shape;
    static constexpr std::string_view annotation = "rel_acq";
    static constexpr orders ord = ann::rel_acq;
    template <class W> using body = store_buffering<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 0,0 allowed: release/acquire only orders through a reads-from edge, and
    // neither load reads from the other thread here.
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[BOSSW11] SB+rel+acq; [RC11] SB allowed under RA; herd-C11 SB+rel+acq";
    static constexpr expect expected = expect::pass;
};
struct sb_sc {
    using shape = store_buffering_shape;
    static constexpr std::string_view annotation = "sc";
    static constexpr orders ord = ann::seq_cst;
    template <class W> using body = store_buffering<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 0,0 forbidden: the four seq_cst accesses lie in one total order S
    // consistent with program order; the last store in S precedes both loads.
    static constexpr std::array<std::string_view, 1> forbidden{"0,0"};
    static constexpr std::string_view reference = "[BOSSW11] SB+sc; [C++20] [atomics.order]; herd-C11 SB+sc";
    static constexpr expect expected = expect::pass;
};
struct sb_fence_sc {
    using shape = store_buffering_shape;
    static constexpr std::string_view annotation = "fence_sc";
    static constexpr orders ord = ann::fence_sc;
    template <class W> using body = store_buffering<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 0,0 forbidden: the two seq_cst fences are ordered in S; the load after
    // the later fence must see the store before the earlier one.
    static constexpr std::array<std::string_view, 1> forbidden{"0,0"};
    static constexpr std::string_view reference = "[BOSSW11] SB+fences (C++11 29.3p6); [C++20] [atomics.order]; herd-C11 SB+fencescs";
    static constexpr expect expected = expect::pass;
};
struct sb_fence_acq_rel {
    using shape = store_buffering_shape;
    static constexpr std::string_view annotation = "fence_acq_rel";
    static constexpr orders ord = ann::fence_acq_rel;
    template <class W> using body = store_buffering<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 0,0 allowed: an acq_rel fence synchronizes only through a load that
    // reads a store on the other side of a release, and both loads read the
    // initial value; acq_rel fences are not in S. x86 emits no instruction
    // for them, so the hardware shows the store buffer.
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[C++20] [atomics.fences] (fences synchronize only through rf); [RC11] SB+fences.acq_rel allowed; herd-C11 SB+fence.acq_rel";
    static constexpr expect expected = expect::pass;
};
struct sb_fence_sc_one_thread {
    using shape = store_buffering_shape;
    static constexpr std::string_view annotation = "fence_sc_one_thread";
    static constexpr orders ord = ann::fence_sc_thread0;
    template <class W> using body = store_buffering<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 0,0 allowed: the seq_cst fence rules order a load after a fence only
    // against a store before another seq_cst fence (or a seq_cst store); T1
    // has neither, so its store may still be invisible to T0's load.
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[C++20] [atomics.order] (fence rules need seq_cst on both sides); [RC11] SB+fence.sc+po allowed; herd-C11 SB+fencesc+po";
    static constexpr expect expected = expect::pass;
};

// ------------------------------------------------------------------ MP
struct mp_relaxed {
    using shape = message_passing_shape;
    static constexpr std::string_view annotation = "relaxed";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = message_passing<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0 allowed: a relaxed flag creates no synchronizes-with edge.
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[BOSSW11] MP (relaxed); [RC11] MP; herd-C11 MP";
    static constexpr expect expected = expect::pass;
};
struct mp_rel_acq {
    using shape = message_passing_shape;
    static constexpr std::string_view annotation = "rel_acq";
    static constexpr orders ord = ann::rel_acq;
    template <class W> using body = message_passing<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0 forbidden: the acquire load reading the release store synchronizes
    // with it, so data=1 happens before the data load.
    static constexpr std::array<std::string_view, 1> forbidden{"1,0"};
    static constexpr std::string_view reference = "[BOSSW11] MP+rel+acq; [C++20] [intro.races]; herd-C11 MP+rel+acq";
    static constexpr expect expected = expect::pass;
};
struct mp_sc {
    using shape = message_passing_shape;
    static constexpr std::string_view annotation = "sc";
    static constexpr orders ord = ann::seq_cst;
    template <class W> using body = message_passing<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0 forbidden: a seq_cst store is a release, a seq_cst load an acquire.
    static constexpr std::array<std::string_view, 1> forbidden{"1,0"};
    static constexpr std::string_view reference = "[BOSSW11] MP+sc; herd-C11 MP+sc";
    static constexpr expect expected = expect::pass;
};
struct mp_fence_rel_acq {
    using shape = message_passing_shape;
    static constexpr std::string_view annotation = "fence_rel_acq";
    static constexpr orders ord = ann::fence_rel_acq;
    template <class W> using body = message_passing<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0 forbidden: release fence before the flag store, acquire fence after
    // the flag load that reads it: fence-to-fence synchronization.
    static constexpr std::array<std::string_view, 1> forbidden{"1,0"};
    static constexpr std::string_view reference = "[BOSSW11] MP+fences; [C++20] [atomics.fences]; herd-C11 MP+fence.rel+fence.acq";
    static constexpr expect expected = expect::pass;
};
struct mp_fence_sc {
    using shape = message_passing_shape;
    static constexpr std::string_view annotation = "fence_sc";
    static constexpr orders ord = ann::fence_sc;
    template <class W> using body = message_passing<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0 forbidden: a seq_cst fence is both a release and an acquire fence,
    // so the fences synchronize as in MP.fence_rel_acq.
    static constexpr std::array<std::string_view, 1> forbidden{"1,0"};
    static constexpr std::string_view reference = "[C++20] [atomics.fences] p2; [RC11] MP+fences.sc; herd-C11 MP+fencesc+fencesc";
    static constexpr expect expected = expect::pass;
};
struct mp_fence_rel_only {
    using shape = message_passing_shape;
    static constexpr std::string_view annotation = "fence_rel_only";
    static constexpr orders ord = ann::fence_rel_only;
    template <class W> using body = message_passing<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0 allowed: a release fence synchronizes only with an acquire fence or
    // acquire load on the reading side; T1's flag load is relaxed, unfenced.
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[C++20] [atomics.fences] p2-p4 (need an acquire side); herd-C11 MP+fence.rel+po";
    static constexpr expect expected = expect::pass;
};
struct mp_fence_acq_only {
    using shape = message_passing_shape;
    static constexpr std::string_view annotation = "fence_acq_only";
    static constexpr orders ord = ann::fence_acq_only;
    template <class W> using body = message_passing<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0 allowed: an acquire fence synchronizes only with a release fence or
    // release store on the writing side; T0's flag store is relaxed, unfenced.
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[C++20] [atomics.fences] p2-p4 (need a release side); herd-C11 MP+po+fence.acq";
    static constexpr expect expected = expect::pass;
};
struct mp_fence_rel_load_acq {
    using shape = message_passing_shape;
    static constexpr std::string_view annotation = "fence_rel_load_acq";
    static constexpr orders ord = ann::fence_rel_load_acq;
    template <class W> using body = message_passing<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0 forbidden: the release fence is sequenced before the flag store,
    // and the acquire load reads that store: fence-to-atomic synchronization.
    static constexpr std::array<std::string_view, 1> forbidden{"1,0"};
    static constexpr std::string_view reference = "[C++20] [atomics.fences] p3; [BOSSW11] MP+fence.rel+acq; herd-C11 MP+fence.rel+acq";
    static constexpr expect expected = expect::pass;
};
struct mp_store_rel_fence_acq {
    using shape = message_passing_shape;
    static constexpr std::string_view annotation = "store_rel_fence_acq";
    static constexpr orders ord = ann::store_rel_fence_acq;
    template <class W> using body = message_passing<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0 forbidden: the relaxed flag load reads the release store and is
    // sequenced before the acquire fence: atomic-to-fence synchronization.
    static constexpr std::array<std::string_view, 1> forbidden{"1,0"};
    static constexpr std::string_view reference = "[C++20] [atomics.fences] p4; [BOSSW11] MP+rel+fence.acq; herd-C11 MP+rel+fence.acq";
    static constexpr expect expected = expect::pass;
};

// ------------------------------------------------------------------ LB
struct lb_relaxed {
    using shape = load_buffering_shape;
    static constexpr std::string_view annotation = "relaxed";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = load_buffering<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,1 allowed by the C++ standard (no dependency, not out of thin air;
    // ARM/POWER produce it). RC11 forbids it (po u rf acyclic); Relacy never
    // produces it, and x86-TSO cannot: expected "limitation".
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[BOSSW11] LB (allowed); [RC11] forbids LB (no-thin-air: po u rf acyclic); [C++20] [atomics.order]";
    static constexpr expect expected = expect::pass;
};
struct lb_rel_acq {
    using shape = load_buffering_shape;
    static constexpr std::string_view annotation = "rel_acq";
    static constexpr orders ord = ann::rel_acq;
    template <class W> using body = load_buffering<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,1 forbidden: each acquire load reads the other's release store, so
    // each thread's load happens before the other's, a cycle in hb.
    static constexpr std::array<std::string_view, 1> forbidden{"1,1"};
    static constexpr std::string_view reference = "[BOSSW11] LB+rel+acq; herd-C11 LB+rel+acq";
    static constexpr expect expected = expect::pass;
};
struct lb_sc {
    using shape = load_buffering_shape;
    static constexpr std::string_view annotation = "sc";
    static constexpr orders ord = ann::seq_cst;
    template <class W> using body = load_buffering<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,1 forbidden: seq_cst stores are releases and seq_cst loads acquires,
    // so the hb cycle of LB.rel_acq applies (S alone forbids it too).
    static constexpr std::array<std::string_view, 1> forbidden{"1,1"};
    static constexpr std::string_view reference = "[BOSSW11] LB+sc; [C++20] [atomics.order]; herd-C11 LB+sc";
    static constexpr expect expected = expect::pass;
};

// ------------------------------------------------------------------ IRIW
struct iriw_relaxed {
    using shape = iriw_shape;
    static constexpr std::string_view annotation = "relaxed";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = iriw<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0,1,0 allowed: relaxed loads need not agree on an order of writes
    // to different locations.
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[BOSSW11] IRIW; herd-C11 IRIW";
    static constexpr expect expected = expect::pass;
};
struct iriw_rel_acq {
    using shape = iriw_shape;
    static constexpr std::string_view annotation = "rel_acq";
    static constexpr orders ord = ann::rel_acq;
    template <class W> using body = iriw<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0,1,0 allowed: C++ release/acquire is not multi-copy atomic; only
    // seq_cst forbids IRIW (POWER produces it with lwsync-based acquire).
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[BOSSW11] IRIW+rel+acq (allowed); [RC11] IRIW-acq allowed; herd-C11 IRIW+acq";
    static constexpr expect expected = expect::pass;
};
struct iriw_sc {
    using shape = iriw_shape;
    static constexpr std::string_view annotation = "sc";
    static constexpr orders ord = ann::seq_cst;
    template <class W> using body = iriw<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0,1,0 forbidden: all six accesses are in S; both readers' views must
    // agree with the order of the two stores in S.
    static constexpr std::array<std::string_view, 1> forbidden{"1,0,1,0"};
    static constexpr std::string_view reference = "[BOSSW11] IRIW+sc; [C++20] [atomics.order]; herd-C11 IRIW+sc";
    static constexpr expect expected = expect::pass;
};

// ------------------------------------------------------------------ WRC
struct wrc_relaxed {
    using shape = wrc_shape;
    static constexpr std::string_view annotation = "relaxed";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = wrc<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,1,0 allowed: relaxed accesses carry no causality between threads.
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[BOSSW11] WRC; herd-C11 WRC";
    static constexpr expect expected = expect::pass;
};
struct wrc_rel_acq {
    using shape = wrc_shape;
    static constexpr std::string_view annotation = "rel_acq";
    static constexpr orders ord = ann::rel_acq;
    template <class W> using body = wrc<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,1,0 forbidden: T0's store synchronizes with T1's acquire, T1's release
    // with T2's acquire; happens-before is transitive, so T2 sees x=1.
    static constexpr std::array<std::string_view, 1> forbidden{"1,1,0"};
    static constexpr std::string_view reference = "[BOSSW11] WRC+rel+acq; [RC11] WRC forbidden under RA; herd-C11 WRC+rel+acq";
    static constexpr expect expected = expect::pass;
};
struct wrc_sc {
    using shape = wrc_shape;
    static constexpr std::string_view annotation = "sc";
    static constexpr orders ord = ann::seq_cst;
    template <class W> using body = wrc<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,1,0 forbidden: seq_cst accesses are releases and acquires, so the
    // happens-before chain of WRC.rel_acq applies.
    static constexpr std::array<std::string_view, 1> forbidden{"1,1,0"};
    static constexpr std::string_view reference = "[BOSSW11] WRC+sc; [C++20] [intro.races] (write-read coherence); herd-C11 WRC+sc";
    static constexpr expect expected = expect::pass;
};

// ------------------------------------------------------------------ ISA2
struct isa2_relaxed {
    using shape = isa2_shape;
    static constexpr std::string_view annotation = "relaxed";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = isa2<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,1,0 allowed: relaxed flags create no synchronizes-with edge, so
    // nothing orders x=1 before T2's read (POWER and ARM show it).
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "herd ISA2 family (Alglave, Maranget et al.); [BOSSW11]-style ISA2; herd-C11 ISA2";
    static constexpr expect expected = expect::pass;
};
struct isa2_rel_acq {
    using shape = isa2_shape;
    static constexpr std::string_view annotation = "rel_acq";
    static constexpr orders ord = ann::rel_acq;
    template <class W> using body = isa2<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,1,0 forbidden: y=1 synchronizes with T1's read, z=1 with T2's; hb is
    // transitive, so x=1 happens before T2's read, which by write-read
    // coherence returns x=1 (no later store to x exists).
    static constexpr std::array<std::string_view, 1> forbidden{"1,1,0"};
    static constexpr std::string_view reference = "herd ISA2+rel+acq+acq; [RC11] ISA2 forbidden under RA; [C++20] [intro.races]";
    static constexpr expect expected = expect::pass;
};
struct isa2_sc {
    using shape = isa2_shape;
    static constexpr std::string_view annotation = "sc";
    static constexpr orders ord = ann::seq_cst;
    template <class W> using body = isa2<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,1,0 forbidden: seq_cst accesses are releases and acquires, so the
    // happens-before chain of ISA2.rel_acq applies.
    static constexpr std::array<std::string_view, 1> forbidden{"1,1,0"};
    static constexpr std::string_view reference = "herd ISA2+sc; [C++20] [atomics.order], [intro.races]";
    static constexpr expect expected = expect::pass;
};

// ------------------------------------------------------------------ 2+2W
struct two_plus_two_w_relaxed {
    using shape = two_plus_two_w_shape;
    static constexpr std::string_view annotation = "relaxed";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = two_plus_two_w<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,1 allowed: modification orders of x and y are independent of
    // program order under relaxed. Relacy appends each store to the end of
    // the modification order, so it cannot reach it: expected "limitation".
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[BOSSW11] 2+2W; herd-C11 2+2W";
    static constexpr expect expected = expect::pass;
};
struct two_plus_two_w_release {
    using shape = two_plus_two_w_shape;
    static constexpr std::string_view annotation = "release";
    static constexpr orders ord = ann::rel_acq;  // only stores: all release
    template <class W> using body = two_plus_two_w<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,1 allowed: with no reads there is no synchronizes-with edge, and C++
    // release/acquire does not order mo against po (RA allows 2+2W).
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "2+2W allowed under C11 RA (Lahav, Giannarakis, Vafeiadis POPL 2016: only their SRA forbids it); herd-C11 2+2W+rel";
    static constexpr expect expected = expect::pass;
};
struct two_plus_two_w_sc {
    using shape = two_plus_two_w_shape;
    static constexpr std::string_view annotation = "sc";
    static constexpr orders ord = ann::seq_cst;
    template <class W> using body = two_plus_two_w<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,1 forbidden: S contains the four stores consistent with program order
    // and with each location's modification order: a cycle.
    static constexpr std::array<std::string_view, 1> forbidden{"1,1"};
    static constexpr std::string_view reference = "[C++20] [atomics.order]; herd-C11 2+2W+sc";
    static constexpr expect expected = expect::pass;
};

// ------------------------------------------------------------------ CoRR
struct corr_relaxed {
    using shape = corr_shape;
    static constexpr std::string_view annotation = "relaxed";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = corr<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0 forbidden at every order, relaxed included: read-read coherence.
    static constexpr std::array<std::string_view, 1> forbidden{"1,0"};
    static constexpr std::string_view reference = "[BOSSW11] CoRR; [C++20] [intro.races] (read-read coherence); herd-C11 CoRR";
    static constexpr expect expected = expect::pass;
};
struct corr_rel_acq {
    using shape = corr_shape;
    static constexpr std::string_view annotation = "rel_acq";
    static constexpr orders ord = ann::rel_acq;
    template <class W> using body = corr<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0 forbidden: read-read coherence holds at every order.
    static constexpr std::array<std::string_view, 1> forbidden{"1,0"};
    static constexpr std::string_view reference = "[C++20] [intro.races] (read-read coherence); herd-C11 CoRR+rel+acq";
    static constexpr expect expected = expect::pass;
};
struct corr_sc {
    using shape = corr_shape;
    static constexpr std::string_view annotation = "sc";
    static constexpr orders ord = ann::seq_cst;
    template <class W> using body = corr<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0 forbidden: read-read coherence (and S: the second read follows the
    // first in S, after the store it read).
    static constexpr std::array<std::string_view, 1> forbidden{"1,0"};
    static constexpr std::string_view reference = "[C++20] [intro.races] (read-read coherence), [atomics.order]; herd-C11 CoRR+sc";
    static constexpr expect expected = expect::pass;
};

// ------------------------------------------------------------------ CoWW
struct coww_relaxed {
    using shape = coww_shape;
    static constexpr std::string_view annotation = "relaxed";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = coww<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1 forbidden at every order, relaxed included: x=1 is sequenced before
    // x=2, so by write-write coherence it precedes x=2 in x's modification
    // order, and the final value is 2.
    static constexpr std::array<std::string_view, 1> forbidden{"1"};
    static constexpr std::string_view reference = "[C++20] [intro.races] (write-write coherence); [BOSSW11] CoWW; herd-C11 CoWW";
    static constexpr expect expected = expect::pass;
};
struct coww_release {
    using shape = coww_shape;
    static constexpr std::string_view annotation = "release";
    static constexpr orders ord = ann::rel_acq;  // only stores: all release
    template <class W> using body = coww<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1 forbidden: write-write coherence holds at every order.
    static constexpr std::array<std::string_view, 1> forbidden{"1"};
    static constexpr std::string_view reference = "[C++20] [intro.races] (write-write coherence); herd-C11 CoWW+rel";
    static constexpr expect expected = expect::pass;
};
struct coww_sc {
    using shape = coww_shape;
    static constexpr std::string_view annotation = "sc";
    static constexpr orders ord = ann::seq_cst;
    template <class W> using body = coww<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1 forbidden: write-write coherence (S also orders the stores as the
    // program does).
    static constexpr std::array<std::string_view, 1> forbidden{"1"};
    static constexpr std::string_view reference = "[C++20] [intro.races] (write-write coherence), [atomics.order]; herd-C11 CoWW+sc";
    static constexpr expect expected = expect::pass;
};

// ------------------------------------------------------------------ CoRW
struct corw_relaxed {
    using shape = corw_shape;
    static constexpr std::string_view annotation = "relaxed";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = corw<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 2,2 forbidden at every order, relaxed included: T0's read happens
    // before its x=1, so by read-write coherence the x=2 it read precedes
    // x=1 in x's modification order, and the final value is 1.
    static constexpr std::array<std::string_view, 1> forbidden{"2,2"};
    static constexpr std::string_view reference = "[C++20] [intro.races] (read-write coherence); [BOSSW11] CoRW; herd-C11 CoRW2";
    static constexpr expect expected = expect::pass;
};
struct corw_rel_acq {
    using shape = corw_shape;
    static constexpr std::string_view annotation = "rel_acq";
    static constexpr orders ord = ann::rel_acq;
    template <class W> using body = corw<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 2,2 forbidden: read-write coherence holds at every order.
    static constexpr std::array<std::string_view, 1> forbidden{"2,2"};
    static constexpr std::string_view reference = "[C++20] [intro.races] (read-write coherence); herd-C11 CoRW2+rel+acq";
    static constexpr expect expected = expect::pass;
};
struct corw_sc {
    using shape = corw_shape;
    static constexpr std::string_view annotation = "sc";
    static constexpr orders ord = ann::seq_cst;
    template <class W> using body = corw<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 2,2 forbidden: read-write coherence holds at every order.
    static constexpr std::array<std::string_view, 1> forbidden{"2,2"};
    static constexpr std::string_view reference = "[C++20] [intro.races] (read-write coherence), [atomics.order]; herd-C11 CoRW2+sc";
    static constexpr expect expected = expect::pass;
};

// ------------------------------------------------------------------ CoWR
struct cowr_relaxed {
    using shape = cowr_shape;
    static constexpr std::string_view annotation = "relaxed";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = cowr<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 2,1 forbidden at every order, relaxed included: T0's x=1 happens
    // before its read, so by write-read coherence the read returns x=1 or a
    // store after it in x's modification order; reading x=2 puts x=2 last,
    // and the final value is 2.
    static constexpr std::array<std::string_view, 1> forbidden{"2,1"};
    static constexpr std::string_view reference = "[C++20] [intro.races] (write-read coherence); [BOSSW11] CoWR; herd-C11 CoWR";
    static constexpr expect expected = expect::pass;
};
struct cowr_rel_acq {
    using shape = cowr_shape;
    static constexpr std::string_view annotation = "rel_acq";
    static constexpr orders ord = ann::rel_acq;
    template <class W> using body = cowr<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 2,1 forbidden: write-read coherence holds at every order.
    static constexpr std::array<std::string_view, 1> forbidden{"2,1"};
    static constexpr std::string_view reference = "[C++20] [intro.races] (write-read coherence); herd-C11 CoWR+rel+acq";
    static constexpr expect expected = expect::pass;
};
struct cowr_sc {
    using shape = cowr_shape;
    static constexpr std::string_view annotation = "sc";
    static constexpr orders ord = ann::seq_cst;
    template <class W> using body = cowr<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 2,1 forbidden: write-read coherence holds at every order.
    static constexpr std::array<std::string_view, 1> forbidden{"2,1"};
    static constexpr std::string_view reference = "[C++20] [intro.races] (write-read coherence), [atomics.order]; herd-C11 CoWR+sc";
    static constexpr expect expected = expect::pass;
};

// ------------------------------------------------------------------ mixed orders
struct sb_sc_store_rlx_load {
    using shape = store_buffering_shape;
    static constexpr std::string_view annotation = "sc_store_rlx_load";
    static constexpr orders ord = ann::sc_store_rlx_load;
    template <class W> using body = store_buffering<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 0,0 allowed: the relaxed loads are not constrained by S (only
    // seq_cst operations are). x86 compiles the seq_cst store to XCHG, a full
    // barrier, so the hardware is stronger than the model here.
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[C++20] [atomics.order] (S orders seq_cst operations only); herd-C11 SB+sc+po (mixed)";
    static constexpr expect expected = expect::pass;
};
struct mp_rel_rlx {
    using shape = message_passing_shape;
    static constexpr std::string_view annotation = "rel_rlx";
    static constexpr orders ord = ann::rel_rlx;
    template <class W> using body = message_passing<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0 allowed: a release store synchronizes only with an acquire read.
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[BOSSW11] MP+rel+rlx; [C++20] [atomics.order]; herd-C11 MP+rel+po";
    static constexpr expect expected = expect::pass;
};
struct mp_rlx_acq {
    using shape = message_passing_shape;
    static constexpr std::string_view annotation = "rlx_acq";
    static constexpr orders ord = ann::rlx_acq;
    template <class W> using body = message_passing<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0 allowed: an acquire read of a relaxed store synchronizes with nothing.
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[BOSSW11] MP+rlx+acq; herd-C11 MP+po+acq";
    static constexpr expect expected = expect::pass;
};

// ------------------------------------------------------------------ S, R, RWC
struct s_relaxed {
    using shape = s_shape;
    static constexpr std::string_view annotation = "relaxed";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = s_test<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,2 allowed: no synchronization, x's modification order is free. Relacy
    // orders each store after every store already executed: out of its reach.
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[BOSSW11]-style S; herd-C11 S";
    static constexpr expect expected = expect::pass;
};
struct s_rel_acq {
    using shape = s_shape;
    static constexpr std::string_view annotation = "rel_acq";
    static constexpr orders ord = ann::rel_acq;
    template <class W> using body = s_test<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,2 forbidden: T1's acquire reads T0's release y=1, so x=2 happens
    // before x=1, and write-write coherence puts x=2 first (final x=1).
    static constexpr auto forbidden = std::array<std::string_view, 1>{"1,2"};
    static constexpr std::string_view reference = "[C++20] [intro.races] (write-write coherence); [RC11] S forbidden under RA; herd-C11 S+rel+acq";
    static constexpr expect expected = expect::pass;
};
struct s_sc {
    using shape = s_shape;
    static constexpr std::string_view annotation = "sc";
    static constexpr orders ord = ann::seq_cst;
    template <class W> using body = s_test<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,2 forbidden: seq_cst accesses are releases and acquires, so the
    // argument of S.rel_acq applies.
    static constexpr auto forbidden = std::array<std::string_view, 1>{"1,2"};
    static constexpr std::string_view reference = "[C++20] [intro.races] (write-write coherence), [atomics.order]; herd-C11 S+sc";
    static constexpr expect expected = expect::pass;
};
struct r_relaxed {
    using shape = r_shape;
    static constexpr std::string_view annotation = "relaxed";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = r_test<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 2,0 allowed: no synchronization at all; it is allowed even under
    // release/acquire (R.rel_acq).
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[RC11] R allowed; herd-C11 R";
    static constexpr expect expected = expect::pass;
};
struct r_rel_acq {
    using shape = r_shape;
    static constexpr std::string_view annotation = "rel_acq";
    static constexpr orders ord = ann::rel_acq;
    template <class W> using body = r_test<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 2,0 allowed: no read-from edge between the threads, hence no
    // synchronization; release/acquire does not forbid R.
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[RC11] R allowed under RA; herd-C11 R+rel+acq";
    static constexpr expect expected = expect::pass;
};
struct r_sc {
    using shape = r_shape;
    static constexpr std::string_view annotation = "sc";
    static constexpr orders ord = ann::seq_cst;
    template <class W> using body = r_test<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 2,0 forbidden: in S, x=1 < y=1 (sb) < y=2 (mo) < r0=x (sb) < x=1
    // (r0 reads a value older than x=1): a cycle.
    static constexpr auto forbidden = std::array<std::string_view, 1>{"2,0"};
    static constexpr std::string_view reference = "[C++20] [atomics.order]; herd-C11 R+sc";
    static constexpr expect expected = expect::pass;
};
struct rwc_relaxed {
    using shape = rwc_shape;
    static constexpr std::string_view annotation = "relaxed";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = rwc<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0,0 allowed: no synchronization at all; it is allowed even under
    // release/acquire (RWC.rel_acq).
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[BOSSW11]-style RWC; herd-C11 RWC";
    static constexpr expect expected = expect::pass;
};
struct rwc_rel_acq {
    using shape = rwc_shape;
    static constexpr std::string_view annotation = "rel_acq";
    static constexpr orders ord = ann::rel_acq;
    template <class W> using body = rwc<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0,0 allowed: T2's store-then-load is store buffering; release/acquire
    // does not order a store before a later load of another location.
    static constexpr auto forbidden = none;
    static constexpr std::string_view reference = "[BOSSW11]-style RWC; [RC11] RWC allowed under RA; herd-C11 RWC+rel+acq";
    static constexpr expect expected = expect::pass;
};
struct rwc_sc {
    using shape = rwc_shape;
    static constexpr std::string_view annotation = "sc";
    static constexpr orders ord = ann::seq_cst;
    template <class W> using body = rwc<W, ord>;
    static constexpr origin_kind origin = origin_kind::in_house;
    // 1,0,0 forbidden: S contains all five accesses; x=1 < r0 < r1 < y=1 <
    // r2 < x=1 follows from the reads' values and program order: a cycle.
    static constexpr auto forbidden = std::array<std::string_view, 1>{"1,0,0"};
    static constexpr std::string_view reference = "[C++20] [atomics.order]; herd-C11 RWC+sc";
    static constexpr expect expected = expect::pass;
};

// ------------------------------------------------------------------ mutants
// Deliberately wrong declarations. The suite must catch them: the model
// checker reaches the outcome they declare forbidden (a finding, expected
// verdict fail). They show the litmus check can fail.
struct sb_relaxed_declared_sc {
    using shape = store_buffering_shape;
    static constexpr std::string_view annotation = "relaxed_declared_sc";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = store_buffering<W, ord>;
    static constexpr origin_kind origin = origin_kind::mutant;
    // Wrong on purpose: relaxed SB declared as if it were seq_cst.
    static constexpr std::array<std::string_view, 1> forbidden{"0,0"};
    static constexpr std::string_view reference = "mutant of SB.relaxed: claims SB+sc's forbidden set";
    static constexpr expect expected = expect::fail;
};
struct mp_relaxed_flag_declared_rel_acq {
    using shape = message_passing_shape;
    static constexpr std::string_view annotation = "relaxed_flag_declared_rel_acq";
    static constexpr orders ord = ann::relaxed;
    template <class W> using body = message_passing<W, ord>;
    static constexpr origin_kind origin = origin_kind::mutant;
    // Wrong on purpose: a relaxed flag declared as if it were release/acquire.
    static constexpr std::array<std::string_view, 1> forbidden{"1,0"};
    static constexpr std::string_view reference = "mutant of MP.relaxed: claims MP+rel+acq's forbidden set";
    static constexpr expect expected = expect::fail;
};

using catalogue = type_list<sb_relaxed, sb_rel_acq, sb_sc, sb_fence_sc, sb_fence_acq_rel, sb_fence_sc_one_thread,  //
                            mp_relaxed, mp_rel_acq, mp_sc, mp_fence_rel_acq, mp_fence_sc,                   //
                            mp_fence_rel_only, mp_fence_acq_only, mp_fence_rel_load_acq, mp_store_rel_fence_acq,  //
                            lb_relaxed, lb_rel_acq, lb_sc,                                                  //
                            iriw_relaxed, iriw_rel_acq, iriw_sc,                                            //
                            wrc_relaxed, wrc_rel_acq, wrc_sc,                                               //
                            isa2_relaxed, isa2_rel_acq, isa2_sc,                                            //
                            two_plus_two_w_relaxed, two_plus_two_w_release, two_plus_two_w_sc,              //
                            corr_relaxed, corr_rel_acq, corr_sc,                                            //
                            coww_relaxed, coww_release, coww_sc,                                            //
                            corw_relaxed, corw_rel_acq, corw_sc,                                            //
                            cowr_relaxed, cowr_rel_acq, cowr_sc,                                            //
                            sb_sc_store_rlx_load, mp_rel_rlx, mp_rlx_acq,                                   //
                            s_relaxed, s_rel_acq, s_sc, r_relaxed, r_rel_acq, r_sc,                         //
                            rwc_relaxed, rwc_rel_acq, rwc_sc,                                               //
                            sb_relaxed_declared_sc, mp_relaxed_flag_declared_rel_acq>;

template <class Entry>
std::string test_name() {
    return std::string(Entry::shape::name) + "." + std::string(Entry::annotation);
}

}  // namespace gauntlet::litmus
