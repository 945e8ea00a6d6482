// relacy_world: the same world interface as native_world, over the Relacy Race
// Detector's simulated C++ memory model.
//
// Every operation takes a std::source_location defaulted at the call site and
// hands it to Relacy as its debug_info, so a failing execution's history names
// the component's own file and line (primitives/..., not this wrapper).
//
// Only valid inside an rl::simulate() run: objects are built per iteration by
// the scenario (an rl::test_suite; models/model_check.hpp runs it).
#pragma once

// Every standard header any component or scenario uses is included before
// Relacy, whose headers #define malloc, free, errno, the pthread API and the
// memory_order_* names; the names that would rewrite std:: spellings in code
// that follows are undefined again below.
#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <list>
#include <map>
#include <random>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <source_location>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "primitives/world.hpp"  // before Relacy: it #defines the memory_order names
#include "primitives/sweep_sites.hpp"

#include <relacy/relacy.hpp>

#undef memory_order_relaxed
#undef memory_order_consume
#undef memory_order_acquire
#undef memory_order_release
#undef memory_order_acq_rel
#undef memory_order_seq_cst
#undef malloc
#undef calloc
#undef realloc
#undef free
#undef errno
#define errno (*__errno_location())  // glibc's definition, for code after this header
#undef new
#undef delete

namespace gauntlet {

namespace relacy_detail {

inline rl::debug_info info(const std::source_location& l) {
    return rl::debug_info(l.function_name(), l.file_name(), l.line());
}

inline rl::memory_order order(std::memory_order mo) {
    switch (mo) {
        case std::memory_order_relaxed: return rl::mo_relaxed;
        case std::memory_order_consume: return rl::mo_consume;
        case std::memory_order_acquire: return rl::mo_acquire;
        case std::memory_order_release: return rl::mo_release;
        case std::memory_order_acq_rel: return rl::mo_acq_rel;
        case std::memory_order_seq_cst: return rl::mo_seq_cst;
    }
    return rl::mo_seq_cst;
}

// The failure order of a one-order compare_exchange, as [atomics.types.operations]
// derives it: acq_rel -> acquire, release -> relaxed, otherwise unchanged.
inline std::memory_order failure_of(std::memory_order mo) {
    if (mo == std::memory_order_acq_rel) return std::memory_order_acquire;
    if (mo == std::memory_order_release) return std::memory_order_relaxed;
    return mo;
}


// The asymmetric fence pair's state in one execution, as vector clocks
// beside Relacy's own (each thread's acq_rel_order_: the latest event of
// every thread it has synchronised with):
//   light_[t]  thread t's clock at its latest light fence: a later heavy
//              fence acquires it (light before heavy: t's earlier stores are
//              visible after the heavy fence);
//   heavy_     the join of the clocks of every heavy fence so far: a later
//              light fence acquires it (heavy before light).
// Two light fences never read each other's clocks. model_check resets it
// before each execution (model_detail::fresh_execution).
struct asymmetric_fences {
    static constexpr rl::thread_id_t max_threads = 16;
    rl::timestamp_t light_[max_threads][max_threads];
    rl::timestamp_t heavy_[max_threads];

    void reset() {
        for (auto& row : light_)
            for (auto& t : row) t = 0;
        for (auto& t : heavy_) t = 0;
    }

    static rl::thread_id_t threads() {
        const rl::thread_id_t n = rl::ctx().get_thread_count();
        RL_VERIFY(n <= max_threads);
        return n;
    }

    void light(rl::debug_info_param info) {
        rl::context& c = rl::ctx();
        c.sched();  // a preemption point, so a heavy fence can fall on either side
        c.exec_log_msg(info, "light fence");
        rl::timestamp_t* mine = c.threadx_->acq_rel_order_;
        const rl::thread_id_t me = c.threadx_->index_;
        const rl::thread_id_t n = threads();
        bool after_heavy = false;
        for (rl::thread_id_t j = 0; j != n; ++j) {
            after_heavy = after_heavy || heavy_[j] != 0;
            if (heavy_[j] > mine[j]) mine[j] = heavy_[j];
            light_[me][j] = mine[j];
        }
        // After a heavy fence the pair acts as two seq_cst fences, so this
        // one releases too: the thread's later relaxed stores carry what it
        // now knows. Unpaired it is a compiler barrier and releases nothing.
        // Not modelled: what the thread read (relaxed) before its light
        // fence is not passed on to a later heavy fence (a seq_cst fence
        // would acquire it first); that can only make the model stricter.
        if (after_heavy) c.atomic_thread_fence_release();
    }

    // After the caller's own seq_cst fence.
    void heavy(rl::debug_info_param info) {
        rl::context& c = rl::ctx();
        c.exec_log_msg(info, "heavy fence");
        rl::timestamp_t* mine = c.threadx_->acq_rel_order_;
        const rl::thread_id_t me = c.threadx_->index_;
        const rl::thread_id_t n = threads();
        for (rl::thread_id_t t = 0; t != n; ++t) {
            if (t == me) continue;
            for (rl::thread_id_t j = 0; j != n; ++j)
                if (light_[t][j] > mine[j]) mine[j] = light_[t][j];
        }
        for (rl::thread_id_t j = 0; j != n; ++j)
            if (mine[j] > heavy_[j]) heavy_[j] = mine[j];
        c.atomic_thread_fence_release();
    }
};
inline asymmetric_fences asym{};

}  // namespace relacy_detail

// The memory-order sweep (scripts/gauntlet sweep) drives this world through
// GAUNTLET_SWEEP_SITES (discovery) and GAUNTLET_SWEEP_WEAKEN (one site runs
// with a weaker order): primitives/sweep_sites.hpp, shared with the native
// world's sweep build, states both and which site an override names.

struct relacy_world {
    static constexpr const char* name = "relacy";
    using loc = std::source_location;

    template <class T>
    class atomic {
    public:
        atomic(loc l = loc::current()) { a_.store(T{}, rl::mo_relaxed, relacy_detail::info(l)); }
        explicit atomic(T v, loc l = loc::current()) { a_.store(v, rl::mo_relaxed, relacy_detail::info(l)); }
        atomic(const atomic&) = delete;
        atomic& operator=(const atomic&) = delete;

        T load(std::memory_order mo = std::memory_order_seq_cst, loc l = loc::current()) const {
            return a_.load(relacy_detail::order(sweep::at(l, sweep::op::load, mo)), relacy_detail::info(l));
        }
        void store(T v, std::memory_order mo = std::memory_order_seq_cst, loc l = loc::current()) {
            a_.store(v, relacy_detail::order(sweep::at(l, sweep::op::store, mo)), relacy_detail::info(l));
        }
        T exchange(T v, std::memory_order mo = std::memory_order_seq_cst, loc l = loc::current()) {
            return a_.exchange(v, relacy_detail::order(sweep::at(l, sweep::op::rmw, mo)), relacy_detail::info(l));
        }
        bool compare_exchange_strong(T& expected, T desired, std::memory_order mo = std::memory_order_seq_cst,
                                     loc l = loc::current()) {
            return compare_exchange_strong(expected, desired, mo, relacy_detail::failure_of(mo), l);
        }
        bool compare_exchange_strong(T& expected, T desired, std::memory_order success,
                                     std::memory_order failure, loc l = loc::current()) {
            auto i = relacy_detail::info(l);
            sweep::cas_at(l, success, failure);
            return a_.compare_exchange_strong(expected, desired, relacy_detail::order(success), i,
                                              relacy_detail::order(failure), i);
        }
        bool compare_exchange_weak(T& expected, T desired, std::memory_order mo = std::memory_order_seq_cst,
                                   loc l = loc::current()) {
            return compare_exchange_weak(expected, desired, mo, relacy_detail::failure_of(mo), l);
        }
        bool compare_exchange_weak(T& expected, T desired, std::memory_order success,
                                   std::memory_order failure, loc l = loc::current()) {
            auto i = relacy_detail::info(l);
            sweep::cas_at(l, success, failure);
            return a_.compare_exchange_weak(expected, desired, relacy_detail::order(success), i,
                                            relacy_detail::order(failure), i);
        }
        template <class U = T, class = std::enable_if_t<std::is_integral_v<U> || std::is_pointer_v<U>>>
        T fetch_add(std::conditional_t<std::is_pointer_v<U>, std::ptrdiff_t, U> d,
                    std::memory_order mo = std::memory_order_seq_cst, loc l = loc::current()) {
            return a_.fetch_add(d, relacy_detail::order(sweep::at(l, sweep::op::rmw, mo)), relacy_detail::info(l));
        }
        template <class U = T, class = std::enable_if_t<std::is_integral_v<U> || std::is_pointer_v<U>>>
        T fetch_sub(std::conditional_t<std::is_pointer_v<U>, std::ptrdiff_t, U> d,
                    std::memory_order mo = std::memory_order_seq_cst, loc l = loc::current()) {
            return a_.fetch_sub(d, relacy_detail::order(sweep::at(l, sweep::op::rmw, mo)), relacy_detail::info(l));
        }
        template <class U = T, class = std::enable_if_t<std::is_integral_v<U>>>
        T fetch_or(U d, std::memory_order mo = std::memory_order_seq_cst, loc l = loc::current()) {
            return a_.fetch_or(d, relacy_detail::order(sweep::at(l, sweep::op::rmw, mo)), relacy_detail::info(l));
        }
        template <class U = T, class = std::enable_if_t<std::is_integral_v<U>>>
        T fetch_and(U d, std::memory_order mo = std::memory_order_seq_cst, loc l = loc::current()) {
            return a_.fetch_and(d, relacy_detail::order(sweep::at(l, sweep::op::rmw, mo)), relacy_detail::info(l));
        }

        // Futex-style parking on this word, modelled by Relacy's waitset: the
        // scheduler reports a deadlock if every thread is parked. Spurious
        // wake-ups are not modelled (callers loop anyway): they would give
        // every parked loop an unbounded number of executions.
        //
        // No fence: native atomic::wait / notify_all order nothing beyond the
        // load with `mo`. What the native world does have is the kernel's
        // compare: futex_wait blocks only if the word *currently* holds `old`,
        // so a waiter whose own load returned a stale `old` (allowed for a
        // non-seq_cst load) does not sleep through a notify that already
        // happened. Relacy may return such a stale value, so the compare is
        // modelled as a relaxed compare_exchange of `old` for `old`: an RMW
        // reads the latest value in modification order, adds no
        // happens-before (relaxed) and writes back the value it found. Load,
        // compare and blocking happen with preemption disabled, as the
        // kernel's compare-and-sleep is atomic against a notify.
        void wait(T old, std::memory_order mo = std::memory_order_seq_cst, loc l = loc::current()) const {
            auto i = relacy_detail::info(l);
            rl::context& c = rl::ctx();
            c.sched();
            auto& a = const_cast<rl::atomic<T>&>(a_);
            {
                rl::preemption_disabler pd(c);
                if (a.load(relacy_detail::order(sweep::at(l, sweep::op::wait, mo)), i) != old) return;
                T current = old;
                if (!a.compare_exchange_strong(current, old, rl::mo_relaxed, i, rl::mo_relaxed, i)) return;
            }
            a.wait(c, false, false, i);
        }
        void notify_all(loc l = loc::current()) {
            rl::context& c = rl::ctx();
            c.sched();
            a_.wake(c, rl::thread_id_t(64), relacy_detail::info(l));
        }
        void notify_one(loc l = loc::current()) {
            rl::context& c = rl::ctx();
            c.sched();
            a_.wake(c, 1, relacy_detail::info(l));
        }

    private:
        rl::atomic<T> a_;
    };

    template <class T>
    class var {
    public:
        var(loc l = loc::current()) { v_(relacy_detail::info(l)) = T{}; }
        explicit var(T v, loc l = loc::current()) { v_(relacy_detail::info(l)) = v; }
        T load(loc l = loc::current()) const { return v_(relacy_detail::info(l)); }
        void store(T v, loc l = loc::current()) { v_(relacy_detail::info(l)) = v; }

    private:
        rl::var<T> v_;
    };

    // The happens-before witness (world.hpp): a no-op here, as natively, so
    // every scenario runs the component unchanged; a scenario that wants the
    // ordering checked runs the component over a world derived from this one
    // whose `witness` is `tracked_witness`.
    struct witness {
        void touch(loc = loc::current()) {}
    };
    // A race-checked variable: touch() writes it, so two touches that
    // happens-before does not order are a DATA RACE in Relacy's report, at the
    // touching lines. It observes ordering only: no value flows through it.
    class tracked_witness {
    public:
        tracked_witness(loc l = loc::current()) { v_(relacy_detail::info(l)) = 0; }
        void touch(loc l = loc::current()) { v_(relacy_detail::info(l)) = 1; }

    private:
        rl::var<int> v_;
    };

    class mutex {
    public:
        void lock(loc l = loc::current()) { m_.lock(relacy_detail::info(l)); }
        bool try_lock(loc l = loc::current()) { return m_.try_lock(relacy_detail::info(l)); }
        void unlock(loc l = loc::current()) { m_.unlock(relacy_detail::info(l)); }
        rl::mutex& raw() { return m_; }

    private:
        rl::mutex m_;
    };

    class condition_variable {
    public:
        void wait(std::unique_lock<mutex>& lk, loc l = loc::current()) {
            cv_.wait(lk.mutex()->raw(), relacy_detail::info(l));
        }
        template <class Pred>
        void wait(std::unique_lock<mutex>& lk, Pred pred, loc l = loc::current()) {
            while (!pred()) wait(lk, l);
        }
        void notify_one(loc l = loc::current()) { cv_.notify_one(relacy_detail::info(l)); }
        void notify_all(loc l = loc::current()) { cv_.notify_all(relacy_detail::info(l)); }

    private:
        rl::condition_variable cv_;
    };

    // Heap objects shared between threads: Relacy tracks them, so a leak or a
    // use after free in a model run fails the run with the allocation site.
    template <class T, class... A>
    static T* make(A&&... a) {
        void* p = rl::rl_malloc(sizeof(T), relacy_detail::info(loc::current()));
        return ::new (p) T(std::forward<A>(a)...);
    }
    template <class T>
    static void destroy(T* p, loc l = loc::current()) {
        if (!p) return;
        p->~T();
        rl::rl_free(p, relacy_detail::info(l));
    }

    static void fence(std::memory_order mo, loc l = loc::current()) {
        if (__builtin_expect(sweep::on, 0)) {
            const int swept = sweep::fence_at(l, mo);
            if (swept == sweep::removed) return;
            mo = static_cast<std::memory_order>(swept);
        }
        rl::atomic_thread_fence(relacy_detail::order(mo), relacy_detail::info(l));
    }

    // The asymmetric pair (world.hpp), as C++ would specify it (P1202's
    // asymmetric_thread_fence_heavy and _light): every heavy and light fence
    // of an execution falls in one total order, here Relacy's execution
    // order; a light fence and a heavy one act as two seq_cst fences in that
    // order; two light fences order nothing, so a component whose rare side
    // executes a light fence where it needs the heavy one fails here as it
    // can natively. relacy_detail::asymmetric_fences keeps the clocks.
    //
    // What this cannot see: natively the heavy fence is membarrier, which
    // also makes every other running thread execute a full barrier wherever
    // it is, light fence or not; the model grants the pairing only through
    // light fences (as the C++ proposal does), so it promises no more than
    // the hardware gives. Natively a light fence is a compiler barrier;
    // Relacy models no compiler reordering, with or without one.
    static void light_fence(loc l = loc::current()) { relacy_detail::asym.light(relacy_detail::info(l)); }
    static void heavy_fence(loc l = loc::current()) {
        // the caller's own full barrier (membarrier is one in the caller too)
        rl::atomic_thread_fence(rl::mo_seq_cst, relacy_detail::info(l));
        relacy_detail::asym.heavy(relacy_detail::info(l));
    }

    static void spin_hint(loc l = loc::current()) { rl::yield(1, relacy_detail::info(l)); }

    template <class T>
    static void park(const atomic<T>& a, T old, std::memory_order mo, loc l = loc::current()) {
        a.wait(old, mo, l);
    }
    template <class T>
    static void unpark_all(atomic<T>& a, loc l = loc::current()) {
        a.notify_all(l);
    }
};

static_assert(world<relacy_world>, "relacy_world must meet the world interface (primitives/world.hpp)");

}  // namespace gauntlet
