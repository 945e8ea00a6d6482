// packed_lifecycle: the in-house lock-free lifecycle state machine.
//
// Guarantees the full lifecycle contract (contract.hpp): one-way states, no
// admission once DRAINING is observed, close hook exactly once with every
// admitted unit's work happening-before it, and liveness after drain().
// Lock-free; every operation is one uncontended RMW on one word.
//
// Design: state and admitted count share one 32-bit word,
//   word = count * ONE | state        (state in the low two bits)
// so "is it RUNNING?" and "count me in" are one atomic step and there is no
// window between them (the window that seed_atomic_service's check-increment-
// recheck leaves open, see that entry's finding).
//  * try_enter is optimistic: fetch_add(ONE) and look at the state it saw.
//    A rejected caller backs out with the same path as exit(), so the last
//    one out while DRAINING closes, admitted or not.
//  * exactly one thread observes the word go from DRAINING|ONE to DRAINING|0
//    at a time; it tries DRAINING|0 -> CLOSED. That CAS fails only if a
//    rejected try_enter slipped in, and that thread's back-out repeats the
//    step, so exactly one close happens and it always happens.
//  * wait_closed parks on the word (futex) and is woken by the closer.
// Cost: try_enter 1 RMW (2 if rejected), exit 1 RMW, drain 1 CAS (+1 to close).
// Use it where admissions are hot (per request/task); the count saturates at
// 2^30 concurrent admissions.
//
// ExitOrder and Defect exist only to build mutants (catalogue.hpp).
#pragma once

#include <cstdint>

#include "primitives/lifecycle/contract.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

// One deliberate defect per mutant (catalogue.hpp); `none` is the design.
enum class packed_defect {
    none,
    admit_while_draining,  // try_enter also admits while DRAINING (a state test too wide)
    close_on_drain,        // drain() closes at once, ignoring the units still admitted
    start_exact_init,      // start() expects the bare INIT word, as if no rejected
                           // try_enter could hold a transient count in INIT
};

template <world World, std::memory_order ExitOrder = std::memory_order_release,
          packed_defect Defect = packed_defect::none>
class packed_lifecycle_impl {
    using word_t = std::uint32_t;
    static constexpr word_t INIT = 0, RUNNING = 1, DRAINING = 2, CLOSED = 3, STATE_MASK = 3;
    static constexpr word_t ONE = 4;

public:
    explicit packed_lifecycle_impl(close_hook on_close = {}) : on_close_(on_close) {}

    lifecycle_state state() const {
        // acquire: a caller that sees CLOSED sees every unit's work (the
        // close CAS D read every exit's release sequence; contract.hpp).
        return static_cast<lifecycle_state>(word_.load(std::memory_order_acquire) & STATE_MASK);
    }

    bool start() {
        if constexpr (Defect == packed_defect::start_exact_init) {
            word_t bare = INIT;
            return word_.compare_exchange_strong(bare, RUNNING, std::memory_order_release, std::memory_order_relaxed);
        }
        word_t w = word_.load(std::memory_order_relaxed);
        // A rejected try_enter may hold a transient count in INIT; keep it.
        while ((w & STATE_MASK) == INIT) {
            // release: admitted units (acquire in try_enter) see what the
            // starter set up before start().
            if (word_.compare_exchange_weak(w, (w & ~STATE_MASK) | RUNNING, std::memory_order_release,
                                            std::memory_order_relaxed))
                return true;
        }
        return false;
    }

    bool try_enter() {
        // A: linearization point of try_enter. acquire pairs with start()'s
        // release so admitted work sees the started service.
        const word_t seen = word_.fetch_add(ONE, std::memory_order_acquire);
        const word_t s = seen & STATE_MASK;
        if (s == RUNNING || (Defect == packed_defect::admit_while_draining && s == DRAINING)) return true;
        leave();
        return false;
    }

    void exit() { leave(); }

    bool drain() {
        word_t w = word_.load(std::memory_order_relaxed);
        while ((w & STATE_MASK) == RUNNING) {
            // C: linearization point of drain. relaxed, by argument (the
            // sweep finds no scenario that needs more, and the contract
            // needs nothing more):
            // sweep: no order is needed here. One-way observation needs none:
            // a try_enter that happens after a load which read DRAINING
            // comes after C in the word's modification order (read-write
            // coherence), so it sees DRAINING or later and is refused. A
            // close done here needs no acquire of its own: C is an RMW, so
            // it continues every exit's release sequence, and D (acq_rel)
            // reads C's value and so synchronises with every exit. Nothing
            // the drainer wrote before drain() is promised to anyone
            // (contract.hpp). Weakened from acq_rel with the lifecycle model
            // and the ThreadSanitizer stress passing; on x86 the CAS is the
            // same instruction either way.
            if (word_.compare_exchange_weak(w, (w & ~STATE_MASK) | DRAINING, std::memory_order_relaxed,
                                            std::memory_order_relaxed)) {
                if constexpr (Defect == packed_defect::close_on_drain)
                    close_now();
                else if ((w >> 2) == 0)
                    try_close();
                return true;
            }
        }
        return false;
    }

    void wait_closed() {
        for (;;) {
            // acquire: every unit's work happens-before the return (contract.hpp).
            const word_t w = word_.load(std::memory_order_acquire);
            if ((w & STATE_MASK) == CLOSED) return;
            // sweep: relaxed by argument: what the park reads decides only
            // whether to block; the loop returns only through the acquire
            // load above. Weakened from acquire with the lifecycle model and
            // the ThreadSanitizer stress passing.
            World::park(word_, w, std::memory_order_relaxed);
        }
    }

private:
    void leave() {
        // B: release, so this unit's work happens-before the close: every
        // step on the word is an RMW, so B heads a release sequence that the
        // closing CAS (acquire) reads from.
        const word_t before = word_.fetch_sub(ONE, ExitOrder);
        if (before == (DRAINING | ONE)) try_close();
    }

    void try_close() {
        word_t expected = DRAINING;
        // D: linearization point of the close. acq_rel: acquire completes the
        // synchronisation with every exit (B) before the hook runs; release
        // passes the exits on to wait_closed()/state() acquirers. The hook
        // runs after D, so a waiter may return while it still runs: the
        // contract does not promise the hook finished (contract.hpp).
        if (word_.compare_exchange_strong(expected, CLOSED, std::memory_order_acq_rel,
                                          std::memory_order_relaxed)) {
            on_close_();
            World::unpark_all(word_);
        }
        // On failure a rejected try_enter holds a transient count; its own
        // leave() sees DRAINING|ONE and retries D.
    }

    // close_on_drain only: DRAINING|n -> CLOSED|n whatever n is (the units
    // still admitted are forgotten; their exits find CLOSED and do nothing).
    void close_now() {
        word_t w = word_.load(std::memory_order_relaxed);
        while ((w & STATE_MASK) == DRAINING) {
            if (word_.compare_exchange_weak(w, (w & ~STATE_MASK) | CLOSED, std::memory_order_acq_rel,
                                            std::memory_order_relaxed)) {
                on_close_();
                World::unpark_all(word_);
                return;
            }
        }
    }

    typename World::template atomic<word_t> word_{INIT};
    close_hook on_close_;
};

template <world World>
using packed_lifecycle = packed_lifecycle_impl<World>;

}  // namespace gauntlet
