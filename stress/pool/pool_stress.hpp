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
// Each round begins with a hand-off phase, alone on the pool: a root job
// submits 8 children from inside its worker and then waits (at most 50 ms)
// until another worker has run 2 of them, so that they are stolen from its
// deque (a global queue hands them over under its mutex). In the round's
// traffic a stolen job's stamp is mostly ordered by something else than
// the steal: the owner's own CASes on its deque's top when it overflows
// into the inject queue (16-slot deques) release everything it wrote
// before. In the hand-off phase nothing but the pool's hand-off orders the
// second child's stamp before its read on the thief: a push that does not
// publish (work_stealing.relaxed_push) is a reported race every time.
#pragma once

#include <atomic>
#include <chrono>
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
// The hand-off phase (see the top): "" when it held.
template <class P>
struct handoff {
    static constexpr std::uint32_t kids = 8, stolen_wanted = 2;
    struct job : pool_job {
        handoff* h = nullptr;
        std::uint32_t id = 0;
        std::uint64_t stamp = 0;  // plain: written by the root's thread just before submit
    };
    P* pool = nullptr;
    job root, kid[kids];
    std::atomic<std::thread::id> root_thread{};  // relaxed: no edge
    std::atomic<std::uint32_t> elsewhere{0}, ran[kids + 1], bad{0}, refused{0};
    std::atomic<std::uint64_t> done{0};

    static void run_root(pool_job* pj) {
        handoff& h = *static_cast<job*>(pj)->h;
        h.root_thread.store(std::this_thread::get_id(), std::memory_order_relaxed);
        for (auto& k : h.kid) {
            k.stamp = k.id + 1;
            if (!h.pool->submit(&k)) h.refused.fetch_add(1, std::memory_order_relaxed);
        }
        const auto t0 = std::chrono::steady_clock::now();
        while (h.elsewhere.load(std::memory_order_relaxed) < stolen_wanted &&
               std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(50))
            std::this_thread::yield();
        h.ran[0].fetch_add(1, std::memory_order_relaxed);
        h.done.fetch_add(1, std::memory_order_release);
    }
    static void run_kid(pool_job* pj) {
        job& j = *static_cast<job*>(pj);
        handoff& h = *j.h;
        if (j.stamp != j.id + 1) h.bad.fetch_add(1, std::memory_order_relaxed);  // stale hand-off
        if (pool_thread_slot<native_world>::get().pool != h.pool) h.bad.fetch_add(1, std::memory_order_relaxed);
        else if (std::this_thread::get_id() != h.root_thread.load(std::memory_order_relaxed))
            h.elsewhere.fetch_add(1, std::memory_order_relaxed);
        h.ran[j.id].fetch_add(1, std::memory_order_relaxed);
        h.done.fetch_add(1, std::memory_order_release);
    }
};

template <class P>
std::string run_handoff(P& pool, const options& opt, std::uint64_t& jobs_total) {
    using H = handoff<P>;
    auto h = std::make_unique<H>();
    h->pool = &pool;
    h->root.h = h.get();
    h->root.run = &H::run_root;
    for (std::uint32_t i = 0; i < H::kids; ++i) {
        h->kid[i].h = h.get();
        h->kid[i].id = i + 1;
        h->kid[i].run = &H::run_kid;
    }
    for (auto& r : h->ran) r.store(0, std::memory_order_relaxed);
    if (!pool.submit(&h->root)) return "hand-off phase: the outside submission was refused before shutdown";
    if (!pool_check::wait_for_count(h->done, H::kids + 1, opt.quiet)) {
        const std::uint64_t d = h->done.load();
        (void)h.release();  // the pool's workers may still hold its jobs: never freed
        return "stranded: hand-off phase: " + std::to_string(H::kids + 1 - d) + " of " +
               std::to_string(H::kids + 1) + " jobs not run " + std::to_string(opt.quiet) +
               " s after the last progress";
    }
    pool.drain();
    jobs_total += H::kids + 1;
    for (std::uint32_t i = 0; i <= H::kids; ++i)
        if (h->ran[i].load() != 1)
            return "hand-off phase: job " + std::to_string(i) + " ran " + std::to_string(h->ran[i].load()) + " times";
    if (h->bad.load()) return "hand-off phase: " + std::to_string(h->bad.load()) + " jobs ran off a worker or saw a stale stamp";
    if (h->refused.load()) return "hand-off phase: " + std::to_string(h->refused.load()) + " inside submissions refused";
    return {};
}

template <class P>
std::string run_round(P& pool, std::mt19937_64& rng, const options& opt, std::uint64_t& jobs_total,
                  std::uint64_t& plan_hash) {
    if (std::string why = run_handoff(pool, opt, jobs_total); !why.empty()) return why;
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
