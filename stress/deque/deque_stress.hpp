// Stress check "stress" (native build) and "tsan" (the clang ThreadSanitizer
// build) for every deque in the catalogue: the owner pushing and popping while
// one or two thieves steal, real threads, whole-run invariants.
//
// Per entry, in its own forked child (check_program), `rounds` rounds
// alternating 1 and 2 thieves. The first round runs at capacity 2 (a growable
// deque resizes within its first pushes, a bounded one is full on every
// third), later ones at a capacity drawn from the entry's seed (2, 4 or 16).
// The owner pushes the values 1..N in bursts of 1-16 and after each burst
// pops 0..burst items (drawn from the seed: the plan, whose hash is in the
// record); a refused push (bounded, full) is followed by one pop and
// retried. When every value is pushed the owner pops until the deque reports
// empty, then raises `done`. Until the first steal of the round succeeds, the
// owner yields after each burst. Thieves steal in a loop (yielding every 64
// failed attempts) until `done`. After the join, anything left is drained.
// A last round, the duel, is the store-buffering race at the last two items,
// run as a litmus test: `duel` times (or until `duel_seconds`), the owner
// pushes two items and opens a spin barrier; the thief, once it sees the
// barrier open (a cache miss later), spins 0-63 steps and steals twice; the
// owner spins 0-1023 steps and pops once, then drains what is left. The
// random spins sweep the two sides' offsets across the thief's lag (with
// 0-63 on both sides the owner's pop mostly ended before the thief left the
// barrier: chase_lev.no_take_fence was caught in 6 of 10 runs of the duel
// alone, 10 of 10 with 0-1023). The race
// it aims at is the one the model traces for a missing fence: the thief's
// first steal takes item 1, the owner's pop lowers bottom and reads a stale
// top (its store still in the store buffer), taking item 2 without a CAS,
// and the thief's second steal reads that stale bottom and takes item 2 as
// well. The random rounds meet it only when a burst's pops happen to empty
// the deque while a thief steals twice in a row.
// Stuck rounds. A duplicate can leave top above bottom; the published port's
// next resize then copies with size_t indices towards 2^64. A round still
// running after max(2 s, 10 times the slowest earlier round) (for the duel
// plus its --duel-seconds), or after 3 s for the first (10 s under TSan;
// every entry's first round takes well under 1 s), is a failure named by
// the round (primitives/harness/watchdog.hpp), instead of the harness's
// kill at --timeout.
// Invariants:
//   * every value 1..N is returned exactly once by a pop or a steal (no loss,
//     no duplicate), and nothing else is returned (0 is a cell no push
//     wrote); the sum taken equals N(N+1)/2;
//   * per thief, steals return values in increasing order: a steal takes the
//     oldest item, and the owner pushes in increasing order, so one thief's
//     successive steals cannot go backwards (an owner's pop takes the newest,
//     so the owner's own sequence is not ordered);
//   * after `done` the deque is empty (pop false, steal not success).
//
// ThreadSanitizer. The same body runs under TSan with fewer items and is
// judged against E::expected.tsan. TSan ignores atomic_thread_fence and does
// not model store buffering: what it reports is a data race on plain or
// World::var data (natively plain) whose happens-before edge is missing from
// the atomics' orders (for the Chase–Lev deques: the array's size read by a
// thief without the release publication of the array; for mutex_deque: a
// cell touched outside the lock). It cannot report a missing seq_cst fence:
// that defect is a duplicate item, not a race, which only the exactly-once
// judge (here, by chance on this hardware) or the model decides. The
// Chase–Lev sources make every data hand-off a release/acquire pair on an
// atomic, not a fence (chase_lev.hpp), so the TSan build raises no report on
// a correct entry; the published port's push uses the paper's release fence,
// which TSan does not see, but its cells are atomics, so it raises no false
// report either. The flags below (`go`, `done`, `first_steal`) are relaxed on both sides, so they
// add no edge that could hide a missing one.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "primitives/deque/catalogue.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/harness/watchdog.hpp"
#include "primitives/native_world.hpp"

namespace gauntlet::deque_stress {

using item = std::uint64_t;

struct options {
    std::uint64_t items = 500000;  // values pushed per round
    int rounds = 8;
    std::uint64_t duel = 100000;  // iterations of the duel at most (0: none)
    double duel_seconds = 0.5;    // and for this long at most
    double first_round_seconds = 3;  // the stuck-round limit of round 0 (later ones: from the rounds before)
};

struct round_plan {
    std::size_t capacity;
    unsigned thieves;
    std::uint64_t seed;  // the owner's bursts
};

// Spins `steps` relaxed loads of a local: a delay of a few nanoseconds each.
inline void spin_steps(unsigned steps) {
    std::atomic<unsigned> sink{0};
    for (unsigned i = 0; i < steps; ++i) (void)sink.load(std::memory_order_relaxed);
}

// The duel (see the top of this file): `n` iterations of two items; returns
// the first violation, or empty. Flags and barrier are relaxed on both sides
// (no edge the deque's own orders do not provide).
template <class D>
std::string duel_round(std::uint64_t n, double seconds, std::uint64_t seed, std::uint64_t& steals,
                       std::uint64_t& ran) {
    D d(16);
    constexpr std::uint64_t stop = ~std::uint64_t{0};  // `started` once the owner is done
    std::atomic<std::uint64_t> started{0}, finished{0};
    std::vector<item> by_thief;  // values, in order
    by_thief.reserve(2 * n);
    std::thread thief([&] {
        std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ull);
        for (std::uint64_t k = 1; k <= n; ++k) {
            std::uint64_t go = 0;
            for (unsigned spins = 0; (go = started.load(std::memory_order_relaxed)) < k;)
                if (++spins % 4096 == 0) std::this_thread::yield();
            if (go == stop) return;
            spin_steps(static_cast<unsigned>(rng() % 64));
            for (int i = 0; i < 2; ++i) {
                item v = 0;
                if (d.steal(v) == steal_status::success) by_thief.push_back(v);
            }
            finished.store(k, std::memory_order_relaxed);
        }
    });
    std::mt19937_64 rng(seed);
    std::vector<item> by_owner;
    by_owner.reserve(2 * n);
    std::string bad;
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    ran = 0;
    for (std::uint64_t k = 1; k <= n && bad.empty(); ++k) {
        if (k % 256 == 0 && std::chrono::steady_clock::now() > until) break;  // out of time
        if (!d.push(2 * k - 1) || !d.push(2 * k)) {
            bad = "a push into an empty deque of capacity 16 was refused";
            break;
        }
        started.store(k, std::memory_order_relaxed);
        spin_steps(static_cast<unsigned>(rng() % 1024));
        item v = 0;
        if (d.pop(v)) by_owner.push_back(v);
        for (unsigned spins = 0; finished.load(std::memory_order_relaxed) < k;)
            if (++spins % 4096 == 0) std::this_thread::yield();
        // Drain; more than two out of this iteration means a duplicate.
        for (int i = 0; i < 3 && d.pop(v); ++i) by_owner.push_back(v);
        ran = k;
    }
    started.store(stop, std::memory_order_relaxed);  // the thief is waiting for iteration ran + 1
    thief.join();
    steals += by_thief.size();
    if (!bad.empty()) return bad;
    n = ran;
    std::vector<std::uint8_t> count(2 * n + 1, 0);
    for (item v : by_owner) {
        if (v == 0 || v > 2 * n) return "the owner's pop returned " + std::to_string(v) + ", never pushed";
        if (++count[v] > 1) return "the owner's pop returned " + std::to_string(v) + " a second time (duplicate)";
    }
    for (item v : by_thief) {
        if (v == 0 || v > 2 * n) return "thief 0's steal returned " + std::to_string(v) + ", never pushed";
        if (++count[v] > 1) return "thief 0's steal returned " + std::to_string(v) + " a second time (duplicate)";
    }
    for (item v = 1; v <= 2 * n; ++v)
        if (count[v] == 0) return "value " + std::to_string(v) + " was pushed and never returned (lost)";
    return {};
}

template <class D>
std::string stress_round(const round_plan& plan, std::uint64_t n, std::uint64_t& steals) {
    D d(plan.capacity);
    std::atomic<bool> done{false}, go{false}, first_steal{false};
    std::atomic<unsigned> ready{0};
    std::vector<std::vector<item>> stolen(plan.thieves);
    std::vector<item> popped;
    std::vector<std::thread> thieves;
    for (unsigned i = 0; i < plan.thieves; ++i)
        thieves.emplace_back([&, i] {
            std::vector<item>& mine = stolen[i];
            mine.reserve(n / 2);
            ready.fetch_add(1, std::memory_order_relaxed);
            while (!go.load(std::memory_order_relaxed)) std::this_thread::yield();
            unsigned misses = 0;
            while (!done.load(std::memory_order_relaxed)) {
                item v = 0;
                if (d.steal(v) == steal_status::success) {
                    if (mine.empty()) first_steal.store(true, std::memory_order_relaxed);
                    mine.push_back(v);
                    misses = 0;
                } else if (++misses % 64 == 0) {
                    std::this_thread::yield();
                }
            }
        });
    while (ready.load(std::memory_order_relaxed) < plan.thieves) std::this_thread::yield();
    go.store(true, std::memory_order_relaxed);
    {
        std::mt19937_64 rng(plan.seed);
        popped.reserve(n);
        item next = 1;
        while (next <= n) {
            const unsigned burst = 1 + static_cast<unsigned>(rng() % 16);
            for (unsigned k = 0; k < burst && next <= n; ++k) {
                while (!d.push(next) && popped.size() <= n) {  // bounded and full: make room
                    item v = 0;
                    if (d.pop(v)) popped.push_back(v);
                }
                ++next;
            }
            // Until a thief's first steal succeeds the owner yields after
            // each burst: with three threads on two cores (and under TSan)
            // the owner alone would otherwise push and pop everything before
            // a thief is scheduled.
            if (!first_steal.load(std::memory_order_relaxed)) std::this_thread::yield();
            const unsigned pops = static_cast<unsigned>(rng() % (burst + 1));
            for (unsigned k = 0; k < pops; ++k) {
                item v = 0;
                if (d.pop(v)) popped.push_back(v);
            }
        }
        // More than n items out means duplicates (the judge below names
        // one): the bound keeps a broken deque that never reports empty
        // from spinning here until the harness's timeout.
        item v = 0;
        while (popped.size() <= n && d.pop(v)) popped.push_back(v);
    }
    done.store(true, std::memory_order_relaxed);
    for (auto& t : thieves) t.join();

    std::string left;
    {
        item v = 0;
        std::vector<item> rest;
        while (rest.size() <= n && d.pop(v)) rest.push_back(v);
        while (rest.size() <= n && d.steal(v) == steal_status::success) rest.push_back(v);
        if (!rest.empty()) left = std::to_string(rest.size()) + " items left after the owner's drain reported empty";
        popped.insert(popped.end(), rest.begin(), rest.end());
    }
    std::vector<std::uint8_t> count(n + 1, 0);
    std::uint64_t total = 0;
    auto note = [&](item v, const char* who) -> std::string {
        if (v == 0 || v > n) return std::string(who) + " returned " + std::to_string(v) + ", never pushed";
        if (++count[v] > 1) return std::string(who) + " returned " + std::to_string(v) + " a second time (duplicate)";
        total += v;
        return {};
    };
    for (item v : popped)
        if (auto e = note(v, "the owner's pop"); !e.empty()) return e;
    for (unsigned i = 0; i < plan.thieves; ++i) steals += stolen[i].size();
    for (unsigned i = 0; i < plan.thieves; ++i) {
        item last = 0;
        for (item v : stolen[i]) {
            if (auto e = note(v, ("thief " + std::to_string(i) + "'s steal").c_str()); !e.empty()) return e;
            if (v < last)
                return "thief " + std::to_string(i) + " stole " + std::to_string(v) + " after " + std::to_string(last) +
                       ": steals went backwards (not the oldest item)";
            last = v;
        }
    }
    for (item v = 1; v <= n; ++v)
        if (count[v] == 0) return "value " + std::to_string(v) + " was pushed and never returned (lost)";
    if (total != n * (n + 1) / 2) return "sum taken differs from sum pushed";
    return left;  // items found after "empty": the drain lied
}

template <class E>
result check_entry(const options& opt, const entry_context& ctx) {
    using D = typename E::template type<native_world>;
    std::mt19937_64 rng(ctx.seed);
    constexpr std::size_t capacities[] = {2, 4, 16};
    std::vector<round_plan> plans;
    std::uint64_t plan_hash = 1469598103934665603ull;
    for (int i = 0; i < opt.rounds; ++i) {
        round_plan p{i == 0 ? 2 : capacities[rng() % 3], 1u + static_cast<unsigned>(i % 2), rng()};
        plan_hash = (plan_hash ^ p.capacity ^ (std::uint64_t{p.thieves} << 8) ^ p.seed) * 1099511628211ull;
        plans.push_back(p);
    }
    const std::uint64_t duel_seed = rng();
    plan_hash = (plan_hash ^ duel_seed ^ opt.duel) * 1099511628211ull;
    plan_hash = (plan_hash ^ opt.items) * 1099511628211ull;
    json m;
    m["rounds"] = opt.rounds;
    m["duel_iterations"] = opt.duel;
    m["items_per_round"] = opt.items;
    m["plan_hash"] = std::to_string(plan_hash);
    std::string what = std::to_string(opt.rounds) + " rounds of " + std::to_string(opt.items) +
                       " items, 1 and 2 thieves alternating, capacities";
    for (std::size_t i = 0; i < plans.size(); ++i) {
        what += i ? "," : " ";
        what += std::to_string(plans[i].capacity);
    }
    char duel_limit[32];
    std::snprintf(duel_limit, sizeof duel_limit, "%.1f s", opt.duel_seconds);
    what += "; then a duel of up to " + std::to_string(opt.duel) + " two-item races or " + duel_limit + " (1 thief)";
    std::uint64_t steals = 0;
    double slowest = 0;  // seconds, of the rounds so far
    std::uint64_t duel_ran = 0;
    auto round_name = [&](std::size_t i) {
        return i == plans.size() ? std::string("the duel (1 thief, capacity 16)")
                                 : "round " + std::to_string(i) + " (" + std::to_string(plans[i].thieves) +
                                       " thieves, capacity " + std::to_string(plans[i].capacity) + ")";
    };
    for (std::size_t i = 0; i <= plans.size(); ++i) {  // i == plans.size(): the duel
        if (i == plans.size() && opt.duel == 0) break;
        const auto t0 = std::chrono::steady_clock::now();
        auto run_round = [&] {
            return i < plans.size() ? stress_round<D>(plans[i], opt.items, steals)
                                    : duel_round<D>(opt.duel, opt.duel_seconds, duel_seed, steals, duel_ran);
        };
        std::string v;
        {
            const bool duel = i == plans.size();
            const double deadline = i == 0 ? opt.first_round_seconds
                                           : std::max(2.0, 10 * slowest) + (duel ? opt.duel_seconds : 0.0);
            const char* limit = i == 0  ? " (the first round's limit)"
                                : duel ? " (10 times the slowest earlier round, at least 2 s, plus --duel-seconds)"
                                       : " (10 times the slowest earlier round, at least 2 s)";
            phase_watchdog guard(deadline, [&, i, deadline, limit] {
                char secs[32];
                std::snprintf(secs, sizeof secs, "%.1f s", deadline);
                json mm = m;
                mm["failed_round"] = i;
                mm["stuck_after_seconds"] = deadline;
                return result::fail(round_name(i) + ": still running after " + secs + limit +
                                        ": a pop, push or "
                                        "steal is stuck; a duplicate that leaves top above bottom sends a "
                                        "size_t resize copy towards 2^64 (" + what + ")",
                                    {}, mm);
            });
            v = run_round();
        }
        slowest = std::max(slowest, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        m["items_stolen"] = steals;
        if (i == plans.size()) m["duel_iterations_run"] = duel_ran;
        if (!v.empty()) {
            m["failed_round"] = i;
            return result::fail(round_name(i) + ": " + v + " (" + what + ")", {}, m);
        }
    }
    return result::pass("exactly once, steals in order: " + what + "; " + std::to_string(steals) + " items stolen; " +
                            std::to_string(duel_ran) + " duel races run", m);
}

}  // namespace gauntlet::deque_stress
