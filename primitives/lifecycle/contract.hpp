// Lifecycle state machine contract.
//
// A service moves one way through INIT -> RUNNING -> DRAINING -> CLOSED:
//
//   bool start();        INIT -> RUNNING; true for the one caller that moved it.
//   bool try_enter();    admits one unit of work iff the service is RUNNING;
//                        once any thread has observed DRAINING, no call admits.
//   void exit();         ends one admitted unit; the last exit while DRAINING
//                        closes the service.
//   bool drain();        RUNNING -> DRAINING; true for the one caller that moved
//                        it; closes at once when nothing is admitted.
//   void wait_closed();  blocks (parked, never spinning) until CLOSED.
//   lifecycle_state state();
//
// Safety: states never go backwards; no admission after DRAINING is observed;
// the close hook runs exactly once. Liveness: after drain(), once every
// admitted unit has exited, the state reaches CLOSED and every waiter wakes.
// The close hook runs in the thread that closes, and every admitted unit's
// work happens-before it (it may release what the units used).
// Publication: what the starter did before start() happens-before the work
// of every unit admitted after it (a service set up, then started); every
// admitted unit's work happens-before the return of wait_closed() and of a
// state() that returns CLOSED. Not promised: that the close hook has
// finished when wait_closed() returns (in the lock-free entries the hook runs
// after the state is CLOSED).
#pragma once

#include <concepts>
#include <cstdint>
#include <string_view>

namespace gauntlet {

enum class lifecycle_state : int { init = 0, running = 1, draining = 2, closed = 3 };

constexpr std::string_view to_string(lifecycle_state s) {
    switch (s) {
        case lifecycle_state::init: return "INIT";
        case lifecycle_state::running: return "RUNNING";
        case lifecycle_state::draining: return "DRAINING";
        case lifecycle_state::closed: return "CLOSED";
    }
    return "?";
}

// Action run exactly once by whichever thread closes the service (release of
// resources in a real service). A plain function pointer: no allocation, and
// usable inside Relacy.
struct close_hook {
    void (*fn)(void*) = nullptr;
    void* ctx = nullptr;
    void operator()() const {
        if (fn) fn(ctx);
    }
};

template <class L>
concept lifecycle = std::constructible_from<L, close_hook> && requires(L l, const L cl) {
    { l.start() } -> std::same_as<bool>;
    { l.try_enter() } -> std::same_as<bool>;
    { l.exit() } -> std::same_as<void>;
    { l.drain() } -> std::same_as<bool>;
    { l.wait_closed() } -> std::same_as<void>;
    { cl.state() } -> std::same_as<lifecycle_state>;
};

}  // namespace gauntlet
