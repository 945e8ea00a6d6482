// seed_atomic_service: a faithful port of `AtomicService` from seed 003
// ("Atomic State Machine for a Worker Service", a Node.js worker_threads
// example), as written there and not improved.
//
// Layout as in the seed: word 0 is the state, word 1 the active-job counter.
// JavaScript `Atomics` operations are sequentially consistent, so every
// operation here is seq_cst. `tryEnter` is check, increment, re-check; `exit`
// decrements and closes when it saw zero while DRAINING; `drain` CASes
// RUNNING -> DRAINING and closes when the counter reads zero; `close` CASes
// DRAINING -> CLOSED and notifies; `awaitClosed` waits on the state word.
// console.log side effects become the close hook (close) and nothing (others).
//
// The seed holds three distinct defects, each found by the model check:
//
//  1. Back-out without the close check (liveness). tryEnter's rejection path
//     decrements the counter without the close check that exit() has. If
//     drain() runs between a worker's increment and its re-check, drain()
//     reads a non-zero counter and does not close, the worker backs out to
//     zero and does not close either: the service stays DRAINING with nothing
//     admitted.
//  2. Lost wake-up in awaitClosed (liveness). `Atomics.wait(view, 0,
//     this.state)` waits on a second, fresh load of the state, not on the
//     value the loop tested. If the close lands between the loop's test (any
//     state but CLOSED) and that second load, the waiter reads CLOSED and
//     parks until the state differs from CLOSED: for ever (the close's notify
//     came before it parked).
//  3. exit() closes on a stale zero (safety). exit() takes "I was the last"
//     from its own decrement, then tests the state with a later load. Between
//     the two, another worker can be admitted (the service is still RUNNING)
//     and drain() can run (it reads that worker's count, or has not read it
//     yet); the first exit() then reads DRAINING and closes: the close hook
//     can run while the newly admitted unit is in flight, and that unit's
//     work does not happen-before the hook in any case.
//
// The seed entry keeps all three. The Repairs bits exist only to build the
// variants that show each defect alone, and the repaired one (catalogue.hpp):
//   back_out_closes       the rejection path leaves through exit();
//   wait_on_tested_value  wait_closed parks on the value the loop tested;
//   exit_rereads_count    exit() closes only if, after it has read
//                         DRAINING, the counter still reads zero (no unit can
//                         be admitted once DRAINING is visible, so a zero
//                         read then is final).
//
// (Outside the class, the seed's main thread calls awaitClosed() right after
// scheduling drain() with setTimeout: Atomics.wait blocks the main thread's
// event loop, so that timer never fires. The checks drive the class through
// the contract and do not port the driver.)
//
// Cost: try_enter = 2 loads + 1 RMW; exit = 1 RMW + 1 load. Lock-free.
#pragma once

#include "primitives/lifecycle/contract.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

// Repairs of the seed's defects, as bits (the numbering above).
struct seed_003_repair {
    static constexpr unsigned none = 0;
    static constexpr unsigned back_out_closes = 1;       // defect 1
    static constexpr unsigned wait_on_tested_value = 2;  // defect 2
    static constexpr unsigned exit_rereads_count = 4;    // defect 3
    static constexpr unsigned all = 7;
};

template <world World, unsigned Repairs = seed_003_repair::none>
class seed_atomic_service_impl {
    static constexpr bool repaired(unsigned r) { return (Repairs & r) != 0; }
    static constexpr int INIT = 0, RUNNING = 1, DRAINING = 2, CLOSED = 3;
    // JS Atomics are SC. The entries built here keep the seed's orders and
    // repair only its three defects; where the memory-order sweep shows an
    // order stronger than needed, the note at the site says so (a finding
    // about the seed, reported, not a change made here).
    static constexpr auto sc = std::memory_order_seq_cst;

public:
    explicit seed_atomic_service_impl(close_hook on_close = {}) : on_close_(on_close) {}

    lifecycle_state state() const { return static_cast<lifecycle_state>(state_.load(sc)); }

    bool start() {
        int expected = INIT;
        // sweep(cas_failure): the seed's seq_cst; a failed start() returns
        // false and the caller reads nothing through it: no order needed.
        return state_.compare_exchange_strong(expected, RUNNING, sc);
    }

    bool try_enter() {
        // sweep: the seed's seq_cst; this load only turns callers away early.
        // The load after the increment decides admission and is the one
        // that synchronises with start() (the sweep shows it necessary).
        if (state_.load(sc) != RUNNING) return false;
        active_.fetch_add(1, sc);
        if (state_.load(sc) != RUNNING) {
            if constexpr (repaired(seed_003_repair::back_out_closes))
                exit();  // repair 1: the last one out while DRAINING closes
            else
                active_.fetch_sub(1, sc);  // defect 1, as written: no close check here
            return false;
        }
        return true;
    }

    void exit() {
        const int remaining = active_.fetch_sub(1, sc) - 1;
        if constexpr (repaired(seed_003_repair::exit_rereads_count)) {
            // repair 3: the zero must still hold once DRAINING is seen
            if (remaining == 0 && state_.load(sc) == DRAINING && active_.load(sc) == 0) close();
        } else {
            if (remaining == 0 && state_.load(sc) == DRAINING) close();  // defect 3, as written
        }
    }

    bool drain() {
        int expected = RUNNING;
        // sweep(cas_failure): the seed's seq_cst; a failed drain() returns
        // false and reads nothing through it: no order needed.
        if (state_.compare_exchange_strong(expected, DRAINING, sc)) {
            if (active_.load(sc) == 0) close();
            return true;
        }
        return false;
    }

    void wait_closed() {
        if constexpr (repaired(seed_003_repair::wait_on_tested_value)) {
            // repair 2: park on the value the loop tested
            // sweep(wait): the seed's seq_cst; what the park reads decides
            // only whether to block, and the loop returns only through its
            // own load (the sweep shows that load necessary).
            for (int s = state_.load(sc); s != CLOSED; s = state_.load(sc)) World::park(state_, s, sc);
        } else {
            // defect 2, as written: while (this.state !== CLOSED) Atomics.wait(view, 0, this.state);
            while (state_.load(sc) != CLOSED) World::park(state_, state_.load(sc), sc);
        }
    }

private:
    void close() {
        int expected = DRAINING;
        // sweep(cas_failure): the seed's seq_cst; a failed close means
        // another thread closed, and nothing is read through it.
        if (state_.compare_exchange_strong(expected, CLOSED, sc)) {
            on_close_();
            World::unpark_all(state_);  // Atomics.notify(view, 0)
        }
    }

    typename World::template atomic<int> state_{INIT};
    typename World::template atomic<int> active_{0};
    close_hook on_close_;
};

template <world World>
using seed_atomic_service = seed_atomic_service_impl<World>;

}  // namespace gauntlet
