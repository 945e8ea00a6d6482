// The work-pool contract (component kind "pool").
//
// A pool runs jobs on its own worker threads. A job is intrusive and owned
// by its submitter (Bun's thread-pool task and libuv's uv__work are this
// shape): the pool stores the pointer, never allocates per job and never
// frees one; a job's run() may free it.
//
//   P(workers)          starts `workers` worker threads (at least 1)
//   submit(j) -> bool   any thread. From a thread that is not one of this
//                       pool's workers: false once shutdown() has begun
//                       (j is never run; nothing was queued). From inside a
//                       running job: always accepted (the drain includes the
//                       jobs that running jobs submit). An accepted job runs
//                       exactly once, on a worker thread.
//   drain()             not a worker: returns once every job accepted before
//                       the call, and every job those submitted, has run.
//   shutdown()          not a worker: refuses later outside submissions,
//                       drains (nothing accepted is lost), stops and joins
//                       the workers. Idempotent; the destructor calls it.
//   workers() -> unsigned
//
// Liveness: no accepted job waits while a worker sleeps (a worker parks only
// when every queue it could take from was found empty after it announced
// that it may park). Fairness, stated bounds (properties/pool checks them):
//   * a job queued under a pair of jobs that submit each other without end
//     (Go's TestPingPongHog shape) runs within `fair_bound` of the pair's
//     hand-offs on a one-worker pool;
//   * an outside submission runs within `fair_bound` jobs of a worker whose
//     own queue never empties.
#pragma once

#include <concepts>
#include <cstdint>
#include <string_view>

namespace gauntlet {

struct pool_job {
    void (*run)(pool_job*) = nullptr;
};

template <class P>
concept work_pool = std::constructible_from<P, unsigned> && requires(P& p, pool_job* j) {
    { p.submit(j) } -> std::same_as<bool>;
    p.drain();
    p.shutdown();
    { p.workers() } -> std::same_as<unsigned>;
};

// The stated fairness bound (contract above): hand-offs or jobs before a
// starved job runs. Go checks its global run queue every 61 scheduler ticks
// (runtime/proc.go, schedule: schedtick%61); the in-house pools take from
// the inject queue and their own deque's oldest end every 61 local jobs.
inline constexpr std::uint64_t fair_interval = 61;
inline constexpr std::uint64_t fair_bound = 4 * fair_interval;

}  // namespace gauntlet
