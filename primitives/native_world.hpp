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
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <utility>

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "primitives/world.hpp"

// The sweep build (meson -Dsweep_world=true, clang only; scripts/sweep_tsan.py
// runs its ThreadSanitizer stress): `atomic<T>` and `fence` take their call
// site (__builtin_FILE/LINE/COLUMN/FUNCTION default arguments: clang 14 has
// no std::source_location with libstdc++ 12) and look their order up in the
// sweep's site table, primitives/sweep_sites.hpp (GAUNTLET_SWEEP_SITES,
// GAUNTLET_SWEEP_WEAKEN, as in the Relacy world). No other build defines
// GAUNTLET_SWEEP_WORLD: there `atomic` is std::atomic itself.
#if GAUNTLET_SWEEP_WORLD
#if !defined(__has_builtin) || !__has_builtin(__builtin_COLUMN)
#error "the sweep world needs __builtin_COLUMN (clang): configure -Dsweep_world=true with clang"
#endif
#include <cstddef>
#include <type_traits>

#include "primitives/sweep_sites.hpp"
#endif

namespace gauntlet {

#if GAUNTLET_SWEEP_WORLD
namespace native_sweep {

// The caller's location, as a default argument: clang evaluates the
// builtins at the call that uses the default.
struct here : sweep::where {
    here(const char* file = __builtin_FILE(), unsigned line = __builtin_LINE(), unsigned column = __builtin_COLUMN(),
         const char* function = __builtin_FUNCTION())
        : sweep::where{file, function, line, column} {}
};

// std::atomic whose every ordered operation looks its order up by site.
template <class T>
class atomic {
public:
    static constexpr bool is_always_lock_free = std::atomic<T>::is_always_lock_free;
    constexpr atomic() noexcept = default;
    constexpr atomic(T v) noexcept : a_(v) {}
    atomic(const atomic&) = delete;
    atomic& operator=(const atomic&) = delete;

    bool is_lock_free() const noexcept { return a_.is_lock_free(); }
    T load(std::memory_order mo = std::memory_order_seq_cst, here h = here()) const noexcept {
        return a_.load(sweep::at(h, sweep::op::load, mo));
    }
    void store(T v, std::memory_order mo = std::memory_order_seq_cst, here h = here()) noexcept {
        a_.store(v, sweep::at(h, sweep::op::store, mo));
    }
    T exchange(T v, std::memory_order mo = std::memory_order_seq_cst, here h = here()) noexcept {
        return a_.exchange(v, sweep::at(h, sweep::op::rmw, mo));
    }
    bool compare_exchange_strong(T& expected, T desired, std::memory_order mo = std::memory_order_seq_cst,
                                 here h = here()) noexcept {
        return compare_exchange_strong(expected, desired, mo, failure_of(mo), h);
    }
    bool compare_exchange_strong(T& expected, T desired, std::memory_order success, std::memory_order failure,
                                 here h = here()) noexcept {
        sweep::cas_at(h, success, failure);
        return a_.compare_exchange_strong(expected, desired, success, failure);
    }
    bool compare_exchange_weak(T& expected, T desired, std::memory_order mo = std::memory_order_seq_cst,
                               here h = here()) noexcept {
        return compare_exchange_weak(expected, desired, mo, failure_of(mo), h);
    }
    bool compare_exchange_weak(T& expected, T desired, std::memory_order success, std::memory_order failure,
                               here h = here()) noexcept {
        sweep::cas_at(h, success, failure);
        return a_.compare_exchange_weak(expected, desired, success, failure);
    }
    template <class U = T, class = std::enable_if_t<std::is_integral_v<U> || std::is_pointer_v<U>>>
    T fetch_add(std::conditional_t<std::is_pointer_v<U>, std::ptrdiff_t, U> d,
                std::memory_order mo = std::memory_order_seq_cst, here h = here()) noexcept {
        return a_.fetch_add(d, sweep::at(h, sweep::op::rmw, mo));
    }
    template <class U = T, class = std::enable_if_t<std::is_integral_v<U> || std::is_pointer_v<U>>>
    T fetch_sub(std::conditional_t<std::is_pointer_v<U>, std::ptrdiff_t, U> d,
                std::memory_order mo = std::memory_order_seq_cst, here h = here()) noexcept {
        return a_.fetch_sub(d, sweep::at(h, sweep::op::rmw, mo));
    }
    template <class U = T, class = std::enable_if_t<std::is_integral_v<U>>>
    T fetch_or(U d, std::memory_order mo = std::memory_order_seq_cst, here h = here()) noexcept {
        return a_.fetch_or(d, sweep::at(h, sweep::op::rmw, mo));
    }
    template <class U = T, class = std::enable_if_t<std::is_integral_v<U>>>
    T fetch_and(U d, std::memory_order mo = std::memory_order_seq_cst, here h = here()) noexcept {
        return a_.fetch_and(d, sweep::at(h, sweep::op::rmw, mo));
    }
    template <class U = T, class = std::enable_if_t<std::is_integral_v<U>>>
    T fetch_xor(U d, std::memory_order mo = std::memory_order_seq_cst, here h = here()) noexcept {
        return a_.fetch_xor(d, sweep::at(h, sweep::op::rmw, mo));
    }
    void wait(T old, std::memory_order mo = std::memory_order_seq_cst, here h = here()) const noexcept {
        a_.wait(old, sweep::at(h, sweep::op::wait, mo));
    }
    void notify_one() noexcept { a_.notify_one(); }
    void notify_all() noexcept { a_.notify_all(); }

private:
    // [atomics.types.operations]: acq_rel -> acquire, release -> relaxed
    static constexpr std::memory_order failure_of(std::memory_order mo) {
        return mo == std::memory_order_acq_rel   ? std::memory_order_acquire
               : mo == std::memory_order_release ? std::memory_order_relaxed
                                                 : mo;
    }
    std::atomic<T> a_;
};

}  // namespace native_sweep
#endif

// The asymmetric fence pair (world.hpp: light_fence, heavy_fence).
//
// With membarrier (Linux 4.14+): light is a compiler barrier only; heavy is
// membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), which returns only after
// every running thread of the process has executed a full memory barrier (an
// interrupt to each CPU running one; a thread not running passes one when it
// is switched). Whatever point of the light side's program the barrier lands
// on, the compiler barrier keeps the light side's accesses in program order
// around it: the accesses before it are visible to the heavy side after the
// call, and the ones after it see what the heavy side made visible before
// the call. That is the store-buffering guarantee of two seq_cst fences.
//
// Without it (the command is missing, or a seccomp filter refuses it): both
// are std::atomic_thread_fence(seq_cst), the symmetric pair, also sound.
//
// The choice is made once per process, by the first heavy fence (concurrent
// first callers wait for one registration), and never changes. A light fence
// only reads it: until a heavy fence has decided, or when membarrier is
// missing, the light fence is std::atomic_thread_fence(seq_cst), so no light
// fence runs as a compiler barrier beside a heavy fence that is not
// membarrier. A component that wants cheap light fences from its first use
// executes one heavy fence before its users run (chase_lev's constructor).
// Cost on the light side: one load that stays in the L1 cache and a branch
// always taken the same way; no call, so the caller keeps its registers.
//
// The registration belongs to the process and a fork()ed child inherits it
// (Linux 6.18). A call that fails after it succeeded registers again and
// retries; if that fails too the program aborts: light fences have already
// run as compiler barriers, so no fallback is sound.
namespace native_asymmetric {

#if defined(__linux__) && defined(SYS_membarrier)
inline long membarrier(int cmd) {
    return syscall(SYS_membarrier, cmd, 0u, 0);
}
inline bool register_membarrier() {
    const long cmds = membarrier(MEMBARRIER_CMD_QUERY);
    if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return false;
    return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}
#else
inline bool register_membarrier() {
    return false;
}
#endif

// 0 until decided, then 1 (membarrier) or -1 (two seq_cst fences), never
// changed again.
inline std::atomic<signed char> membarrier_state{0};

// The decision: a function-local static, so concurrent first callers wait
// for one registration.
[[gnu::noinline, gnu::cold]] inline signed char decide() {
    static const signed char decided = register_membarrier() ? 1 : -1;
    // release: a light fence that reads 1 (acquire) runs after the
    // registration.
    membarrier_state.store(decided, std::memory_order_release);
    return decided;
}

inline void light() {
    if (membarrier_state.load(std::memory_order_acquire) > 0) [[likely]]
        std::atomic_signal_fence(std::memory_order_seq_cst);
    else
        std::atomic_thread_fence(std::memory_order_seq_cst);
}

inline void heavy() {
    signed char s = membarrier_state.load(std::memory_order_acquire);
    if (s == 0) [[unlikely]]
        s = decide();
#if defined(__linux__) && defined(SYS_membarrier)
    if (s > 0) [[likely]] {
        if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return;
        if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0 &&
            membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0)
            return;
        std::fputs("gauntlet: membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) failed after its registration "
                   "succeeded; the light fences that already ran were compiler barriers only, so no fallback "
                   "is sound: aborting\n",
                   stderr);
        std::abort();
    }
#endif
    std::atomic_thread_fence(std::memory_order_seq_cst);
}

}  // namespace native_asymmetric

struct native_world {
    static constexpr const char* name = "native";

    // std::atomic is used directly: load/store/exchange/compare_exchange_*/
    // fetch_add/fetch_sub with explicit orders, and wait/notify for parking.
    // (The sweep build: the same members, each looking its order up by site.)
#if GAUNTLET_SWEEP_WORLD
    template <class T>
    using atomic = native_sweep::atomic<T>;
#else
    template <class T>
    using atomic = std::atomic<T>;
#endif

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

    // The happens-before witness (world.hpp): nothing natively.
    struct witness {
        void touch() {}
    };

    template <class T, class... A>
    static T* make(A&&... a) {
        return new T(std::forward<A>(a)...);
    }
    template <class T>
    static void destroy(T* p) {
        delete p;
    }

#if GAUNTLET_SWEEP_WORLD
    static void fence(std::memory_order mo, native_sweep::here h = native_sweep::here()) {
        const int swept = sweep::fence_at(h, mo);
        if (swept != sweep::removed) std::atomic_thread_fence(static_cast<std::memory_order>(swept));
    }
#else
    static void fence(std::memory_order mo) {
        std::atomic_thread_fence(mo);
    }
#endif

    // The asymmetric pair (native_asymmetric above). Not sweep sites: the
    // sweep build runs them as written.
    static void light_fence() { native_asymmetric::light(); }
    static void heavy_fence() { native_asymmetric::heavy(); }

    static void spin_hint() {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#else
        std::this_thread::yield();
#endif
    }

    // Block while `a` holds `old` (spurious returns allowed; callers loop).
#if GAUNTLET_SWEEP_WORLD
    template <class T>
    static void park(const atomic<T>& a, T old, std::memory_order mo, native_sweep::here h = native_sweep::here()) {
        a.wait(old, mo, h);
    }
#else
    template <class T>
    static void park(const atomic<T>& a, T old, std::memory_order mo) {
        a.wait(old, mo);
    }
#endif

    template <class T>
    static void unpark_all(atomic<T>& a) {
        a.notify_all();
    }
};

static_assert(world<native_world>, "native_world must meet the world interface (primitives/world.hpp)");

}  // namespace gauntlet
