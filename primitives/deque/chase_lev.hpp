// chase_lev / chase_lev_bounded / chase_lev_asym: the Chase–Lev
// work-stealing deque (Chase and Lev, SPAA 2005) with the memory orders of Lê
// et al. (PPoPP 2013, Fig. 1, ported as published in chase_lev_le2013.hpp),
// repaired and justified here one order at a time.
//
// What differs from the published port, and why:
//   1. Signed indices (int64). With the published size_t indices, a pop on a
//      deque that has never been stolen from and holds nothing computes
//      b = 0 - 1 = SIZE_MAX, finds t <= b, "takes" a cell that holds no item
//      and leaves bottom at SIZE_MAX, so the next push is lost (the property
//      check's counterexample on chase_lev_le2013 is `pop` on a new deque).
//      With signed indices b = -1 < t = 0: empty.
//   2. push publishes the cell with a release store of bottom instead of a
//      release fence followed by a relaxed store. For this one store the two
//      order the same writes; the store form is what ThreadSanitizer sees
//      (it ignores atomic_thread_fence), so the hand-off push -> steal is an
//      edge in the TSan build too.
//   3. Replaced arrays are reclaimed: see "Reclamation".
//   4. A bounded variant (Policy::bounded): no resize, push reports full.
//   5. Capacities are powers of two and an index is masked into the array,
//      where the paper takes it modulo the size: a 64-bit division on
//      every push and pop (measured, single runs: 64 pushes and 64 pops
//      396 -> 377 ns; the fence in pop is most of the rest, see README,
//      "Deque performance").
//   6. An asymmetric variant (chase_lev_asym_policy, below): see
//      "Asymmetric fences".
//
// Asymmetric fences (chase_lev_asym). The two seq_cst fences, pop's and
// steal's, are the halves of one store-buffering pair; on x86 each is a
// locked instruction, and pop's is most of the owner's cost (64 pushes and 64
// pops: 371-383 ns with it, 95-112 ns without; README, "Deque performance").
// chase_lev_asym moves the cost to the thieves: pop executes a light fence
// (natively a compiler barrier) and steal a heavy one (natively
// membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED): every running thread of the
// process executes a full barrier before it returns; primitives/
// native_world.hpp states the pairing argument and the fallback to two
// seq_cst fences where membarrier is missing). Light with heavy forbids what
// two seq_cst fences forbid, so the proof of the symmetric deque carries
// over. Every other line is the same but one: the constructor executes a
// heavy fence, because a light fence is a full one until the process's first
// heavy fence has set the pair up. What it costs: each steal, including one
// that finds the deque empty, is a system call (about 240 ns here, single timings, with no
// other thread running) that interrupts every CPU running a thread of the
// process, the owner's included; so it suits owners that push and pop much
// more often than thieves steal, and not thieves that poll an empty deque.
// Two light fences forbid nothing. The Relacy world models the pair as C++
// would specify it (primitives/relacy_world.hpp): a light and a heavy fence
// act as two seq_cst fences in the order they run, two light ones order
// nothing, so the model catches a heavy fence weakened to a light one (the
// catalogue's chase_lev_asym.light_steal_fence).
//
// Reclamation. A thief may load the array pointer, be preempted, and read a
// cell of that array long after the owner replaced it; the thief's CAS on
// top then tells it whether the value it read is its own. So a replaced
// array must stay readable while any thief may still hold it. Without
// hazard pointers or epochs the owner cannot know when that stops, so a
// replaced array goes on a retired chain owned by the deque and is freed
// in the destructor, when no thief can run (the contract: the deque outlives
// its users). Memory stays bounded: the sizes double, so the retired arrays
// together are smaller than the current one.
//
// Steal answers: success | empty | abort (a failed CAS on top; steal never
// loops, the caller decides whether to retry).
//
// ThreadSanitizer (the tsan check runs this source natively, instrumented).
// TSan ignores fences and does not model store buffering. What it can see:
// every hand-off of data is a release/acquire pair on an atomic - the cell by
// bottom (2.), a new array by the release store of `array` and the thieves'
// acquire load of it, an overwritten cell by the thieves' CAS on top and the
// owner's acquire load of top in push - so a data race TSan reports is a
// missing edge, and a correct build reports none (the cells are atomics, the
// array's header is written before its release publication). What it cannot
// see: the two seq_cst fences (take, steal), or chase_lev_asym's light and
// heavy fences (a compiler barrier and a system call). They forbid the
// store-buffering outcome in which the owner's pop and a steal each miss the
// other's index update and both take one item; that is no data race, so TSan
// says nothing, and only the exactly-once judge of the stress body (on this
// x86 machine, whose store buffer does produce the outcome) or the Relacy
// model can catch a missing fence.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "primitives/cache_padded.hpp"
#include "primitives/deque/contract.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

// The kind of a fence of the store-buffering pair: a seq_cst thread fence
// (World::fence), or a half of the asymmetric pair (World::light_fence,
// World::heavy_fence; primitives/world.hpp). A light fence is sound only
// paired with a heavy one.
enum class chase_lev_fence { seq_cst, light, heavy };

struct chase_lev_policy {
    static constexpr bool bounded = false;
    static constexpr bool take_fence = true;
    static constexpr bool steal_fence = true;
    // Which fence pop (take) and steal execute when they execute one.
    static constexpr chase_lev_fence take_fence_kind = chase_lev_fence::seq_cst;
    static constexpr chase_lev_fence steal_fence_kind = chase_lev_fence::seq_cst;
    static constexpr std::memory_order steal_cas = std::memory_order_seq_cst;
    static constexpr std::memory_order publish_array = std::memory_order_release;
    // The order of push's store of bottom (release: it publishes the cell).
    // Mutant switch (the pool's work_stealing.relaxed_push): relaxed, so a
    // thief that reads the new bottom has no edge to what the owner wrote
    // before the push.
    static constexpr std::memory_order publish_bottom = std::memory_order_release;
    // Mutant switch: a thief claims index t with a plain store of t + 1 to
    // top instead of the CAS (the CAS weakened to no read-modify-write).
    static constexpr bool steal_claims_by_store = false;
};
struct chase_lev_bounded_policy : chase_lev_policy {
    static constexpr bool bounded = true;
};
// The owner's pop pays a compiler barrier, the thieves a membarrier
// (see "Asymmetric fences").
struct chase_lev_asym_policy : chase_lev_policy {
    static constexpr chase_lev_fence take_fence_kind = chase_lev_fence::light;
    static constexpr chase_lev_fence steal_fence_kind = chase_lev_fence::heavy;
};

template <world World, class T, class Policy = chase_lev_policy>
class chase_lev {
    template <class U>
    using atomic = typename World::template atomic<U>;
    template <class U>
    using var = typename World::template var<U>;
    using index = std::int64_t;

    struct array {
        explicit array(index n)
            : size(n), buffer(new atomic<T>[static_cast<std::size_t>(n)]), marks(static_cast<std::size_t>(n)) {}
        ~array() { delete[] buffer; }
        array(const array&) = delete;
        array& operator=(const array&) = delete;
        // World data: a thief that reads an array not published to it
        // (weakened publication) races with its construction in the model.
        var<index> size;
        atomic<T>* buffer;  // cells: atomics, since a thief's read may race the owner's overwrite
        // Ghost (world.hpp, witness): one per cell, touched by push before it
        // writes the cell and by steal after it reads one. Empty, and never
        // allocated, in every world but the deque model's witness world.
        witness_row<World> marks;
        array* retired = nullptr;  // owner only: the chain freed in the destructor
        atomic<T>& cell(index i) { return buffer[slot(i)]; }
        void mark(index i) { marks.touch(slot(i)); }
        // size is a power of two: a mask, not the published `%` (a 64-bit
        // division on every push and pop: tens of cycles on the owner's path).
        std::size_t slot(index i) { return static_cast<std::size_t>(i & (size.load() - 1)); }
    };

public:
    // capacity is rounded up to a power of two (the bounded variant refuses
    // a push beyond that).
    explicit chase_lev(std::size_t capacity = 64) {
        array_->store(World::template make<array>(static_cast<index>(std::bit_ceil(capacity < 1 ? 1 : capacity))),
                      std::memory_order_relaxed);  // construction happens before every user
        // A light fence is a full one until the process's first heavy fence
        // (world.hpp): one here, before any user, makes pop's light fences
        // compiler barriers from the first pop on.
        if constexpr (Policy::take_fence_kind == chase_lev_fence::light ||
                      Policy::steal_fence_kind == chase_lev_fence::light)
            World::heavy_fence();
    }
    chase_lev(const chase_lev&) = delete;
    chase_lev& operator=(const chase_lev&) = delete;
    ~chase_lev() {
        array* a = array_->load(std::memory_order_relaxed);
        while (a) {
            array* next = a->retired;
            World::destroy(a);
            a = next;
        }
    }

    // Each steal is a system call that interrupts the CPU the owner runs on
    // (chase_lev_asym's heavy fence, natively membarrier): a check whose
    // thieves poll paces them (stress/deque/deque_asan.cpp).
    static constexpr bool steal_interrupts_owner =
        Policy::steal_fence && Policy::steal_fence_kind == chase_lev_fence::heavy;

    std::size_t capacity() const {
        return static_cast<std::size_t>(array_->load(std::memory_order_relaxed)->size.load());
    }

    bool push(T x) {
        // bottom is written by the owner only: relaxed reads its own value.
        const index b = bottom_->load(std::memory_order_relaxed);
        // acquire: pairs with the thieves' CAS on top (seq_cst, so release),
        // so a thief's read of the cell it took happens before this push
        // overwrites that cell on the next lap.
        // Without it the thief's earlier read could return this later
        // overwrite (load buffering): no execution Relacy or x86 produces,
        // and no data race on the atomic cells, but a missing happens-before
        // edge that the model's `lap` scenario sees through the witness.
        const index t = top_->load(std::memory_order_acquire);
        array* a = array_->load(std::memory_order_relaxed);  // the owner's own store
        if (b - t >= a->size.load()) {
            if constexpr (Policy::bounded) return false;  // full
            a = grow(a, t, b);
        }
        // relaxed: published by the release store of bottom below.
        a->mark(b);
        a->cell(b).store(x, std::memory_order_relaxed);
        // release: a thief whose acquire load of bottom reads b + 1 sees the
        // cell (and, after a resize, the array the cell is in).
        bottom_->store(b + 1, Policy::publish_bottom);
        return true;
    }

    bool pop(T& out) {
        const index b = bottom_->load(std::memory_order_relaxed) - 1;
        array* a = array_->load(std::memory_order_relaxed);
        // relaxed store, then a seq_cst fence before the load of top: the
        // fence orders "bottom lowered" before "top read" against the fence
        // in steal (store buffering: without both fences the owner can miss
        // a steal and a thief miss the pop, and both take one item).
        // chase_lev_asym: a light fence here, paired with steal's heavy one.
        bottom_->store(b, std::memory_order_relaxed);
        if constexpr (Policy::take_fence) {
            if constexpr (Policy::take_fence_kind == chase_lev_fence::light)
                World::light_fence();
            else if constexpr (Policy::take_fence_kind == chase_lev_fence::heavy)
                World::heavy_fence();
            else
                World::fence(std::memory_order_seq_cst);
        }
        index t = top_->load(std::memory_order_relaxed);
        if (t > b) {  // empty: restore bottom (owner only, relaxed)
            bottom_->store(b + 1, std::memory_order_relaxed);
            return false;
        }
        const T x = a->cell(b).load(std::memory_order_relaxed);  // the owner's own write
        if (t < b) {  // more than one item: no thief can reach index b
            out = x;
            return true;
        }
        // The last item: race the thieves for it on top. seq_cst: its place
        // in the single total order decides against their CAS; failure
        // relaxed (nothing read through it).
        // sweep(cas): seq_cst as in Le et al. 2013, whose proof places this
        // CAS in the single order with the fences; no one-site weakening is
        // caught (the RMW's atomicity alone settles the race for the item
        // in every scenario run), and on x86 it is the same instruction for
        // every order.
        const bool won = top_->compare_exchange_strong(t, t + 1, std::memory_order_seq_cst, std::memory_order_relaxed);
        bottom_->store(b + 1, std::memory_order_relaxed);
        if (!won) return false;
        out = x;
        return true;
    }

    steal_status steal(T& out) {
        // acquire: pairs with another thief's CAS, so the array it read is
        // no older than the one we read next.
        // sweep: in the C++ model the seq_cst fence below already gives this
        // load acquire semantics; the order is kept for ThreadSanitizer,
        // which ignores fences and would otherwise see no edge from the
        // previous thief's CAS (a false race on the cells it reads).
        index t = top_->load(std::memory_order_acquire);
        // seq_cst fence: the thief's half of the store-buffering pair with
        // the fence in pop (see pop). chase_lev_asym: the heavy fence, which
        // pairs with pop's light one.
        if constexpr (Policy::steal_fence) {
            if constexpr (Policy::steal_fence_kind == chase_lev_fence::light)
                World::light_fence();
            else if constexpr (Policy::steal_fence_kind == chase_lev_fence::heavy)
                World::heavy_fence();
            else
                World::fence(std::memory_order_seq_cst);
        }
        // acquire: pairs with push's release store; the cell at t is written.
        const index b = bottom_->load(std::memory_order_acquire);
        if (t >= b) return steal_status::empty;
        // acquire: pairs with grow's release store; the array's size and
        // copied cells are visible.
        array* a = array_->load(std::memory_order_acquire);
        const T x = a->cell(t).load(std::memory_order_relaxed);
        // What the release half below is for, stated for the model: this read
        // happens before push's write of the cell on its next lap (a data race
        // on the witness in the `lap` scenario when it does not).
        a->mark(t);
        // seq_cst: ordered in the single total order with the owner's fence
        // and its CAS on the last item; release for push's acquire load of
        // top (the cell may be overwritten only after this read).
        if constexpr (Policy::steal_claims_by_store) {
            top_->store(t + 1, Policy::steal_cas);
        } else {
            // The release half is push's pair (see its note; the model's `lap`
            // scenario fails without it). The seq_cst half places it in the
            // single order with the fences, as in Le et al. 2013.
            if (!top_->compare_exchange_strong(t, t + 1, Policy::steal_cas, std::memory_order_relaxed))
                return steal_status::abort;
        }
        out = x;
        return steal_status::success;
    }

private:
    // Owner only: a new array of twice the size holding [t, b).
    array* grow(array* a, index t, index b) {
        array* n = World::template make<array>(2 * a->size.load());
        for (index i = t; i < b; ++i) n->cell(i).store(a->cell(i).load(std::memory_order_relaxed), std::memory_order_relaxed);
        n->retired = a;
        // release: a thief that reads n through its acquire load sees n's
        // construction and the copied cells.
        array_->store(n, Policy::publish_array);
        return n;
    }

    cache_padded<atomic<index>> top_{};
    cache_padded<atomic<index>> bottom_{};
    cache_padded<atomic<array*>> array_{};
};

}  // namespace gauntlet
