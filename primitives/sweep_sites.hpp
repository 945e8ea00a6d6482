// sweep_sites: the call-site table of the memory-order sweep, shared by the
// two worlds that look orders up by site: relacy_world.hpp (always) and
// native_world.hpp in a sweep build (meson -Dsweep_world=true; normal builds
// never include this header).
//
// Two environment variables, read once before main():
//
//   GAUNTLET_SWEEP_SITES=PATH   discovery: the first execution of every
//       atomic operation and fence, keyed by call site (file, line, column,
//       operation, the order it ran with: the declared one unless weakened),
//       is appended to PATH as one JSON object per line:
//         {"file":..., "line":N, "column":N, "op":..., "order":..., "function":...}
//       The check programs run each entry in a forked child, so a run with
//       `--entry NAME` lists that entry's sites.
//   GAUNTLET_SWEEP_WEAKEN=OP@FILE:LINE:COLUMN=ORDER   mutation: the one
//       operation OP (load, store, rmw, cas, cas_failure, fence, wait) at
//       that call site runs with ORDER (relaxed, acquire, release, acq_rel,
//       seq_cst, or `removed` for a fence) instead of its declared order.
//       A compare_exchange whose success order is weakened below what its
//       failure order needs (failure no stronger than success, release
//       counting as relaxed: Relacy enforces this pre-C++17 rule, and the
//       sweep world keeps it so both worlds run the same orders) has its
//       failure order lowered with it.
//
// Which site the override names. An operation at (file, line, column, op)
// is the overridden one when
//   * OP is its operation and LINE its line;
//   * FILE names the same file: equal, or one path is the other with leading
//     directories cut at a '/' (leading "./" and "../" ignored), or both lie
//     under a `primitives/` folder and agree from their last one; so
//     "../primitives/queues/spsc_ring.hpp",
//     "/src/gauntlet/primitives/queues/spsc_ring.hpp" and
//     "../../work/other-checkout/primitives/queues/spsc_ring.hpp" are one
//     file whatever folder each build ran its compiler from;
//   * COLUMN is its column, exactly.
// Columns are the compiler's and differ between the two worlds' compilers:
// gcc's std::source_location (the Relacy programs) gives the column of the
// call's opening parenthesis (`a.load(` -> the `(`), clang's
// __builtin_COLUMN (the ThreadSanitizer sweep build) the first column of the
// whole call expression (`a.load(` -> the `a`; `World::fence(` -> the `W`).
// Lines agree unless a call's object expression starts on an earlier line
// than its parenthesis. A site found in one build is carried to the other by
// rank, not by column (scripts/sweep_tsan.py, `match_site`): on the same
// file and line, the k-th site of that operation by column in one build is
// the k-th in the other, and the match is refused (no verdict) when the two
// builds list a different number of such sites on that line or none.
//
// Discovery takes no lock and adds no happens-before edge: the table of
// sites already written is an array of relaxed atomics (a site is keyed by a
// 64-bit mix of its file name, line, column, operation and order), so the
// sweep world under ThreadSanitizer synchronises exactly as the code under
// test does. Two distinct sites whose keys collide (odds 2^-64 a pair) are
// written once.
//
// The file is written with the raw write system call (see `record`).
//
// With neither variable set every operation pays one test of a flag
// initialised before main() (`sweep::on`), never taken.
#pragma once

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <utility>
#include <version>
#if defined(__cpp_lib_source_location)
#include <source_location>
#endif

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace gauntlet::sweep {

enum class op : unsigned char { load, store, rmw, cas, cas_failure, fence, wait };
inline constexpr const char* op_names[] = {"load", "store", "rmw", "cas", "cas_failure", "fence", "wait"};
inline constexpr int removed = -1;  // a fence that is not executed

// A call site as both worlds know it.
struct where {
    const char* file;
    const char* function;
    unsigned line;
    unsigned column;
};

inline const where& where_of(const where& l) { return l; }
#if defined(__cpp_lib_source_location)
inline where where_of(const std::source_location& l) {
    return {l.file_name(), l.function_name(), l.line(), l.column()};
}
#endif

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
    // discovery: keys of the sites already written (open addressing over
    // relaxed atomics: no heap, no lock; 0 is an empty slot)
    static constexpr std::size_t capacity = 8192;
    std::atomic<std::uint64_t> seen[capacity] = {};
    std::atomic<std::size_t> seen_count{0};
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

// The path with its leading "./" and "../" components cut.
inline const char* strip_relative(const char* p) {
    for (;;) {
        if (std::strncmp(p, "./", 2) == 0) p += 2;
        else if (std::strncmp(p, "../", 3) == 0) p += 3;
        else return p;
    }
}

// The path from its last `primitives/` component (the components' folder),
// or nullptr.
inline const char* project_tail(const char* p) {
    const char* found = std::strncmp(p, "primitives/", 11) == 0 ? p : nullptr;
    for (const char* q = p; (q = std::strstr(q, "/primitives/")) != nullptr; ++q) found = q + 1;
    return found;
}

// One file: equal, or the shorter is the longer's tail after a '/' (each
// with its leading "./" and "../" cut), or both lie under a `primitives/`
// folder and agree from their last one (two checkouts of the project).
inline bool same_file(const char* a, const char* b) {
    a = strip_relative(a);
    b = strip_relative(b);
    const std::size_t na = std::strlen(a), nb = std::strlen(b);
    if (na == nb && std::strcmp(a, b) == 0) return true;
    if (na != nb) {
        const char* longer = na > nb ? a : b;
        const char* shorter = na > nb ? b : a;
        const std::size_t cut = std::max(na, nb) - std::min(na, nb);
        if (longer[cut - 1] == '/' && std::strcmp(longer + cut, shorter) == 0) return true;
    }
    const char* ta = project_tail(a);
    const char* tb = project_tail(b);
    return ta && tb && std::strcmp(ta, tb) == 0;
}

// The override GAUNTLET_SWEEP_WEAKEN names, parsed into `st`. Returns an
// empty string, or what is wrong with the value.
inline std::string parse_weaken(const char* w, state& st) {
    const char* at = std::strchr(w, '@');
    const char* eq = std::strrchr(w, '=');
    if (!at || !eq || eq < at) return "no OP@ or =ORDER";
    bool known = false;
    for (std::size_t i = 0; i < std::size(op_names); ++i)
        if (std::strlen(op_names[i]) == static_cast<std::size_t>(at - w) && std::strncmp(op_names[i], w, at - w) == 0)
            st.w_op = static_cast<op>(i), known = true;
    if (!known) return "unknown operation";
    if (!parse_order(eq + 1, st.w_order)) return "unknown order";
    if (st.w_order == removed && st.w_op != op::fence) return "only a fence can be removed";
    if (st.w_op == op::fence && st.w_order == static_cast<int>(std::memory_order_relaxed))
        return "a relaxed fence is no fence: use removed";
    // FILE:LINE:COLUMN, the file itself may hold colons: split from the right
    std::string loc(at + 1, eq);
    const std::size_t c2 = loc.rfind(':');
    const std::size_t c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : loc.rfind(':', c2 - 1);
    if (c1 == std::string::npos || c1 == 0 || c1 >= sizeof st.w_file) return "no FILE:LINE:COLUMN";
    char* end = nullptr;
    st.w_line = static_cast<unsigned>(std::strtoul(loc.c_str() + c1 + 1, &end, 10));
    if (end != loc.c_str() + c2 || st.w_line == 0) return "bad line";
    st.w_column = static_cast<unsigned>(std::strtoul(loc.c_str() + c2 + 1, &end, 10));
    if (end == loc.c_str() + c2 + 1 || *end != '\0') return "bad column";
    std::memcpy(st.w_file, loc.data(), c1);
    st.w_file[c1] = '\0';
    st.weaken = true;
    return {};
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
        if (const std::string bad = parse_weaken(w, st); !bad.empty()) {
            std::fprintf(stderr, "GAUNTLET_SWEEP_WEAKEN='%s': %s (expected OP@FILE:LINE:COLUMN=ORDER)\n", w,
                         bad.c_str());
            std::exit(2);
        }
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

inline std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// Writes a site the first time it executes (with this order). No heap:
// inside a Relacy simulation operator new is Relacy's allocator, which would
// record the allocation. No lock: see the header comment.
inline void record(const where& l, op o, int order) {
    state& st = the_state();
    std::uint64_t file_hash = 1469598103934665603ull;  // FNV-1a of the name: one key per file in every unit
    for (const char* c = l.file; *c; ++c) file_hash = (file_hash ^ static_cast<unsigned char>(*c)) * 1099511628211ull;
    std::uint64_t key = mix(file_hash ^
                            mix((std::uint64_t{l.line} << 32) ^ (std::uint64_t{l.column} << 8) ^
                                (static_cast<std::uint64_t>(o) << 4) ^ static_cast<std::uint64_t>(order + 1)));
    if (key == 0) key = 1;
    for (std::size_t n = 0, h = key; n < state::capacity; ++n, ++h) {
        std::atomic<std::uint64_t>& slot = st.seen[h % state::capacity];
        std::uint64_t cur = slot.load(std::memory_order_relaxed);
        if (cur == key) return;
        if (cur != 0) continue;
        if (st.seen_count.load(std::memory_order_relaxed) + 1 >= state::capacity)
            return;  // a full table stops recording, never the run
        if (!slot.compare_exchange_strong(cur, key, std::memory_order_relaxed, std::memory_order_relaxed)) {
            if (cur == key) return;
            continue;
        }
        st.seen_count.fetch_add(1, std::memory_order_relaxed);
        char buf[4096];
        constexpr std::size_t cap = sizeof buf - 8;
        std::size_t k = static_cast<std::size_t>(std::snprintf(buf, cap, "{\"file\":\""));
        k = json_escaped(buf, k, cap, l.file);
        k += static_cast<std::size_t>(std::snprintf(buf + k, cap - k,
                                                    "\",\"line\":%u,\"column\":%u,\"op\":\"%s\",\"order\":\"%s\","
                                                    "\"function\":\"",
                                                    l.line, l.column, op_names[static_cast<int>(o)],
                                                    order_name(order)));
        k = json_escaped(buf, std::min(k, cap), cap, l.function);
        buf[k++] = '"';
        buf[k++] = '}';
        buf[k++] = '\n';
        // O_APPEND: one line, whole, per write. The raw system call, not
        // write(): ThreadSanitizer's write() interceptor releases on a sync
        // object every read() of a file acquires, an edge the code under
        // test would not have.
        (void)!::syscall(SYS_write, st.sites_fd, buf, k);
        return;
    }
}

// The order operation `o` at `l` runs with: its declared order, unless it is
// the overridden site. Records the site with the order it ran with, so a
// weakened run's list shows the override took effect.
[[gnu::noinline, gnu::cold]] inline int order_at(const where& l, op o, std::memory_order declared) {
    state& st = the_state();
    int mo = static_cast<int>(declared);
    if (st.weaken && st.w_op == o && st.w_line == l.line && st.w_column == l.column && same_file(st.w_file, l.file))
        mo = st.w_order;
    if (st.sites_fd >= 0) record(l, o, mo);
    return mo;
}

// The strongest failure order allowed beside a success order (see above).
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
    return f == std::memory_order_seq_cst   ? 3
           : f == std::memory_order_acquire ? 2
           : f == std::memory_order_consume ? 1
                                            : 0;
}

// Load, store, RMW and wait orders at a call site (never `removed`). The
// test of `on` is inlined at every operation; the lookup, and turning the
// caller's location (a `where` or a std::source_location) into a `where`,
// are out of the common path.
template <class L>
[[gnu::always_inline]] inline std::memory_order at(const L& l, op o, std::memory_order declared) {
    if (__builtin_expect(!on, 1)) return declared;
    return static_cast<std::memory_order>(order_at(where_of(l), o, declared));
}

[[gnu::noinline, gnu::cold]] inline void cas_lookup(const where& l, std::memory_order& success,
                                                    std::memory_order& failure) {
    success = static_cast<std::memory_order>(order_at(l, op::cas, success));
    failure = static_cast<std::memory_order>(order_at(l, op::cas_failure, failure));
    const std::memory_order cap = failure_cap(success);
    if (strength(failure) > strength(cap)) failure = cap;
}

// A compare_exchange's two orders, each a site of its own.
template <class L>
[[gnu::always_inline]] inline void cas_at(const L& l, std::memory_order& success, std::memory_order& failure) {
    if (__builtin_expect(on, 0)) cas_lookup(where_of(l), success, failure);
}

// A fence's order at its call site, or `removed`.
template <class L>
[[gnu::always_inline]] inline int fence_at(const L& l, std::memory_order declared) {
    if (__builtin_expect(!on, 1)) return static_cast<int>(declared);
    return order_at(where_of(l), op::fence, declared);
}

}  // namespace gauntlet::sweep
