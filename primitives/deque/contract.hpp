// The work-stealing deque contract (component kind "deque").
//
// One thread, the owner, pushes and pops at the bottom; any number of other
// threads, the thieves, steal at the top (seed 000: "each worker has a local
// queue, an idle worker steals from others").
//
//   D(capacity)       an empty deque; `capacity` is the initial array size of
//                     a growable deque and the bound of a bounded one
//   push(v) -> bool   owner only. true: v is in the deque. false only when a
//                     bounded deque is full (a growable deque always succeeds)
//   pop(out) -> bool  owner only. true: `out` is the most recently pushed item
//                     still in the deque (owner LIFO). false: the deque is
//                     empty, or the owner lost the last item to a thief (then
//                     it is empty too)
//   steal(out)        any other thread. One of
//     -> steal_status   success: `out` is the oldest item in the deque
//                                (steal is FIFO relative to pushes);
//                       empty:   the deque was empty when the thief looked;
//                       abort:   the thief lost a race (to another thief or
//                                to the owner's pop of the last item); nothing
//                                was taken, the caller may retry
//
// Exactly once: every pushed item is returned by exactly one successful pop
// or steal, or is still in the deque; nothing that was not pushed is ever
// returned.
//
// Which steal answers each implementation gives (deque_traits below, stated
// again in each entry):
//   chase_lev_le2013, chase_lev, chase_lev_bounded: success | empty | abort
//     (a failed CAS on top is an abort: the Chase–Lev steal never loops);
//   mutex_deque: success | empty (under the lock a steal cannot lose a race);
//   xenium_chase_deque (peer): success | abort. xenium's try_steal returns one
//     bool for "empty" and "lost the CAS"; the adapter reports every false as
//     abort, since it cannot tell them apart (single-threaded it means empty).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gauntlet {

enum class steal_status { success, empty, abort };

constexpr std::string_view to_string(steal_status s) {
    return s == steal_status::success ? "success" : s == steal_status::empty ? "empty" : "abort";
}

template <class D, class T = std::uint64_t>
concept work_stealing_deque = std::constructible_from<D, std::size_t> && requires(D& d, T v, T& out) {
    { d.push(v) } -> std::same_as<bool>;
    { d.pop(out) } -> std::same_as<bool>;
    { d.steal(out) } -> std::same_as<steal_status>;
};

// What an entry promises beyond the concept; the checks hold it to that.
struct deque_traits {
    bool bounded = false;          // push may report full (at the bound in force)
    bool steal_reports_empty = true;  // false: every failed steal is `abort` (cannot tell empty from a lost race)
};

}  // namespace gauntlet
