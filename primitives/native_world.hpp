// native_world: the production backend of every in-house component.
//
// It takes no call-site locations (clang 14, the ThreadSanitizer compiler,
// has no std::source_location with libstdc++ 12); only Relacy needs them.
//
// Atomics are std::atomic itself (zero cost, the same code ThreadSanitizer
// instruments in the clang build), non-atomic shared data is plain data, and
// parking is C++20 atomic::wait/notify_all (a futex on Linux), so a parked
// thread never burns a core.
//
// The member set here is the world interface; relacy_world.hpp supplies the
// same names over Relacy's simulated memory, and `gauntlet::world` in
// primitives/world.hpp states it as a concept (checked at the end of this
// file).
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include "primitives/world.hpp"

namespace gauntlet {

struct native_world {
    static constexpr const char* name = "native";

    // std::atomic is used directly: load/store/exchange/compare_exchange_*/
    // fetch_add/fetch_sub with explicit orders, and wait/notify for parking.
    template <class T>
    using atomic = std::atomic<T>;

    // Non-atomic shared data. Under Relacy every access is race-checked; here
    // it is the plain value.
    template <class T>
    class var {
    public:
        constexpr var() = default;
        constexpr explicit var(T v) : v_(v) {}
        T load() const { return v_; }
        void store(T v) { v_ = v; }

    private:
        T v_{};
    };

    using mutex = std::mutex;
    using condition_variable = std::condition_variable;

    template <class T, class... A>
    static T* make(A&&... a) {
        return new T(std::forward<A>(a)...);
    }
    template <class T>
    static void destroy(T* p) {
        delete p;
    }

    static void fence(std::memory_order mo) {
        std::atomic_thread_fence(mo);
    }

    static void spin_hint() {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#else
        std::this_thread::yield();
#endif
    }

    // Block while `a` holds `old` (spurious returns allowed; callers loop).
    template <class T>
    static void park(const atomic<T>& a, T old, std::memory_order mo) {
        a.wait(old, mo);
    }

    template <class T>
    static void unpark_all(atomic<T>& a) {
        a.notify_all();
    }
};

static_assert(world<native_world>, "native_world must meet the world interface (primitives/world.hpp)");

}  // namespace gauntlet
