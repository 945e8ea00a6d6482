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

}  // namespace relacy_detail

// The memory-order sweep (scripts/gauntlet sweep) drives the world through
// two environment variables, read once before main():
//
//   GAUNTLET_SWEEP_SITES=PATH   discovery: the first execution of every
//       atomic operation and fence, keyed by call site (file, line, column,
//       operation, the order it ran with: the declared one unless weakened),
//       is appended to PATH as one JSON object per line. The model programs run each entry in a forked child, so a
//       run with `--entry NAME` lists that entry's sites.
//   GAUNTLET_SWEEP_WEAKEN=OP@FILE:LINE:COLUMN=ORDER   mutation: the one
//       operation OP (load, store, rmw, cas, cas_failure, fence, wait) at
//       that call site runs with ORDER (relaxed, acquire, release, acq_rel,
//       seq_cst, or `removed` for a fence) instead of its declared order.
//       A compare_exchange whose success order is weakened below what its
//       failure order needs (Relacy enforces the pre-C++17 rule: failure no
//       stronger than success, release counting as relaxed) has its failure
//       order lowered with it.
//
// With neither set every operation pays one test of a constant-initialised
// flag (`sweep::on`), never taken.
namespace sweep {

enum class op : unsigned char { load, store, rmw, cas, cas_failure, fence, wait };
inline constexpr const char* op_names[] = {"load", "store", "rmw", "cas", "cas_failure", "fence", "wait"};
inline constexpr int removed = -1;  // a fence that is not executed

inline const char* order_name(int mo) {
    switch (mo) {
        case static_cast<int>(std::memory_order_relaxed): return "relaxed";
        case static_cast<int>(std::memory_order_consume): return "consume";
        case static_cast<int>(std::memory_order_acquire): return "acquire";
        case static_cast<int>(std::memory_order_release): return "release";
        case static_cast<int>(std::memory_order_acq_rel): return "acq_rel";
        case static_cast<int>(std::memory_order_seq_cst): return "seq_cst";
    }
    return "removed";
}

struct state {
    bool on = false;  // either variable set
    int sites_fd = -1;
    // the one override
    bool weaken = false;
    op w_op = op::load;
    unsigned w_line = 0, w_column = 0;
    char w_file[1024] = {};
    int w_order = 0;
    // discovery: the sites already written (open addressing, no heap: the
    // table is filled inside Relacy's simulation)
    struct seen_site {
        const char* file;
        unsigned line, column;
        unsigned char o;
        signed char order;
    };
    static constexpr std::size_t capacity = 8192;
    seen_site seen[capacity] = {};
    std::size_t seen_count = 0;
};

inline state& the_state() {
    static state s;
    return s;
}

inline bool parse_order(const char* s, int& out) {
    static constexpr std::pair<const char*, int> names[] = {
        {"relaxed", static_cast<int>(std::memory_order_relaxed)},
        {"acquire", static_cast<int>(std::memory_order_acquire)},
        {"release", static_cast<int>(std::memory_order_release)},
        {"acq_rel", static_cast<int>(std::memory_order_acq_rel)},
        {"seq_cst", static_cast<int>(std::memory_order_seq_cst)},
        {"removed", removed}};
    for (const auto& [n, v] : names)
        if (std::strcmp(s, n) == 0) return out = v, true;
    return false;
}

[[noreturn]] inline void bad_variable(const char* what, const char* value) {
    std::fprintf(stderr, "GAUNTLET_SWEEP_WEAKEN='%s': %s (expected OP@FILE:LINE:COLUMN=ORDER)\n", value, what);
    std::exit(2);
}

inline bool init() {
    state& st = the_state();
    if (const char* path = std::getenv("GAUNTLET_SWEEP_SITES"); path && *path) {
        st.sites_fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (st.sites_fd < 0) {
            std::fprintf(stderr, "GAUNTLET_SWEEP_SITES='%s': %s\n", path, std::strerror(errno));
            std::exit(2);
        }
        st.on = true;
    }
    if (const char* w = std::getenv("GAUNTLET_SWEEP_WEAKEN"); w && *w) {
        const char* at = std::strchr(w, '@');
        const char* eq = std::strrchr(w, '=');
        if (!at || !eq || eq < at) bad_variable("no OP@ or =ORDER", w);
        bool known = false;
        for (std::size_t i = 0; i < std::size(op_names); ++i)
            if (std::strlen(op_names[i]) == static_cast<std::size_t>(at - w) &&
                std::strncmp(op_names[i], w, at - w) == 0)
                st.w_op = static_cast<op>(i), known = true;
        if (!known) bad_variable("unknown operation", w);
        if (!parse_order(eq + 1, st.w_order)) bad_variable("unknown order", w);
        if (st.w_order == removed && st.w_op != op::fence) bad_variable("only a fence can be removed", w);
        if (st.w_op == op::fence && st.w_order == static_cast<int>(std::memory_order_relaxed))
            bad_variable("a relaxed fence is no fence: use removed", w);
        // FILE:LINE:COLUMN, the file itself may hold colons: split from the right
        std::string loc(at + 1, eq);
        const std::size_t c2 = loc.rfind(':');
        const std::size_t c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : loc.rfind(':', c2 - 1);
        if (c1 == std::string::npos || c1 >= sizeof st.w_file) bad_variable("no FILE:LINE:COLUMN", w);
        char* end = nullptr;
        st.w_line = static_cast<unsigned>(std::strtoul(loc.c_str() + c1 + 1, &end, 10));
        if (end != loc.c_str() + c2 || st.w_line == 0) bad_variable("bad line", w);
        st.w_column = static_cast<unsigned>(std::strtoul(loc.c_str() + c2 + 1, &end, 10));
        if (*end != '\0') bad_variable("bad column", w);
        std::memcpy(st.w_file, loc.data(), c1);
        st.w_file[c1] = '\0';
        st.weaken = true;
        st.on = true;
    }
    return st.on;
}

// Constant-false unless a variable is set: dynamic initialisation before main().
inline const bool on = init();

// Appends `s` to buf[n..cap) as JSON string content; returns the new length.
inline std::size_t json_escaped(char* buf, std::size_t n, std::size_t cap, const char* s) {
    for (; *s && n + 2 < cap; ++s) {
        if (*s == '"' || *s == '\\') buf[n++] = '\\';
        if (static_cast<unsigned char>(*s) >= 0x20) buf[n++] = *s;
    }
    return n;
}

// Writes a site the first time it executes. No heap: inside a simulation
// operator new is Relacy's allocator, which would record the allocation.
inline void record(const std::source_location& l, op o, int declared) {
    state& st = the_state();
    std::size_t h = (reinterpret_cast<std::uintptr_t>(l.file_name()) >> 3) ^ (l.line() * 2654435761u) ^
                    (l.column() * 40503u) ^ (static_cast<unsigned>(o) << 20) ^ (static_cast<unsigned>(declared + 1) << 24);
    for (std::size_t n = 0; n < state::capacity; ++n, ++h) {
        state::seen_site& s = st.seen[h % state::capacity];
        if (!s.file) {
            if (st.seen_count + 1 >= state::capacity) return;  // a full table stops recording, never the run
            s = {l.file_name(), l.line(), l.column(), static_cast<unsigned char>(o), static_cast<signed char>(declared)};
            ++st.seen_count;
            static char buf[4096];
            constexpr std::size_t cap = sizeof buf - 8;
            std::size_t k = static_cast<std::size_t>(std::snprintf(buf, cap, "{\"file\":\""));
            k = json_escaped(buf, k, cap, l.file_name());
            k += static_cast<std::size_t>(std::snprintf(buf + k, cap - k,
                                                        "\",\"line\":%u,\"column\":%u,\"op\":\"%s\",\"order\":\"%s\","
                                                        "\"function\":\"",
                                                        static_cast<unsigned>(l.line()), static_cast<unsigned>(l.column()),
                                                        op_names[static_cast<int>(o)], order_name(declared)));
            k = json_escaped(buf, std::min(k, cap), cap, l.function_name());
            buf[k++] = '"';
            buf[k++] = '}';
            buf[k++] = '\n';
            (void)!::write(st.sites_fd, buf, k);
            return;
        }
        if (s.line == l.line() && s.column == l.column() && s.o == static_cast<unsigned char>(o) &&
            s.order == declared && (s.file == l.file_name() || std::strcmp(s.file, l.file_name()) == 0))
            return;
    }
}

// The order operation `o` at `l` runs with: its declared order, unless it is
// the overridden site. Records the site with the order it ran with, so a
// weakened run's list shows the override took effect.
[[gnu::noinline, gnu::cold]] inline int order_at(const std::source_location& l, op o, std::memory_order declared) {
    state& st = the_state();
    int mo = static_cast<int>(declared);
    if (st.weaken && st.w_op == o && st.w_line == l.line() && st.w_column == l.column() &&
        std::strcmp(st.w_file, l.file_name()) == 0)
        mo = st.w_order;
    if (st.sites_fd >= 0) record(l, o, mo);
    return mo;
}

// The strongest failure order Relacy accepts with a given success order.
inline std::memory_order failure_cap(std::memory_order success) {
    switch (success) {
        case std::memory_order_relaxed:
        case std::memory_order_release: return std::memory_order_relaxed;
        case std::memory_order_consume: return std::memory_order_consume;
        case std::memory_order_acquire:
        case std::memory_order_acq_rel: return std::memory_order_acquire;
        case std::memory_order_seq_cst: return std::memory_order_seq_cst;
    }
    return std::memory_order_seq_cst;
}
inline int strength(std::memory_order f) {  // of a failure order: relaxed < consume < acquire < seq_cst
    return f == std::memory_order_seq_cst ? 3 : f == std::memory_order_acquire ? 2 : f == std::memory_order_consume ? 1 : 0;
}

// Load, store, RMW and wait orders at a call site (never `removed`). The
// test of `on` is inlined at every operation; the lookup is out of line.
[[gnu::always_inline]] inline std::memory_order at(const std::source_location& l, op o, std::memory_order declared) {
    if (__builtin_expect(!on, 1)) return declared;
    return static_cast<std::memory_order>(order_at(l, o, declared));
}

[[gnu::noinline, gnu::cold]] inline void cas_lookup(const std::source_location& l, std::memory_order& success,
                                                    std::memory_order& failure) {
    success = static_cast<std::memory_order>(order_at(l, op::cas, success));
    failure = static_cast<std::memory_order>(order_at(l, op::cas_failure, failure));
    const std::memory_order cap = failure_cap(success);
    if (strength(failure) > strength(cap)) failure = cap;
}

// A compare_exchange's two orders, each a site of its own.
[[gnu::always_inline]] inline void cas_at(const std::source_location& l, std::memory_order& success,
                                          std::memory_order& failure) {
    if (__builtin_expect(on, 0)) cas_lookup(l, success, failure);
}

}  // namespace sweep

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
            const int swept = sweep::order_at(l, sweep::op::fence, mo);
            if (swept == sweep::removed) return;
            mo = static_cast<std::memory_order>(swept);
        }
        rl::atomic_thread_fence(relacy_detail::order(mo), relacy_detail::info(l));
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
