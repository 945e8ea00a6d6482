// The timer catalogue: every timer queue (primitives/loop/timers.hpp) and what
// each check is expected to say about it, justified beside it.
//
// Timer queues are loop-thread structures: one thread, no shared memory. The
// property check (properties/loop/timer_property.cpp) holds them to a
// sequential reference and the bench check (bench/loop/bench_timers.cpp)
// times them; the checks that exist for threads skip them.
#pragma once

#include <string>

#include "primitives/catalogue.hpp"
#include "primitives/loop/timers.hpp"

namespace gauntlet {

namespace timer_entries {

inline constexpr expectation no_shared_memory{expect::skip,
                                              "loop-thread only: no shared memory for Relacy to explore"};
inline constexpr expectation no_threads{expect::skip, "loop-thread only: no threads to stress"};
inline constexpr expectation no_sanitizer_body{
    expect::skip, "no sanitizer program runs the timer queues yet (single-threaded, vector storage indexed by id)"};
inline constexpr expectation no_concurrent_history{
    expect::skip, "loop-thread only: the property check compares every operation with the reference"};
inline constexpr expectation no_stalled_thread{expect::skip,
                                               "loop-thread only: no other thread waits on a stalled operation"};
inline constexpr expectation mutant_not_timed{expect::skip, "mutants are not timed: a broken variant's speed is no result"};

// In-house: the binary heap (timers.hpp: timer_heap).
struct timer_heap_entry {
    static constexpr std::string_view name = "timer_heap";
    static constexpr origin_kind origin = origin_kind::in_house;
    template <class W>
    using type = timer_heap<>;
    static constexpr expectations expected{.property = expect::pass, .model = no_shared_memory, .stress = no_threads,
                                           .tsan = no_threads, .asan = no_sanitizer_body, .bench = expect::pass,
                                           .linearizability = no_concurrent_history, .progress = no_stalled_thread};
};

// In-house: the hierarchical timing wheel (timers.hpp: timer_wheel).
struct timer_wheel_entry {
    static constexpr std::string_view name = "timer_wheel";
    static constexpr origin_kind origin = origin_kind::in_house;
    template <class W>
    using type = timer_wheel<>;
    static constexpr expectations expected{.property = expect::pass, .model = no_shared_memory, .stress = no_threads,
                                           .tsan = no_threads, .asan = no_sanitizer_body, .bench = expect::pass,
                                           .linearizability = no_concurrent_history, .progress = no_stalled_thread};
};

struct unsorted_ties_policy : timer_wheel_policy {
    static constexpr bool sort_ties = false;
};
struct timer_wheel_unsorted_ties : timer_wheel_entry {
    static constexpr std::string_view name = "timer_wheel.unsorted_ties";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = timer_wheel<unsorted_ties_policy>;
    // Level-0 slots pop in list order. property fail, e.g. at 0 a timer for
    // 192, at 129 another for 192, then time reaches 192: the first, 192 ms
    // away, waits in level 1; the second, 63 ms away, goes straight to level
    // 0; the cascade at 192 appends the first after it, and the second pops
    // first (equal deadlines out of insertion order).
    static constexpr expectations expected{.property = expect::fail, .model = no_shared_memory, .stress = no_threads,
                                           .tsan = no_threads, .asan = no_sanitizer_body, .bench = mutant_not_timed,
                                           .linearizability = no_concurrent_history, .progress = no_stalled_thread};
};

struct cancel_without_sift_policy : timer_heap_policy {
    static constexpr bool sift_on_cancel = false;
};
struct timer_heap_cancel_without_sift : timer_heap_entry {
    static constexpr std::string_view name = "timer_heap.cancel_without_sift";
    static constexpr origin_kind origin = origin_kind::mutant;
    template <class W>
    using type = timer_heap<cancel_without_sift_policy>;
    // cancel() moves the last element into the hole and leaves it there.
    // property fail: a hole whose subtree holds smaller keys than the last
    // element (or whose parent is larger) breaks the heap order, and
    // next_deadline() or the next pop is not the least; e.g. deadlines 0, 0
    // and a far one, the first cancelled: the far one sits at the root and
    // next_deadline() names it with a deadline-0 timer pending.
    static constexpr expectations expected{.property = expect::fail, .model = no_shared_memory, .stress = no_threads,
                                           .tsan = no_threads, .asan = no_sanitizer_body, .bench = mutant_not_timed,
                                           .linearizability = no_concurrent_history, .progress = no_stalled_thread};
};

}  // namespace timer_entries

using timer_catalogue = type_list<timer_entries::timer_heap_entry, timer_entries::timer_heap_cancel_without_sift,
                                  timer_entries::timer_wheel_entry, timer_entries::timer_wheel_unsorted_ties>;

struct timer_kind {
    static constexpr std::string_view name = "timer";
    using catalogue = timer_catalogue;
    template <class E>
    static std::string component() {
        return "timer";
    }
};

}  // namespace gauntlet
