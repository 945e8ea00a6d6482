// stress check, lifecycle: real threads, many randomized rounds per entry.
//
// A round: start(); two workers loop try_enter/exit (each admitted unit
// marks itself in flight, writes its own slot, plain data, and clears the
// mark before exit()); a waiter parks in wait_closed(); the main thread
// drains after a random delay. Whole-round invariants:
//  * no worker is admitted after it observed DRAINING or later;
//  * every state a thread observes is >= the one it observed before;
//  * when the close hook runs, no admitted unit is still in flight, and no
//    admitted unit observes CLOSED before its exit() (the hook ran before it
//    finished: the in-flight mark would have been set too late to be seen);
//  * once every worker has joined, the state is CLOSED (liveness), the close
//    hook ran exactly once, and the waiter returns within 2 s (a parked
//    waiter is a lost wake-up, reported as such, not left to the harness's
//    timeout).
// Each entry runs at most --rounds rounds and at most --seconds seconds.
// The hook reads every slot, so under ThreadSanitizer a unit whose work does
// not happen-before the close is a race report.
//
// Replay: each round's plan (how many late attempts each worker makes after
// DRAINING, the drain delay) derives from the entry's seed; the plan hash in
// the record is the same for the same --seed. The interleaving of real
// threads is not reproducible: a replay repeats the plan, not the schedule.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "primitives/harness/check_program.hpp"
#include "primitives/lifecycle/catalogue.hpp"
#include "primitives/native_world.hpp"

namespace gauntlet::lifecycle_stress {

struct options {
    int rounds = 1500;
    double seconds = 3.0;  // per entry: passing entries end here (about 150 rounds natively)
};

constexpr std::chrono::seconds waiter_limit{2};  // from CLOSED until wait_closed() must have returned
constexpr int worker_count = 2;  // + drainer + parked waiter: no more runnable threads than fit 2 cores

template <class L>
result run_rounds(const options& opt, std::uint64_t seed) {
    const auto t0 = std::chrono::steady_clock::now();
    std::uint64_t plan_hash = 1469598103934665603ull;
    auto plan = [&](std::uint64_t v) { plan_hash = (plan_hash ^ v) * 1099511628211ull; };
    int round = 0;
    for (; round < opt.rounds; ++round) {
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > opt.seconds) break;
        std::mt19937_64 rng(entry_seed(seed, std::to_string(round)));
        // Workers keep entering until they observe DRAINING, then try a few
        // more times, so every drain lands among racing admissions.
        const int after_drain = static_cast<int>(rng() % 16);
        const int drain_delay = static_cast<int>(rng() % 2000);
        plan(static_cast<std::uint64_t>(after_drain));
        plan(static_cast<std::uint64_t>(drain_delay));

        // Heap-held: a failing round leaves the waiter parked and returns
        // without joining it, so what it parks on must outlive the round.
        // The units' work goes to a heap buffer that the close hook
        // releases, as the contract allows ("it may release what the units
        // used"): a unit still working after the close writes freed memory,
        // and a second close frees it twice, which AddressSanitizer names.
        struct shared {
            int* slot = new int[worker_count]();
            std::atomic<int> in_flight[worker_count] = {};
            std::atomic<int> closes{0};
            std::atomic<int> violations{0};
            char what[160] = {};
        };
        auto sh_owner = std::make_unique<shared>();
        shared& sh = *sh_owner;
        auto violation = [&](const char* what) {
            if (sh.violations.fetch_add(1) == 0) std::snprintf(sh.what, sizeof sh.what, "%s", what);
        };
        auto life_owner = std::make_unique<L>(close_hook{[](void* c) {
                                                    auto* s = static_cast<shared*>(c);
                                                    int sum = 0;
                                                    for (int i = 0; i < worker_count; ++i) sum += s->slot[i];  // the units' work
                                                    for (auto& f : s->in_flight)
                                                        if (f.load(std::memory_order_seq_cst) != 0 &&
                                                            s->violations.fetch_add(1) == 0)
                                                            std::snprintf(s->what, sizeof s->what,
                                                                          "the close hook ran while an admitted unit "
                                                                          "was in flight (slot sum %d)",
                                                                          sum);
                                                    s->closes.fetch_add(1, std::memory_order_relaxed);
                                                    delete[] s->slot;  // released: left dangling, as a service would
                                                },
                                                &sh});
        L& life = *life_owner;
        if (!life.start()) violation("start() from INIT returned false");

        std::atomic<bool> go{false};
        std::atomic<int> running{0};  // workers past their first attempt
        std::vector<std::thread> workers;
        for (int w = 0; w < worker_count; ++w) {
            workers.emplace_back([&, w] {
                while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
                lifecycle_state last = lifecycle_state::init;
                bool counted = false;
                for (int late = 0; late <= after_drain;) {
                    const lifecycle_state seen = life.state();
                    if (seen < last) violation("a state went backwards");
                    last = seen;
                    if (seen >= lifecycle_state::draining) ++late;
                    const bool admitted = life.try_enter();
                    if (admitted && seen >= lifecycle_state::draining)
                        violation("admitted after DRAINING was observed");
                    if (admitted) {
                        // The mark is a seq_cst store (xchg on x86-64) and every closer
                        // reaches the hook through a locked RMW: both are full barriers, so of
                        // the mark and the close, the later one sees the other: a hook that
                        // overlaps this unit sees the mark, or this unit sees CLOSED.
                        sh.in_flight[w].store(1, std::memory_order_seq_cst);
                        if (life.state() == lifecycle_state::closed)
                            violation("an admitted unit observed CLOSED before its exit()");
                        sh.slot[w] = sh.slot[w] + 1;
                        sh.in_flight[w].store(0, std::memory_order_relaxed);
                        life.exit();
                    }
                    if (late == 0 && last == lifecycle_state::running && !counted) {
                        counted = true;
                        running.fetch_add(1, std::memory_order_relaxed);
                    }
                }
            });
        }
        std::atomic<bool> waiter_done{false};
        std::thread waiter([&] {
            life.wait_closed();
            if (life.state() != lifecycle_state::closed) violation("wait_closed() returned before CLOSED");
            waiter_done.store(true);
        });
        go.store(true, std::memory_order_release);
        // Drain only once every worker is looping, after a random delay.
        while (running.load(std::memory_order_relaxed) < worker_count) std::this_thread::yield();
        for (int i = 0; i < drain_delay; ++i) native_world::spin_hint();
        if (!life.drain()) violation("drain() from RUNNING returned false");
        for (auto& t : workers) t.join();

        if (life.state() != lifecycle_state::closed)
            violation("liveness: every worker has exited after drain() but the state is not CLOSED");
        else if (sh.closes.load() != 1)
            violation("the close hook did not run exactly once");
        else {
            // CLOSED: the waiter must return (a lost wake-up leaves it parked)
            const auto t_closed = std::chrono::steady_clock::now();
            while (!waiter_done.load() && std::chrono::steady_clock::now() - t_closed < waiter_limit)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            if (!waiter_done.load())
                violation("liveness: the state is CLOSED but wait_closed() has not returned within 2 s "
                          "(lost wake-up)");
        }
        if (sh.violations.load() != 0) {
            const std::string what = "round " + std::to_string(round) + ": " + sh.what + " (state " +
                                     std::string(to_string(life.state())) + ", closes " +
                                     std::to_string(sh.closes.load()) + ")";
            if (sh.closes.load() == 0) delete[] sh.slot;  // no close released it
            if (waiter_done.load()) {
                waiter.join();
            } else {  // parked forever: leave it parked on a lifecycle that stays valid
                waiter.detach();
                (void)life_owner.release();
            }
            json m;
            m["rounds"] = round + 1;
            m["plan_hash"] = std::to_string(plan_hash);
            return result::fail(what, {}, m);
        }
        waiter.join();
    }
    json m;
    m["rounds"] = round;
    m["plan_hash"] = std::to_string(plan_hash);
    return result::pass(std::to_string(round) + " rounds, no violation (plan hash " + std::to_string(plan_hash) + ")",
                        m);
}

// One entry's stress verdict (the body of lifecycle_stress and of the
// stress part of lifecycle_asan).
template <class E>
result check_entry(const options& opt, const entry_context& ctx) {
    return run_rounds<typename E::template type<native_world>>(opt, ctx.seed);
}

}  // namespace gauntlet::lifecycle_stress
