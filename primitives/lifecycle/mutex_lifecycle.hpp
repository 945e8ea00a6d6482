// mutex_lifecycle: the lock-based baseline.
//
// The lifecycle contract (contract.hpp) with one mutex over state and count
// and one condition variable for wait_closed. Linearizable by construction;
// blocking (not lock-free). Each operation is a lock/unlock pair: under
// contention admissions serialise on the mutex. Use it as the reference the
// lock-free entries must beat, or where admissions are rare.
//
// State and count are World::var, so the model sees every access: one made
// without the lock is a data race in Relacy, not an invisible plain access.
// LockedTryEnter = false exists only to build the lock-discipline mutant
// (catalogue.hpp): try_enter reads the state and updates the count without
// taking the mutex.
#pragma once

#include <mutex>

#include "primitives/lifecycle/contract.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

template <world World, bool LockedTryEnter = true>
class mutex_lifecycle_impl {
public:
    explicit mutex_lifecycle_impl(close_hook on_close = {}) : on_close_(on_close) {}

    lifecycle_state state() const {
        std::lock_guard<typename World::mutex> g(m_);
        return static_cast<lifecycle_state>(state_.load());
    }

    bool start() {
        std::lock_guard<typename World::mutex> g(m_);
        if (state_.load() != int(lifecycle_state::init)) return false;
        state_.store(int(lifecycle_state::running));
        return true;
    }

    bool try_enter() {
        if constexpr (LockedTryEnter) {
            std::lock_guard<typename World::mutex> g(m_);
            return admit();
        } else {
            return admit();  // the mutant: state and count touched without the lock
        }
    }

    void exit() {
        std::unique_lock<typename World::mutex> g(m_);
        active_.store(active_.load() - 1);
        if (active_.load() == 0 && state_.load() == int(lifecycle_state::draining)) close(g);
    }

    bool drain() {
        std::unique_lock<typename World::mutex> g(m_);
        if (state_.load() != int(lifecycle_state::running)) return false;
        state_.store(int(lifecycle_state::draining));
        if (active_.load() == 0) close(g);
        return true;
    }

    void wait_closed() {
        std::unique_lock<typename World::mutex> g(m_);
        while (state_.load() != int(lifecycle_state::closed)) closed_cv_.wait(g);
    }

private:
    bool admit() {
        if (state_.load() != int(lifecycle_state::running)) return false;
        active_.store(active_.load() + 1);
        return true;
    }

    void close(std::unique_lock<typename World::mutex>&) {
        state_.store(int(lifecycle_state::closed));
        on_close_();  // under the lock: exactly once, after every exit
        closed_cv_.notify_all();
    }

    mutable typename World::mutex m_;
    typename World::condition_variable closed_cv_;
    typename World::template var<int> state_{int(lifecycle_state::init)};
    typename World::template var<int> active_{0};
    close_hook on_close_;
};

template <world World>
using mutex_lifecycle = mutex_lifecycle_impl<World>;

}  // namespace gauntlet
