// Check "stress" (native build) and "tsan" (ThreadSanitizer build) for every
// pool: every job exactly once through deque overflow and concurrent steals.
//
// Per entry, one pool of 2 workers and `rounds` rounds. In a round two
// outside threads each submit `roots` root jobs (the inject queue of the
// work-stealing pool); a root, when it runs, submits from inside its worker
// 0 to 600 children drawn from the entry's seed (the plan, hashed in the
// record), so a worker's deque (16 slots here: pool_check::make_small_pool)
// overflows into the inject queue while the other worker steals from it;
// one child in eight submits a grandchild. Each job spins 0-63 pause steps. Between rounds the main
// thread sleeps 2 ms, so that the workers park and the next round's first
// submissions must wake them.
// Invariants:
//   * every job of the plan runs exactly once (no loss: every count 1
//     within `quiet` seconds of the last progress, else "stranded"; no
//     duplicate: a count of 2 is named);
//   * a job runs on a worker thread of this pool, not on its submitter;
//   * drain() returns with every job run;
//   * after shutdown() a submission is refused and its job never runs.
// Each submitter writes the job's `stamp` (plain data) just before submit
// and the job reads it when it runs: under ThreadSanitizer a pool whose
// hand-off carries no happens-before edge is a reported race. The counters
// are relaxed atomics, adding no edge that could hide a missing one.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "primitives/pool/catalogue.hpp"
#include "stress/pool/pool_wait.hpp"

namespace gauntlet::pool_stress {

struct options {
    int rounds = 6;
    unsigned roots = 40;   // per outside submitter per round
    double quiet = 1.0;    // seconds without progress that make a job stranded
};

template <class P>
struct plan {
    struct job : pool_job {
        plan* owner = nullptr;
        std::uint32_t id = 0, first_child = 0, children = 0, spin = 0;
        std::uint64_t stamp = 0;  // plain: written by the submitter, read by the job
    };
    P* pool = nullptr;
    std::vector<job> jobs;
    std::unique_ptr<std::atomic<std::uint32_t>[]> ran;
    std::atomic<std::uint64_t> done{0};
    std::atomic<std::uint64_t> off_worker{0};  // jobs that ran on a thread of no pool
    std::atomic<std::uint64_t> refused{0};     // inside submissions refused (never allowed)

    static void run(pool_job* pj) {
        job& j = *static_cast<job*>(pj);
        plan& p = *j.owner;
        if (j.stamp != j.id + 1) p.off_worker.fetch_add(1, std::memory_order_relaxed);  // stale hand-off
        if (pool_thread_slot<native_world>::get().pool != p.pool)
            p.off_worker.fetch_add(1, std::memory_order_relaxed);
        for (std::uint32_t k = 0; k < j.spin; ++k) native_world::spin_hint();
        for (std::uint32_t c = 0; c < j.children; ++c) {
            job& child = p.jobs[j.first_child + c];
            child.stamp = child.id + 1;
            if (!p.pool->submit(&child)) p.refused.fetch_add(1, std::memory_order_relaxed);
        }
        p.ran[j.id].fetch_add(1, std::memory_order_relaxed);
        p.done.fetch_add(1, std::memory_order_release);
    }
};

// One round on `pool`; "" when every invariant held.
template <class P>
std::string run_round(P& pool, std::mt19937_64& rng, const options& opt, std::uint64_t& jobs_total,
                  std::uint64_t& plan_hash) {
    using pl = plan<P>;
    auto p = std::make_unique<pl>();
    p->pool = &pool;
    const unsigned roots = 2 * opt.roots;
    std::vector<std::uint32_t> fan(roots);
    std::uint64_t n = roots;
    for (auto& f : fan) {
        f = static_cast<std::uint32_t>(rng() % 601);
        n += f;
        plan_hash = (plan_hash ^ f) * 1099511628211ull;
    }
    std::uint64_t grand = 0;
    for (std::uint64_t i = roots; i < n; ++i) grand += (i % 8 == 0);
    const std::uint64_t total = n + grand;
    p->jobs.resize(total);
    p->ran.reset(new std::atomic<std::uint32_t>[total]);
    for (std::uint64_t i = 0; i < total; ++i) {
        p->ran[i].store(0, std::memory_order_relaxed);
        auto& j = p->jobs[i];
        j.run = &pl::run;
        j.owner = p.get();
        j.id = static_cast<std::uint32_t>(i);
        j.spin = static_cast<std::uint32_t>(rng() % 64);
    }
    std::uint64_t next_child = roots, next_grand = n;
    for (unsigned r = 0; r < roots; ++r) {
        p->jobs[r].first_child = static_cast<std::uint32_t>(next_child);
        p->jobs[r].children = fan[r];
        next_child += fan[r];
    }
    for (std::uint64_t i = roots; i < n; ++i)
        if (i % 8 == 0) {
            p->jobs[i].first_child = static_cast<std::uint32_t>(next_grand++);
            p->jobs[i].children = 1;
        }
    std::atomic<unsigned> outside_refused{0};
    std::vector<std::thread> submitters;
    for (unsigned s = 0; s < 2; ++s)
        submitters.emplace_back([&, s] {
            for (unsigned r = s; r < roots; r += 2) {
                auto& j = p->jobs[r];
                j.stamp = j.id + 1;
                if (!pool.submit(&j)) outside_refused.fetch_add(1, std::memory_order_relaxed);
            }
        });
    for (auto& t : submitters) t.join();
    jobs_total += total;
    if (outside_refused.load() != 0) return std::to_string(outside_refused.load()) + " outside submissions refused before shutdown";
    if (!pool_check::wait_for_count(p->done, total, opt.quiet)) {
        std::uint64_t missing = 0, first = 0;
        for (std::uint64_t i = total; i-- > 0;)
            if (p->ran[i].load() == 0) ++missing, first = i;
        p.release();  // the pool's workers may still hold its jobs: never freed
        return "stranded: " + std::to_string(missing) + " of " + std::to_string(total) + " jobs not run " +
               std::to_string(opt.quiet) + " s after the last progress (first: job " + std::to_string(first) +
               (first < roots ? ", a root from outside" : ", submitted from inside a job") + ")";
    }
    pool.drain();
    for (std::uint64_t i = 0; i < total; ++i) {
        const std::uint32_t c = p->ran[i].load();
        if (c != 1) return "job " + std::to_string(i) + " ran " + std::to_string(c) + " times";
    }
    if (p->done.load() != total) return "more runs than jobs: " + std::to_string(p->done.load());
    if (p->off_worker.load()) return std::to_string(p->off_worker.load()) + " jobs ran off a worker or saw a stale stamp";
    if (p->refused.load()) return std::to_string(p->refused.load()) + " inside submissions refused";
    return {};
}

template <class E>
result check_entry(const options& opt, const entry_context& ctx) {
    using P = typename E::template type<native_world>;
    std::mt19937_64 rng(ctx.seed);
    std::uint64_t plan_hash = 1469598103934665603ull, jobs = 0;
    auto pool = pool_check::make_small_pool<P>();
    json m;
    for (int r = 0; r < opt.rounds; ++r) {
        const std::string why = run_round(*pool, rng, opt, jobs, plan_hash);
        m["jobs"] = jobs;
        m["plan_hash"] = std::to_string(plan_hash);
        if (!why.empty()) {
            if (why.rfind("stranded", 0) == 0) (void)pool.release();  // its drain would never return
            m["failed_round"] = r;
            return result::fail("round " + std::to_string(r) + ": " + why, {}, m);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // the workers park
    }
    pool->shutdown();
    struct never : pool_job {
        bool ran = false;
    } late;
    late.run = [](pool_job* j) { static_cast<never*>(j)->ran = true; };
    if (pool->submit(&late) || late.ran) return result::fail("a submission after shutdown() was accepted", {}, m);
    return result::pass("exactly once: " + std::to_string(jobs) + " jobs in " + std::to_string(opt.rounds) +
                            " rounds (2 outside submitters, fan-outs of 0-600 per root: deque overflow), on "
                            "workers, refused after shutdown",
                        m);
}

}  // namespace gauntlet::pool_stress
