// The bridge catalogue (component kind "pool_bridge"): pool x loop pairs
// (every pool with the coalescing loop; work_stealing also with bun_loop and
// the libuv peer), each completing work as a task (work_task) or as a
// microtask (promise_task), with the check's expectations (stress/pool/pool_bridge.cpp,
// native and ThreadSanitizer builds). The pools and loops are the entries of
// their own catalogues, used as they are.
#pragma once

#include <string>
#include <string_view>

#include "primitives/loop/catalogue.hpp"
#include "primitives/pool/bridge.hpp"
#include "primitives/pool/catalogue.hpp"

namespace gauntlet {

enum class bridge_mode { work_task, promise_task };

namespace bridge_entries {

inline constexpr expectation bridge_stress_only{
    expect::skip, "the bridge is checked by its stress body (native and ThreadSanitizer); its parts have their own columns"};
inline constexpr expectation bridge_not_timed{expect::skip, "not timed yet: the submit-to-completion latency benchmark is not built"};

template <class PoolE, class LoopE, bridge_mode M, class Policy = bridge_policy>
struct pair {
    using pool_entry = PoolE;
    using loop_entry = LoopE;
    using policy = Policy;
    static constexpr bridge_mode mode = M;
    static constexpr origin_kind origin = origin_kind::in_house;
    static constexpr progress_kind progress = progress_kind::blocking;
    // stress, tsan pass: exactly once, on the loop thread, after run(), in
    // the stated phase.
    static constexpr expectations expected{.property = bridge_stress_only, .model = bridge_stress_only,
                                           .stress = expect::pass, .tsan = expect::pass,
                                           .asan = bridge_stress_only, .bench = bridge_not_timed,
                                           .linearizability = bridge_stress_only, .progress = bridge_stress_only};
};

using pool_entries::global_queue_entry;
using pool_entries::work_stealing_entry;
using loop_entries::coalescing_loop_entry;

struct gq_coalescing_work : pair<global_queue_entry, coalescing_loop_entry, bridge_mode::work_task> {
    static constexpr std::string_view name = "global_queue+coalescing_loop.work_task";
};
struct gq_coalescing_promise : pair<global_queue_entry, coalescing_loop_entry, bridge_mode::promise_task> {
    static constexpr std::string_view name = "global_queue+coalescing_loop.promise_task";
};
struct ws_coalescing_work : pair<work_stealing_entry, coalescing_loop_entry, bridge_mode::work_task> {
    static constexpr std::string_view name = "work_stealing+coalescing_loop.work_task";
};
struct ws_coalescing_promise : pair<work_stealing_entry, coalescing_loop_entry, bridge_mode::promise_task> {
    static constexpr std::string_view name = "work_stealing+coalescing_loop.promise_task";
};

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
    // touched from a worker is also a race TSan reports).
    static constexpr expectations expected{.property = bridge_stress_only, .model = bridge_stress_only,
                                           .stress = expect::fail, .tsan = expect::fail,
                                           .asan = bridge_stress_only, .bench = bridge_not_timed,
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
    // between a then() and its reaction. stress and tsan fail.
    static constexpr expectations expected = ws_coalescing_then_on_pool::expected;
};

// The seed loop (Bun's shape) and, where libuv is installed, the libuv peer.
using loop_entries::bun_loop_entry;
struct ws_bun_work : pair<work_stealing_entry, bun_loop_entry, bridge_mode::work_task> {
    static constexpr std::string_view name = "work_stealing+bun_loop.work_task";
};
struct ws_bun_promise : pair<work_stealing_entry, bun_loop_entry, bridge_mode::promise_task> {
    static constexpr std::string_view name = "work_stealing+bun_loop.promise_task";
};
#if defined(GAUNTLET_HAVE_LIBUV)
using loop_entries::libuv_loop_entry;
struct ws_libuv_work : pair<work_stealing_entry, libuv_loop_entry, bridge_mode::work_task> {
    static constexpr std::string_view name = "work_stealing+libuv_loop.work_task";
};
struct ws_libuv_promise : pair<work_stealing_entry, libuv_loop_entry, bridge_mode::promise_task> {
    static constexpr std::string_view name = "work_stealing+libuv_loop.promise_task";
};
using bridge_libuv_pairs = type_list<ws_libuv_work, ws_libuv_promise>;
#else
using bridge_libuv_pairs = type_list<>;
#endif

#if defined(GAUNTLET_HAVE_TBB_POOL)
using pool_entries::tbb_pool_entry;
struct tbb_coalescing_work : pair<tbb_pool_entry, coalescing_loop_entry, bridge_mode::work_task> {
    static constexpr std::string_view name = "tbb+coalescing_loop.work_task";
    // tsan skip: the pool half is Debian's uninstrumented libtbb (see the
    // pool catalogue's tbb entry).
    static constexpr expectations expected{.property = bridge_stress_only, .model = bridge_stress_only,
                                           .stress = expect::pass,
                                           .tsan = pool_entries::tbb_pool_entry::tbb_uninstrumented,
                                           .asan = bridge_stress_only, .bench = bridge_not_timed,
                                           .linearizability = bridge_stress_only, .progress = bridge_stress_only};
};
struct tbb_coalescing_promise : pair<tbb_pool_entry, coalescing_loop_entry, bridge_mode::promise_task> {
    static constexpr std::string_view name = "tbb+coalescing_loop.promise_task";
    static constexpr expectations expected = tbb_coalescing_work::expected;
};
#endif

}  // namespace bridge_entries

using bridge_inhouse_catalogue =
    type_list<bridge_entries::gq_coalescing_work, bridge_entries::gq_coalescing_promise,
              bridge_entries::ws_coalescing_work, bridge_entries::ws_coalescing_promise,
              bridge_entries::ws_coalescing_then_on_pool, bridge_entries::ws_coalescing_reaction_as_task,
              bridge_entries::ws_bun_work, bridge_entries::ws_bun_promise>;
#if defined(GAUNTLET_HAVE_TBB_POOL)
using bridge_tbb_pairs = type_list<bridge_entries::tbb_coalescing_work, bridge_entries::tbb_coalescing_promise>;
#else
using bridge_tbb_pairs = type_list<>;
#endif
using bridge_catalogue = concat_lists<bridge_inhouse_catalogue, bridge_entries::bridge_libuv_pairs, bridge_tbb_pairs>;

struct bridge_kind {
    static constexpr std::string_view name = "pool_bridge";
    using catalogue = bridge_catalogue;
    template <class E>
    static std::string component() {
        return "pool.bridge";
    }
};

}  // namespace gauntlet
