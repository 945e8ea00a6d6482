// seed_lifecycle_001: a faithful port of the lifecycle algorithm in seed 001
// ("Atomic State Machines"), as written there and not improved.
//
// The seed pairs one atomic state (INIT -> RUNNING -> DRAINING -> CLOSED,
// every transition a CAS) with one atomic counter of in-flight work:
//
//   worker entry:  if state != RUNNING: exit
//                  increment activeJobs                  (no re-check)
//   worker exit:   decrement activeJobs
//                  if state == DRAINING and activeJobs == 0: close system
//   shutdown:      if CAS(state, RUNNING, DRAINING):
//                      stop accepting work
//                      wait for active count == 0
//                      CAS(state, DRAINING, CLOSED)
//
// Where the mapping onto the contract (contract.hpp) had to choose:
//  * Orders: the seed names none and promises that a state change is seen
//    "immediately" by every thread; every access is seq_cst.
//  * start(): the seed gives no code; INIT -> RUNNING is its transition
//    pattern, `CAS(state, INIT, RUNNING)`.
//  * try_enter() is the worker entry; exit() the worker exit, which tests
//    the counter with a fresh load (the seed tests `activeJobs`, not the
//    value its decrement returned).
//  * drain() is the shutdown, but the contract's drain() returns while units
//    are admitted (the last exit closes), where the seed's shutdown blocks.
//    drain() makes the seed's wait a single test: a zero count makes the
//    shutdown's CAS(DRAINING, CLOSED) at once; otherwise the wait is finished
//    by the seed's own worker-exit rule (the last exit closes) and the caller
//    waits in wait_closed(). The window below is the same either way: the
//    test "active == 0" can pass while a worker that has passed its state
//    test has not yet incremented.
//  * "close system" is the seed's CAS(DRAINING, CLOSED); its one winner runs
//    the close hook ("clean resources exactly once") and wakes the waiters.
//  * wait_closed(): the seed has none; it parks on the state word, on the
//    value it tested (no lost wake-up of the port's own making).
//
// Known finding (see the catalogue entry): with no re-check after the
// increment, a worker that read RUNNING can be overtaken by the whole
// shutdown: drain() moves to DRAINING, reads a zero count and closes (the
// hook runs), and only then does the worker increment and go on as admitted.
// A unit is admitted into a CLOSED service and runs after the close hook
// that was to come after every admitted unit's work.
//
// Cost: try_enter = 1 load + 1 RMW; exit = 1 RMW + 2 loads; drain = 1 CAS +
// 1 load (+1 CAS to close). Lock-free.
#pragma once

#include "primitives/lifecycle/contract.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

template <world World>
class seed_lifecycle_001 {
    static constexpr int INIT = 0, RUNNING = 1, DRAINING = 2, CLOSED = 3;
    static constexpr auto sc = std::memory_order_seq_cst;  // "all threads immediately see it"

public:
    explicit seed_lifecycle_001(close_hook on_close = {}) : on_close_(on_close) {}

    lifecycle_state state() const { return static_cast<lifecycle_state>(state_.load(sc)); }

    bool start() {
        int expected = INIT;
        return state_.compare_exchange_strong(expected, RUNNING, sc);
    }

    bool try_enter() {
        if (state_.load(sc) != RUNNING) return false;  // if state != RUNNING: exit
        active_.fetch_add(1, sc);                      // increment activeJobs
        return true;
    }

    void exit() {
        active_.fetch_sub(1, sc);  // decrement activeJobs
        if (state_.load(sc) == DRAINING && active_.load(sc) == 0) close();
    }

    bool drain() {
        int expected = RUNNING;
        if (!state_.compare_exchange_strong(expected, DRAINING, sc)) return false;
        if (active_.load(sc) == 0) close();  // wait for active count == 0 (see above)
        return true;
    }

    void wait_closed() {
        for (int s = state_.load(sc); s != CLOSED; s = state_.load(sc)) World::park(state_, s, sc);
    }

private:
    void close() {
        int expected = DRAINING;
        if (state_.compare_exchange_strong(expected, CLOSED, sc)) {
            on_close_();
            World::unpark_all(state_);
        }
    }

    typename World::template atomic<int> state_{INIT};
    typename World::template atomic<int> active_{0};
    close_hook on_close_;
};

}  // namespace gauntlet
