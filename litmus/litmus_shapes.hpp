// The classic litmus shapes, each written once as a template over the world.
//
// A shape is a tiny concurrent program over shared atomic locations (all
// initially 0) whose threads write constants and read into per-thread
// registers; its *outcome* is the tuple of register values (for 2+2W, S, R,
// CoWW, CoRW and CoWR it includes the final value of a location, read after
// every thread has finished). The same `body` is run by
//   - the hardware runner (litmus/hardware_runner.hpp) over native_world:
//     std::atomic on this CPU, many instances, outcome histogram;
//   - the model runner (litmus/model_runner.cpp) over relacy_world: Relacy's
//     exhaustive search of the C++ memory model, set of reachable outcomes.
//
// Each shape states its outcome domain: two possible values per register
// (`values`). Its *weak* outcomes (the ones no interleaving of the threads
// produces: not sequentially consistent) and whether each is allowed or
// forbidden under a given `orders` annotation are in the shape's table in
// litmus/litmus_catalogue.hpp, written as `outcome_of<Shape>` values: an
// outcome outside the domain does not compile. Every register is written by
// exactly one thread and read by the runner only after that thread has
// finished.
//
// Where the orders go, for every shape:
//   store / load : order of every store / load of the shape's "signal"
//                  locations (MP's data accesses are always relaxed: the flag
//                  alone carries the synchronisation under test);
//   fence_w      : a fence placed after a thread's first write, before its
//                  next access (memory_order_relaxed = no fence);
//   fence_r      : a fence placed after a thread's first read, before its
//                  next access (memory_order_relaxed = no fence);
//   fenced_threads: the threads that place those fences (bit k = thread k;
//                  all by default), for the one-sided fence variants.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::litmus {

// The memory-order annotation of one test. A structural type, so it can be a
// template argument of the shape body.
struct orders {
    std::memory_order store = std::memory_order_relaxed;
    std::memory_order load = std::memory_order_relaxed;
    std::memory_order fence_w = std::memory_order_relaxed;
    std::memory_order fence_r = std::memory_order_relaxed;
    unsigned fenced_threads = ~0u;
    // Threads whose fence is a half of the asymmetric pair (world.hpp:
    // W::light_fence, W::heavy_fence) instead of W::fence(mo).
    unsigned light_threads = 0;
    unsigned heavy_threads = 0;
};

// The fence `mo` at this point of thread k's part, when the annotation places
// fences in thread k (memory_order_relaxed = no fence); a light or heavy
// fence where the annotation names thread k for one.
template <class W, orders O>
inline void maybe_fence(unsigned k, std::memory_order mo) {
    if (mo == std::memory_order_relaxed || !(O.fenced_threads >> k & 1u)) return;
    if (O.light_threads >> k & 1u)
        W::light_fence();
    else if (O.heavy_threads >> k & 1u)
        W::heavy_fence();
    else
        W::fence(mo);
}

// Register values of one run of a shape, at most four registers.
struct outcome {
    std::array<int, 4> r{};
    unsigned n = 0;

    std::string str() const {
        std::string s;
        for (unsigned i = 0; i < n; ++i) {
            if (i) s += ',';
            s += std::to_string(r[i]);
        }
        return s;
    }
    // Dense index into the shape's domain (bit i set = register i holds its
    // second value); the hardware runner counts into an array with it.
    template <class Shape>
    unsigned index() const {
        unsigned k = 0;
        for (unsigned i = 0; i < n; ++i)
            if (r[i] == Shape::values[i][1]) k |= 1u << i;
        return k;
    }
    // A register value outside the domain is reported as its own, never
    // declared, outcome (it would mean a broken runner, not a weak memory).
    template <class Shape>
    bool in_domain() const {
        for (unsigned i = 0; i < n; ++i)
            if (r[i] != Shape::values[i][0] && r[i] != Shape::values[i][1]) return false;
        return true;
    }
};

// The outcome with domain index k, as a string ("0,1").
template <class Shape>
std::string domain_outcome(unsigned k) {
    outcome o;
    o.n = Shape::registers.size();
    for (unsigned i = 0; i < o.n; ++i) o.r[i] = Shape::values[i][(k >> i) & 1u];
    return o.str();
}

template <class Shape>
constexpr unsigned domain_size() {
    return 1u << Shape::registers.size();
}

// One point of Shape's outcome domain, checked when it is compiled: the wrong
// number of registers, or a value a register cannot hold, is not a constant
// expression (`outcome_of<store_buffering_shape>{0, 2}` does not compile).
template <class Shape>
struct outcome_of {
    static constexpr std::size_t width = Shape::registers.size();
    static_assert(width >= 1 && width <= 4, "a shape has one to four registers");
    std::array<int, width> r{};
    unsigned index = 0;  // dense index into the domain, as outcome::index

    consteval outcome_of(std::initializer_list<int> regs) {
        if (regs.size() != width) throw "an outcome gives exactly one value per register of its shape";
        unsigned i = 0;
        for (const int v : regs) {
            if (v == Shape::values[i][1])
                index |= 1u << i;
            else if (v != Shape::values[i][0])
                throw "an outcome's register value lies outside its shape's domain (Shape::values)";
            r[i++] = v;
        }
    }
};

// A set of Shape's outcomes: bit k = the outcome with domain index k.
// Written in a table as `{out{0, 0}, out{1, 1}}` (compile-time checked);
// computed at run time from indices (`with`).
template <class Shape>
struct outcome_set {
    std::uint32_t bits = 0;

    constexpr outcome_set() = default;
    consteval outcome_set(std::initializer_list<outcome_of<Shape>> outs) {
        for (const auto& o : outs) {
            if (bits >> o.index & 1u) throw "an outcome is listed twice";
            bits |= 1u << o.index;
        }
    }
    static constexpr outcome_set all() {
        outcome_set s;
        s.bits = (1u << domain_size<Shape>()) - 1u;  // at most 16 outcomes
        return s;
    }
    constexpr outcome_set with(unsigned k) const {
        outcome_set s = *this;
        s.bits |= 1u << k;
        return s;
    }
    constexpr bool contains(unsigned k) const { return bits >> k & 1u; }
    constexpr bool empty() const { return bits == 0; }
    constexpr bool subset_of(outcome_set o) const { return (bits & ~o.bits) == 0; }
    constexpr outcome_set operator&(outcome_set o) const { return from(bits & o.bits); }
    constexpr outcome_set operator|(outcome_set o) const { return from(bits | o.bits); }
    constexpr outcome_set operator-(outcome_set o) const { return from(bits & ~o.bits); }
    constexpr bool operator==(const outcome_set&) const = default;

    // The outcomes as strings ("0,1"), in string order.
    std::vector<std::string> strings() const {
        std::vector<std::string> v;
        for (unsigned k = 0; k < domain_size<Shape>(); ++k)
            if (contains(k)) v.push_back(domain_outcome<Shape>(k));
        std::sort(v.begin(), v.end());
        return v;
    }

private:
    static constexpr outcome_set from(std::uint32_t b) {
        outcome_set s;
        s.bits = b;
        return s;
    }
};

// ---------------------------------------------------------------------------
// SB, store buffering (Dekker's core). Each thread writes its flag then reads
// the other's. Weak: both read 0 (each read passes the other thread's store,
// e.g. out of a store buffer).
struct store_buffering_shape {
    static constexpr std::string_view name = "SB";
    static constexpr unsigned threads = 2;
    static constexpr std::array<std::string_view, 2> registers{"r0", "r1"};
    static constexpr std::array<std::array<int, 2>, 2> values{{{0, 1}, {0, 1}}};
    static constexpr std::string_view program =
        "T0: x=1; r0=y || T1: y=1; r1=x";
};

template <class W, orders O>
struct store_buffering : store_buffering_shape {
    typename W::template atomic<int> x{0};
    typename W::template atomic<int> y{0};
    int r0 = -1, r1 = -1;

    void thread(unsigned k) {
        if (k == 0) {
            x.store(1, O.store);
            maybe_fence<W, O>(k, O.fence_w);
            r0 = y.load(O.load);
        } else {
            y.store(1, O.store);
            maybe_fence<W, O>(k, O.fence_w);
            r1 = x.load(O.load);
        }
    }
    outcome read() const { return {{r0, r1}, 2}; }
};

// ---------------------------------------------------------------------------
// MP, message passing. T0 writes data then raises a flag; T1 reads the flag
// then the data. Weak: flag seen raised, data still 0.
struct message_passing_shape {
    static constexpr std::string_view name = "MP";
    static constexpr unsigned threads = 2;
    static constexpr std::array<std::string_view, 2> registers{"flag", "data"};
    static constexpr std::array<std::array<int, 2>, 2> values{{{0, 1}, {0, 1}}};
    static constexpr std::string_view program =
        "T0: data=1; flag=1 || T1: r0=flag; r1=data";
};

template <class W, orders O>
struct message_passing : message_passing_shape {
    typename W::template atomic<int> data{0};
    typename W::template atomic<int> flag{0};
    int r0 = -1, r1 = -1;

    void thread(unsigned k) {
        if (k == 0) {
            data.store(1, std::memory_order_relaxed);
            maybe_fence<W, O>(k, O.fence_w);
            flag.store(1, O.store);
        } else {
            r0 = flag.load(O.load);
            maybe_fence<W, O>(k, O.fence_r);
            r1 = data.load(std::memory_order_relaxed);
        }
    }
    outcome read() const { return {{r0, r1}, 2}; }
};

// ---------------------------------------------------------------------------
// LB, load buffering. Each thread reads one location then writes the other.
// Weak: both reads see the other thread's later write.
struct load_buffering_shape {
    static constexpr std::string_view name = "LB";
    static constexpr unsigned threads = 2;
    static constexpr std::array<std::string_view, 2> registers{"r0", "r1"};
    static constexpr std::array<std::array<int, 2>, 2> values{{{0, 1}, {0, 1}}};
    static constexpr std::string_view program =
        "T0: r0=x; y=1 || T1: r1=y; x=1";
};

template <class W, orders O>
struct load_buffering : load_buffering_shape {
    typename W::template atomic<int> x{0};
    typename W::template atomic<int> y{0};
    int r0 = -1, r1 = -1;

    void thread(unsigned k) {
        if (k == 0) {
            r0 = x.load(O.load);
            maybe_fence<W, O>(k, O.fence_r);
            y.store(1, O.store);
        } else {
            r1 = y.load(O.load);
            maybe_fence<W, O>(k, O.fence_r);
            x.store(1, O.store);
        }
    }
    outcome read() const { return {{r0, r1}, 2}; }
};

// ---------------------------------------------------------------------------
// IRIW, independent reads of independent writes. Two writers, two readers
// reading the locations in opposite orders. Weak: the readers disagree on the
// order of the two writes (no single order of stores explains both).
struct iriw_shape {
    static constexpr std::string_view name = "IRIW";
    static constexpr unsigned threads = 4;
    static constexpr std::array<std::string_view, 4> registers{"r0", "r1", "r2", "r3"};
    static constexpr std::array<std::array<int, 2>, 4> values{{{0, 1}, {0, 1}, {0, 1}, {0, 1}}};
    static constexpr std::string_view program =
        "T0: x=1 || T1: y=1 || T2: r0=x; r1=y || T3: r2=y; r3=x";
};

template <class W, orders O>
struct iriw : iriw_shape {
    typename W::template atomic<int> x{0};
    typename W::template atomic<int> y{0};
    int r0 = -1, r1 = -1, r2 = -1, r3 = -1;

    void thread(unsigned k) {
        switch (k) {
            case 0: x.store(1, O.store); break;
            case 1: y.store(1, O.store); break;
            case 2:
                r0 = x.load(O.load);
                maybe_fence<W, O>(k, O.fence_r);
                r1 = y.load(O.load);
                break;
            default:
                r2 = y.load(O.load);
                maybe_fence<W, O>(k, O.fence_r);
                r3 = x.load(O.load);
                break;
        }
    }
    outcome read() const { return {{r0, r1, r2, r3}, 4}; }
};

// ---------------------------------------------------------------------------
// WRC, write-to-read causality. T1 sees T0's write and then writes y; T2 sees
// T1's write and then reads x. Weak: T2 misses the write T1 had seen.
struct wrc_shape {
    static constexpr std::string_view name = "WRC";
    static constexpr unsigned threads = 3;
    static constexpr std::array<std::string_view, 3> registers{"r0", "r1", "r2"};
    static constexpr std::array<std::array<int, 2>, 3> values{{{0, 1}, {0, 1}, {0, 1}}};
    static constexpr std::string_view program =
        "T0: x=1 || T1: r0=x; y=1 || T2: r1=y; r2=x";
};

template <class W, orders O>
struct wrc : wrc_shape {
    typename W::template atomic<int> x{0};
    typename W::template atomic<int> y{0};
    int r0 = -1, r1 = -1, r2 = -1;

    void thread(unsigned k) {
        switch (k) {
            case 0: x.store(1, O.store); break;
            case 1:
                r0 = x.load(O.load);
                maybe_fence<W, O>(k, O.fence_r);
                y.store(1, O.store);
                break;
            default:
                r1 = y.load(O.load);
                maybe_fence<W, O>(k, O.fence_r);
                r2 = x.load(O.load);
                break;
        }
    }
    outcome read() const { return {{r0, r1, r2}, 3}; }
};

// ---------------------------------------------------------------------------
// 2+2W. Each thread writes both locations, in opposite orders. The outcome is
// the final value of x and y (read after both threads finished). Weak: both
// locations end with the value written first in program order (1,1), i.e. the
// coherence orders of x and y together contradict program order.
struct two_plus_two_w_shape {
    static constexpr std::string_view name = "2+2W";
    static constexpr unsigned threads = 2;
    static constexpr std::array<std::string_view, 2> registers{"x", "y"};
    static constexpr std::array<std::array<int, 2>, 2> values{{{1, 2}, {1, 2}}};
    static constexpr std::string_view program =
        "T0: x=1; y=2 || T1: y=1; x=2 || final x,y";
};

template <class W, orders O>
struct two_plus_two_w : two_plus_two_w_shape {
    typename W::template atomic<int> x{0};
    typename W::template atomic<int> y{0};

    void thread(unsigned k) {
        if (k == 0) {
            x.store(1, O.store);
            maybe_fence<W, O>(k, O.fence_w);
            y.store(2, O.store);
        } else {
            y.store(1, O.store);
            maybe_fence<W, O>(k, O.fence_w);
            x.store(2, O.store);
        }
    }
    // Called after both threads finished (joined): the last write in each
    // location's modification order is what a relaxed load returns then.
    outcome read() const {
        return {{x.load(std::memory_order_relaxed), y.load(std::memory_order_relaxed)}, 2};
    }
};

// ---------------------------------------------------------------------------
// CoRR, read-read coherence. One writer; a reader reads the same location
// twice. Weak: the second read returns an older value than the first.
struct corr_shape {
    static constexpr std::string_view name = "CoRR";
    static constexpr unsigned threads = 2;
    static constexpr std::array<std::string_view, 2> registers{"r0", "r1"};
    static constexpr std::array<std::array<int, 2>, 2> values{{{0, 1}, {0, 1}}};
    static constexpr std::string_view program = "T0: x=1 || T1: r0=x; r1=x";
};

template <class W, orders O>
struct corr : corr_shape {
    typename W::template atomic<int> x{0};
    int r0 = -1, r1 = -1;

    void thread(unsigned k) {
        if (k == 0) {
            x.store(1, O.store);
        } else {
            r0 = x.load(O.load);
            maybe_fence<W, O>(k, O.fence_r);
            r1 = x.load(O.load);
        }
    }
    outcome read() const { return {{r0, r1}, 2}; }
};

// ---------------------------------------------------------------------------
// CoWW, write-write coherence. One thread writes x twice. The outcome is the
// final x. Weak: the first write is last in x's modification order (final
// x=1).
struct coww_shape {
    static constexpr std::string_view name = "CoWW";
    static constexpr unsigned threads = 1;
    static constexpr std::array<std::string_view, 1> registers{"x"};
    static constexpr std::array<std::array<int, 2>, 1> values{{{1, 2}}};
    static constexpr std::string_view program = "T0: x=1; x=2 || final x";
};

template <class W, orders O>
struct coww : coww_shape {
    typename W::template atomic<int> x{0};

    void thread(unsigned k) {
        x.store(1, O.store);
        maybe_fence<W, O>(k, O.fence_w);
        x.store(2, O.store);
    }
    outcome read() const { return {{x.load(std::memory_order_relaxed)}, 1}; }
};

// ---------------------------------------------------------------------------
// CoRW, read-write coherence (herd's CoRW2). T0 reads x then writes x=1; T1
// writes x=2. The outcome is T0's register and the final x. Weak: T0 read
// T1's x=2, yet T0's later x=1 precedes x=2 in x's modification order (final
// x=2). T0 reading its own later x=1 (herd's CoRW1) would be an outcome
// outside the domain, reported as forbidden as well.
struct corw_shape {
    static constexpr std::string_view name = "CoRW";
    static constexpr unsigned threads = 2;
    static constexpr std::array<std::string_view, 2> registers{"r0", "x"};
    static constexpr std::array<std::array<int, 2>, 2> values{{{0, 2}, {1, 2}}};
    static constexpr std::string_view program = "T0: r0=x; x=1 || T1: x=2 || final x";
};

template <class W, orders O>
struct corw : corw_shape {
    typename W::template atomic<int> x{0};
    int r0 = -1;

    void thread(unsigned k) {
        if (k == 0) {
            r0 = x.load(O.load);
            maybe_fence<W, O>(k, O.fence_r);
            x.store(1, O.store);
        } else {
            x.store(2, O.store);
        }
    }
    outcome read() const { return {{r0, x.load(std::memory_order_relaxed)}, 2}; }
};

// ---------------------------------------------------------------------------
// CoWR, write-read coherence (herd's CoWR). T0 writes x=1 then reads x; T1
// writes x=2. The outcome is T0's register and the final x. Weak: T0 read
// T1's x=2, yet x=2 precedes T0's x=1 in x's modification order (final x=1),
// i.e. T0's read returned a value older than its own write. T0 reading the
// initial 0 would be outside the domain, reported as forbidden as well.
struct cowr_shape {
    static constexpr std::string_view name = "CoWR";
    static constexpr unsigned threads = 2;
    static constexpr std::array<std::string_view, 2> registers{"r0", "x"};
    static constexpr std::array<std::array<int, 2>, 2> values{{{1, 2}, {1, 2}}};
    static constexpr std::string_view program = "T0: x=1; r0=x || T1: x=2 || final x";
};

template <class W, orders O>
struct cowr : cowr_shape {
    typename W::template atomic<int> x{0};
    int r0 = -1;

    void thread(unsigned k) {
        if (k == 0) {
            x.store(1, O.store);
            maybe_fence<W, O>(k, O.fence_w);
            r0 = x.load(O.load);
        } else {
            x.store(2, O.store);
        }
    }
    outcome read() const { return {{r0, x.load(std::memory_order_relaxed)}, 2}; }
};

// ---------------------------------------------------------------------------
// ISA2. T0 writes x then raises y; T1 sees y and raises z; T2 sees z and reads
// x. Weak: T2 misses x=1 although a chain of two flags leads to it from T0's
// write (message passing carried through a third thread).
struct isa2_shape {
    static constexpr std::string_view name = "ISA2";
    static constexpr unsigned threads = 3;
    static constexpr std::array<std::string_view, 3> registers{"r0", "r1", "r2"};
    static constexpr std::array<std::array<int, 2>, 3> values{{{0, 1}, {0, 1}, {0, 1}}};
    static constexpr std::string_view program =
        "T0: x=1; y=1 || T1: r0=y; z=1 || T2: r1=z; r2=x";
};

template <class W, orders O>
struct isa2 : isa2_shape {
    typename W::template atomic<int> x{0};
    typename W::template atomic<int> y{0};
    typename W::template atomic<int> z{0};
    int r0 = -1, r1 = -1, r2 = -1;

    void thread(unsigned k) {
        switch (k) {
            case 0:
                x.store(1, O.store);
                maybe_fence<W, O>(k, O.fence_w);
                y.store(1, O.store);
                break;
            case 1:
                r0 = y.load(O.load);
                maybe_fence<W, O>(k, O.fence_r);
                z.store(1, O.store);
                break;
            default:
                r1 = z.load(O.load);
                maybe_fence<W, O>(k, O.fence_r);
                r2 = x.load(O.load);
                break;
        }
    }
    outcome read() const { return {{r0, r1, r2}, 3}; }
};

// ---------------------------------------------------------------------------
// S. T0 writes x=2 then y=1; T1 reads y then writes x=1. The outcome is T1's
// register and the final x. Weak: T1 saw y=1, yet its x=1 is ordered before
// T0's x=2 in x's modification order (final x=2).
struct s_shape {
    static constexpr std::string_view name = "S";
    static constexpr unsigned threads = 2;
    static constexpr std::array<std::string_view, 2> registers{"r0", "x"};
    static constexpr std::array<std::array<int, 2>, 2> values{{{0, 1}, {1, 2}}};
    static constexpr std::string_view program = "T0: x=2; y=1 || T1: r0=y; x=1 || final x";
};

template <class W, orders O>
struct s_test : s_shape {
    typename W::template atomic<int> x{0};
    typename W::template atomic<int> y{0};
    int r0 = -1;

    void thread(unsigned k) {
        if (k == 0) {
            x.store(2, O.store);
            maybe_fence<W, O>(k, O.fence_w);
            y.store(1, O.store);
        } else {
            r0 = y.load(O.load);
            maybe_fence<W, O>(k, O.fence_r);
            x.store(1, O.store);
        }
    }
    outcome read() const { return {{r0, x.load(std::memory_order_relaxed)}, 2}; }
};

// ---------------------------------------------------------------------------
// R. T0 writes x=1 then y=1; T1 writes y=2 then reads x. The outcome is the
// final y and T1's register. Weak: T0's y=1 is ordered before T1's y=2 (final
// y=2), yet T1 still reads x=0.
struct r_shape {
    static constexpr std::string_view name = "R";
    static constexpr unsigned threads = 2;
    static constexpr std::array<std::string_view, 2> registers{"y", "r0"};
    static constexpr std::array<std::array<int, 2>, 2> values{{{1, 2}, {0, 1}}};
    static constexpr std::string_view program = "T0: x=1; y=1 || T1: y=2; r0=x || final y";
};

template <class W, orders O>
struct r_test : r_shape {
    typename W::template atomic<int> x{0};
    typename W::template atomic<int> y{0};
    int r0 = -1;

    void thread(unsigned k) {
        if (k == 0) {
            x.store(1, O.store);
            maybe_fence<W, O>(k, O.fence_w);
            y.store(1, O.store);
        } else {
            y.store(2, O.store);
            maybe_fence<W, O>(k, O.fence_w);
            r0 = x.load(O.load);
        }
    }
    outcome read() const { return {{y.load(std::memory_order_relaxed), r0}, 2}; }
};

// ---------------------------------------------------------------------------
// RWC, read-to-write causality. T1 sees T0's x=1 and then reads y=0; T2 writes
// y=1 and then reads x. Weak: T2 also reads x=0, though T1 saw x=1 "before"
// T2's write (a store-buffering pattern across three threads).
struct rwc_shape {
    static constexpr std::string_view name = "RWC";
    static constexpr unsigned threads = 3;
    static constexpr std::array<std::string_view, 3> registers{"r0", "r1", "r2"};
    static constexpr std::array<std::array<int, 2>, 3> values{{{0, 1}, {0, 1}, {0, 1}}};
    static constexpr std::string_view program = "T0: x=1 || T1: r0=x; r1=y || T2: y=1; r2=x";
};

template <class W, orders O>
struct rwc : rwc_shape {
    typename W::template atomic<int> x{0};
    typename W::template atomic<int> y{0};
    int r0 = -1, r1 = -1, r2 = -1;

    void thread(unsigned k) {
        switch (k) {
            case 0: x.store(1, O.store); break;
            case 1:
                r0 = x.load(O.load);
                maybe_fence<W, O>(k, O.fence_r);
                r1 = y.load(O.load);
                break;
            default:
                y.store(1, O.store);
                maybe_fence<W, O>(k, O.fence_w);
                r2 = x.load(O.load);
                break;
        }
    }
    outcome read() const { return {{r0, r1, r2}, 3}; }
};

}  // namespace gauntlet::litmus
