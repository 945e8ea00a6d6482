// The bridge catalogue (component kind "pool_bridge"): every pool x every
// loop that is not a mutant (global_queue, work_stealing, tbb x
// coalescing_loop, coalescing_loop_wheel, bun_loop, mutex_loop,
// polling_loop and the libuv peer), each completing work as a task
// (work_task) or as a microtask (promise_task), with the checks'
// expectations: stress and tsan (stress/pool/pool_bridge.cpp, native and
// ThreadSanitizer builds) and bench (bench/pool/bench_pool.cpp,
// bridge_latency). The pools and loops are the entries of their own
// catalogues, used as they are; a pair is named "<pool>+<loop>.<mode>".
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "primitives/loop/catalogue.hpp"
#include "primitives/pool/bridge.hpp"
#include "primitives/pool/catalogue.hpp"

namespace gauntlet {

enum class bridge_mode { work_task, promise_task };

namespace bridge_entries {

inline constexpr expectation bridge_stress_only{
    expect::skip,
    "the bridge is checked by its stress body (native, ThreadSanitizer, AddressSanitizer); its parts have their own "
    "columns"};
// bench: bridge_latency (bench/pool/bench_pool.cpp) times every pair that
// is not a mutant, schedule() to then() (work_task) or to the reaction
// (promise_task).
inline constexpr expectation bridge_mutant_not_timed{
    expect::skip, "mutants are not timed: a bridge mutant completes off the loop thread or out of its phase, so "
                  "its latency is not the bridge's"};

inline constexpr std::string_view mode_suffix(bridge_mode m) {
    return m == bridge_mode::work_task ? ".work_task" : ".promise_task";
}

// "<pool>+<loop>.<mode>", built at compile time.
template <class PoolE, class LoopE, bridge_mode M>
struct pair_name {
    static constexpr std::size_t size = PoolE::name.size() + 1 + LoopE::name.size() + mode_suffix(M).size();
    static constexpr std::array<char, size> chars = [] {
        std::array<char, size> out{};
        std::size_t i = 0;
        for (char c : PoolE::name) out[i++] = c;
        out[i++] = '+';
        for (char c : LoopE::name) out[i++] = c;
        for (char c : mode_suffix(M)) out[i++] = c;
        return out;
    }();
    static constexpr std::string_view value{chars.data(), size};
};

template <class PoolE, class LoopE, bridge_mode M, class Policy = bridge_policy>
struct pair {
    using pool_entry = PoolE;
    using loop_entry = LoopE;
    using policy = Policy;
    static constexpr bridge_mode mode = M;
    static constexpr std::string_view name = pair_name<PoolE, LoopE, M>::value;
    static constexpr origin_kind origin = origin_kind::in_house;
    static constexpr progress_kind progress = progress_kind::blocking;
    // stress, tsan pass: exactly once, on the loop thread, after run(), in
    // the stated phase. tsan follows the pool's own column: skipped for the
    // oneTBB pool (Debian's libtbb is not instrumented, see the pool
    // catalogue's tbb entry), where the pair's verdict would be about the
    // instrumentation. asan pass: the same body in the AddressSanitizer
    // build (a task or completion used after it is freed is a report).
    // bench pass: bridge_latency runs and completes every round.
    static constexpr expectations expected{.property = bridge_stress_only, .model = bridge_stress_only,
                                           .stress = expect::pass,
                                           .tsan = PoolE::expected.tsan.kind == expect::skip
                                                       ? PoolE::expected.tsan
                                                       : expectation{expect::pass},
                                           .asan = expect::pass, .bench = expect::pass,
                                           .linearizability = bridge_stress_only, .progress = bridge_stress_only};
};

using pool_entries::global_queue_entry;
using pool_entries::work_stealing_entry;
using loop_entries::bun_loop_entry;
using loop_entries::coalescing_loop_entry;
using loop_entries::coalescing_loop_wheel_entry;
using loop_entries::mutex_loop_entry;
using loop_entries::polling_loop_entry;

// Both modes of one pool x loop.
template <class PoolE, class LoopE>
using both_modes = type_list<pair<PoolE, LoopE, bridge_mode::work_task>, pair<PoolE, LoopE, bridge_mode::promise_task>>;

// One pool with every loop that is not a mutant.
#if defined(GAUNTLET_HAVE_LIBUV)
using loop_entries::libuv_loop_entry;
template <class PoolE>
using with_every_loop =
    concat_lists<both_modes<PoolE, coalescing_loop_entry>, both_modes<PoolE, coalescing_loop_wheel_entry>,
                 both_modes<PoolE, bun_loop_entry>, both_modes<PoolE, mutex_loop_entry>,
                 both_modes<PoolE, polling_loop_entry>, both_modes<PoolE, libuv_loop_entry>>;
#else
template <class PoolE>
using with_every_loop =
    concat_lists<both_modes<PoolE, coalescing_loop_entry>, both_modes<PoolE, coalescing_loop_wheel_entry>,
                 both_modes<PoolE, bun_loop_entry>, both_modes<PoolE, mutex_loop_entry>,
                 both_modes<PoolE, polling_loop_entry>>;
#endif

struct then_on_pool_policy : bridge_policy {
    static constexpr bool complete_on_loop = false;
};
struct ws_coalescing_then_on_pool
    : pair<work_stealing_entry, coalescing_loop_entry, bridge_mode::work_task, then_on_pool_policy> {
    static constexpr std::string_view name = "work_stealing+coalescing_loop.work_task.then_on_pool";
    static constexpr origin_kind origin = origin_kind::mutant;
    // then() runs on the pool worker right after run(), never on the loop:
    // stress fail (the completion's thread is a worker, not the loop
    // thread), tsan fail (the same judge; the check's loop-thread state
    // touched from a worker is also a race TSan reports), asan fail (the
    // same judge in the AddressSanitizer build).
    static constexpr expectations expected{.property = bridge_stress_only, .model = bridge_stress_only,
                                           .stress = expect::fail, .tsan = expect::fail,
                                           .asan = expect::fail, .bench = bridge_mutant_not_timed,
                                           .linearizability = bridge_stress_only, .progress = bridge_stress_only};
};

struct reaction_as_task_policy : bridge_policy {
    static constexpr bool reaction_as_microtask = false;
};
struct ws_coalescing_reaction_as_task
    : pair<work_stealing_entry, coalescing_loop_entry, bridge_mode::promise_task, reaction_as_task_policy> {
    static constexpr std::string_view name = "work_stealing+coalescing_loop.promise_task.reaction_as_task";
    static constexpr origin_kind origin = origin_kind::mutant;
    // The reaction is enqueued as a task, behind the completions the loop
    // already holds: with completions arriving together (the check holds
    // the loop until 64 have been posted), another completion's then() runs
    // between a then() and its reaction. stress, tsan and asan fail.
    static constexpr expectations expected = ws_coalescing_then_on_pool::expected;
};

}  // namespace bridge_entries

using bridge_inhouse_catalogue =
    concat_lists<bridge_entries::with_every_loop<bridge_entries::global_queue_entry>,
                 bridge_entries::with_every_loop<bridge_entries::work_stealing_entry>,
                 type_list<bridge_entries::ws_coalescing_then_on_pool, bridge_entries::ws_coalescing_reaction_as_task>>;
#if defined(GAUNTLET_HAVE_TBB_POOL)
using bridge_tbb_pairs = bridge_entries::with_every_loop<pool_entries::tbb_pool_entry>;
#else
using bridge_tbb_pairs = type_list<>;
#endif
using bridge_catalogue = concat_lists<bridge_inhouse_catalogue, bridge_tbb_pairs>;

struct bridge_kind {
    static constexpr std::string_view name = "pool_bridge";
    using catalogue = bridge_catalogue;
    template <class E>
    static std::string component() {
        return "pool.bridge";
    }
};

}  // namespace gauntlet
