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
// Known finding (see the catalogue entry): the rejection path of tryEnter
// decrements the counter without the close check that exit() has. If drain()
// runs between a worker's increment and its re-check, drain() reads a non-zero
// counter and does not close, the worker backs out to zero and does not close
// either: the service stays DRAINING with nothing admitted and awaitClosed
// never returns. Kept as written; the fixed algorithm is a separate entry.
//
// Cost: try_enter = 2 loads + 1 RMW; exit = 1 RMW + 1 load. Lock-free.
#pragma once

#include "primitives/lifecycle/contract.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

template <world World>
class seed_atomic_service {
    static constexpr int INIT = 0, RUNNING = 1, DRAINING = 2, CLOSED = 3;
    static constexpr auto sc = std::memory_order_seq_cst;  // JS Atomics are SC

public:
    explicit seed_atomic_service(close_hook on_close = {}) : on_close_(on_close) {}

    lifecycle_state state() const { return static_cast<lifecycle_state>(state_.load(sc)); }

    bool start() {
        int expected = INIT;
        return state_.compare_exchange_strong(expected, RUNNING, sc);
    }

    bool try_enter() {
        if (state_.load(sc) != RUNNING) return false;
        active_.fetch_add(1, sc);
        if (state_.load(sc) != RUNNING) {
            active_.fetch_sub(1, sc);  // the seed's back-out: no close check here
            return false;
        }
        return true;
    }

    void exit() {
        const int remaining = active_.fetch_sub(1, sc) - 1;
        if (remaining == 0 && state_.load(sc) == DRAINING) close();
    }

    bool drain() {
        int expected = RUNNING;
        if (state_.compare_exchange_strong(expected, DRAINING, sc)) {
            if (active_.load(sc) == 0) close();
            return true;
        }
        return false;
    }

    void wait_closed() {
        // while (this.state !== CLOSED) Atomics.wait(view, 0, this.state);
        while (state_.load(sc) != CLOSED) World::park(state_, state_.load(sc), sc);
    }

private:
    void close() {
        int expected = DRAINING;
        if (state_.compare_exchange_strong(expected, CLOSED, sc)) {
            on_close_();
            World::unpark_all(state_);  // Atomics.notify(view, 0)
        }
    }

    typename World::template atomic<int> state_{INIT};
    typename World::template atomic<int> active_{0};
    close_hook on_close_;
};

}  // namespace gauntlet
