// Stress check "stress" (native build) and "tsan" (the clang
// ThreadSanitizer build) for every priority queue in the catalogue: one or
// two producers pushing while the consumer pops, real threads, whole-run
// judgement of the recorded history.
//
// Per entry, in its own forked child (check_program), `rounds` rounds
// alternating 1 and 2 producers. Producer p pushes `items` items whose
// priorities (0..15) come from the round's seed (the plan, whose hash is in
// the record), in bursts of 1..32 with a yield between bursts, then flushes.
// Every push is timed: the clock (steady_clock, one monotonic clock for all
// threads) read just before the call (invocation) and just after it returns
// (response). The consumer pops until it has taken every item, timing each
// try_pop the same way, a failed one included, and after each item taken
// does the task's work (drawn from the round's seed): 0..15 pause steps, and
// after one item in 256 a sleep of 50 us, during which the queue builds a
// backlog, so pops have items to choose from. It stops when it has taken as
// many items as were pushed (a duplicate then shows, and so does the item it
// displaced), after 64 x that many calls, or when every producer has flushed
// and 2000 pops in a row found nothing. Failed pops are kept in the record
// of calls while it holds fewer than 16 x the items, later only the first
// of each run of them.
//
// The judge:
//   * exactly once: every item returned by exactly one pop, nothing else
//     returned;
//   * empty: a pop that reports empty while an item is certainly present
//     (its push returned before the pop began, and it is popped later)
//     breaks every entry's promise;
//   * per-producer order among equal priorities, for entries that promise it
//     (fifo_among_equal): one producer pushes a before b, so a pop of b
//     before a pop of a of the same priority is wrong in every linearization;
//   * rank error, against the linearizations of the history. The consumer's
//     pops are one thread's, so their order is fixed; a push is linearized
//     somewhere between its invocation and its response. An item y counts
//     towards pop k's *certain* rank when y has a higher priority than the
//     item k returned, y's push returned before k was invoked, and y is
//     popped after k (or never): y is present at k in every linearization.
//     That count is a lower bound on the rank error under every
//     linearization; a strict entry must show 0 at every pop, and a relaxed
//     entry with a bound at most the bound, else it fails with the pop and
//     the item as evidence. The *possible* rank counts the items whose push
//     was invoked before pop k returned (popped after k): an upper bound. Both
//     distributions (mean, p50, p99, max, share of pops at 0) are in the
//     record, per check run, over every round.
//
// ThreadSanitizer: the same body with fewer items, judged against
// E::expected.tsan. TSan reports a race on plain data (a node's item, a
// run's cells) whose release publication is missing. The harness's flags
// (`go`, the producers' `finished` count) are relaxed, so they add no
// happens-before edge that could hide a missing one.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "primitives/pq/catalogue.hpp"

namespace gauntlet::pq_stress {

constexpr std::uint32_t priorities = 16;

struct options {
    std::uint64_t items = 20000;  // per producer per round
    int rounds = 4;
};

inline std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct pop_record {
    std::int64_t inv, resp;
    bool got;
    pq_item item;
};

// Rank-error distribution of one run (certain or possible).
struct distribution {
    std::vector<std::uint32_t> ranks;
    json summary() {
        std::sort(ranks.begin(), ranks.end());
        json m;
        const std::size_t n = ranks.size();
        double sum = 0;
        std::size_t zero = 0;
        for (auto r : ranks) {
            sum += r;
            zero += r == 0;
        }
        m["pops"] = n;
        m["mean"] = n ? sum / static_cast<double>(n) : 0.0;
        m["p50"] = n ? ranks[n / 2] : 0;
        m["p99"] = n ? ranks[n * 99 / 100] : 0;
        m["max"] = n ? ranks.back() : 0;
        m["exact_share"] = n ? static_cast<double>(zero) / static_cast<double>(n) : 1.0;
        return m;
    }
};

inline std::string show(const pq_item& v) {
    return "priority " + std::to_string(v.priority) + ", p" + std::to_string(v.payload >> 32) + " #" +
           std::to_string(v.payload & 0xffffffffu);
}

template <class Q>
std::string stress_round(const pq_traits& traits, unsigned producers, std::uint64_t n, std::uint64_t seed,
                         distribution& certain, distribution& possible, std::uint64_t& empty_pops) {
    Q q(producers);
    std::vector<std::vector<std::uint32_t>> prio(producers);
    std::vector<std::vector<std::int64_t>> push_inv(producers), push_resp(producers);
    for (unsigned p = 0; p < producers; ++p) {
        std::mt19937_64 rng(seed + p);
        prio[p].resize(n);
        for (auto& x : prio[p]) x = static_cast<std::uint32_t>(rng() % priorities);
        push_inv[p].resize(n);
        push_resp[p].resize(n);
    }
    std::atomic<bool> go{false};
    std::atomic<unsigned> finished{0};
    std::vector<std::thread> threads;
    for (unsigned p = 0; p < producers; ++p)
        threads.emplace_back([&, p] {
            std::mt19937_64 rng(seed ^ (0x51ed27u + p));
            while (!go.load(std::memory_order_relaxed)) std::this_thread::yield();
            std::uint64_t i = 0;
            while (i < n) {
                const std::uint64_t burst = 1 + rng() % 32;
                for (std::uint64_t k = 0; k < burst && i < n; ++k, ++i) {
                    const pq_item v{prio[p][i], (std::uint64_t{p} << 32) | i};
                    push_inv[p][i] = now_ns();
                    q.push(p, v);
                    push_resp[p][i] = now_ns();
                }
                std::this_thread::yield();
            }
            q.flush(p);
            finished.fetch_add(1, std::memory_order_relaxed);
        });
    const std::uint64_t total = n * producers;
    std::vector<pop_record> pops;
    pops.reserve(total * 2);
    go.store(true, std::memory_order_relaxed);
    {
        std::mt19937_64 work(seed ^ 0xc0ffeeu);
        std::uint64_t got = 0, misses = 0;
        while (got < total && pops.size() < 64 * total) {
            pop_record r{};
            r.inv = now_ns();
            r.got = q.try_pop(r.item);
            r.resp = now_ns();
            if (r.got) {
                ++got;
                misses = 0;
                pops.push_back(r);
                // the task's work: mostly short; one in 256 sleeps (the producers
                // run even when the machine gives the three threads one core,
                // and a backlog builds)
                const std::uint64_t w = work();
                if ((w & 255) == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
                for (std::uint64_t k = (w >> 8) % 16; k > 0; --k) native_world::spin_hint();
            } else {
                if (pops.empty() || pops.back().got || pops.size() < 16 * total) pops.push_back(r);
                if (finished.load(std::memory_order_relaxed) == producers && ++misses > 2000) break;
                std::this_thread::yield();
            }
        }
    }
    for (auto& t : threads) t.join();

    // exactly once
    std::vector<std::int64_t> popped_at(total, -1);
    for (std::size_t k = 0; k < pops.size(); ++k) {
        if (!pops[k].got) {
            ++empty_pops;
            continue;
        }
        const pq_item& v = pops[k].item;
        const std::uint64_t p = v.payload >> 32, i = v.payload & 0xffffffffu;
        if (p >= producers || i >= n || prio[p][i] != v.priority)
            return "pop " + std::to_string(k) + " returned (" + show(v) + "), never pushed";
        if (popped_at[p * n + i] >= 0)
            return "pop " + std::to_string(k) + " returned (" + show(v) + ") a second time (duplicate)";
        popped_at[p * n + i] = static_cast<std::int64_t>(k);
    }
    for (std::uint64_t x = 0; x < total; ++x)
        if (popped_at[x] < 0)
            return "item (priority " + std::to_string(prio[x / n][x % n]) + ", p" + std::to_string(x / n) + " #" +
                   std::to_string(x % n) + ") was pushed and never returned (lost)";

    // per-producer order among equal priorities
    if (traits.fifo_among_equal) {
        std::vector<std::int64_t> last(producers * priorities, -1);
        for (std::size_t k = 0; k < pops.size(); ++k) {
            if (!pops[k].got) continue;
            const pq_item& v = pops[k].item;
            auto& l = last[(v.payload >> 32) * priorities + v.priority];
            const std::int64_t i = static_cast<std::int64_t>(v.payload & 0xffffffffu);
            if (i < l)
                return "pop " + std::to_string(k) + " returned (" + show(v) + ") after #" + std::to_string(l) +
                       " of the same producer and priority, which was pushed later";
            l = i;
        }
    }

    // rank error: two sweeps over the pops in order, items entering the
    // count when their push returned before the pop's invocation (certain)
    // or was invoked before the pop's response (possible), leaving it when
    // popped.
    std::vector<std::uint64_t> by_resp(total), by_inv(total);
    for (std::uint64_t x = 0; x < total; ++x) by_resp[x] = by_inv[x] = x;
    auto inv_of = [&](std::uint64_t x) { return push_inv[x / n][x % n]; };
    auto resp_of = [&](std::uint64_t x) { return push_resp[x / n][x % n]; };
    std::sort(by_resp.begin(), by_resp.end(), [&](auto a, auto b) { return resp_of(a) < resp_of(b); });
    std::sort(by_inv.begin(), by_inv.end(), [&](auto a, auto b) { return inv_of(a) < inv_of(b); });
    std::uint32_t cnt_c[priorities] = {}, cnt_p[priorities] = {};
    std::vector<std::uint8_t> in_c(total, 0), in_p(total, 0);
    std::size_t ic = 0, ip = 0;
    std::string broken;
    for (std::size_t k = 0; k < pops.size(); ++k) {
        const pop_record& r = pops[k];
        for (; ic < total && resp_of(by_resp[ic]) < r.inv; ++ic) {
            const std::uint64_t y = by_resp[ic];
            if (popped_at[y] >= static_cast<std::int64_t>(k)) {
                in_c[y] = 1;
                ++cnt_c[prio[y / n][y % n]];
            }
        }
        for (; ip < total && inv_of(by_inv[ip]) < r.resp; ++ip) {
            const std::uint64_t y = by_inv[ip];
            if (popped_at[y] >= static_cast<std::int64_t>(k)) {
                in_p[y] = 1;
                ++cnt_p[prio[y / n][y % n]];
            }
        }
        if (!r.got) {
            std::uint32_t present = 0;
            for (auto c : cnt_c) present += c;
            if (present > 0 && broken.empty())
                broken = "pop " + std::to_string(k) + " reported empty while " + std::to_string(present) +
                         " items whose pushes had returned before it began were popped later";
            continue;
        }
        const std::uint32_t pr = r.item.priority;
        std::uint32_t rc = 0, rp = 0;
        for (std::uint32_t h = pr + 1; h < priorities; ++h) {
            rc += cnt_c[h];
            rp += cnt_p[h];
        }
        certain.ranks.push_back(rc);
        possible.ranks.push_back(rp);
        if (broken.empty() && rc > 0 &&
            (traits.order == pq_order::strict || (traits.rank_bound != no_bound && rc > traits.rank_bound))) {
            // name one witness: a higher item certainly present
            std::string witness;
            for (std::uint64_t y = 0; y < total && witness.empty(); ++y)
                if (in_c[y] && popped_at[y] > static_cast<std::int64_t>(k) && prio[y / n][y % n] > pr)
                    witness = "(priority " + std::to_string(prio[y / n][y % n]) + ", p" + std::to_string(y / n) +
                              " #" + std::to_string(y % n) + "), its push returned " +
                              std::to_string(r.inv - resp_of(y)) + " ns before the pop began, popped at pop " +
                              std::to_string(popped_at[y]);
            broken = "pop " + std::to_string(k) + " returned (" + show(r.item) + ") with " + std::to_string(rc) +
                     " higher items certainly present, e.g. " + witness;
        }
        const std::uint64_t x = (r.item.payload >> 32) * n + (r.item.payload & 0xffffffffu);
        if (in_c[x]) --cnt_c[pr];
        if (in_p[x]) --cnt_p[pr];
        in_c[x] = in_p[x] = 0;
    }
    return broken;
}

template <class E>
result check_entry(const options& opt, const entry_context& ctx) {
    using Q = typename E::template type<native_world>;
    std::mt19937_64 rng(ctx.seed);
    std::uint64_t plan_hash = 1469598103934665603ull;
    std::vector<std::uint64_t> seeds;
    for (int i = 0; i < opt.rounds; ++i) {
        seeds.push_back(rng());
        plan_hash = (plan_hash ^ seeds.back() ^ static_cast<std::uint64_t>(1 + i % 2)) * 1099511628211ull;
    }
    plan_hash = (plan_hash ^ opt.items) * 1099511628211ull;
    json m;
    m["rounds"] = opt.rounds;
    m["items_per_producer"] = opt.items;
    m["plan_hash"] = std::to_string(plan_hash);
    m["rank_error_method"] =
        "certain: higher items whose push returned before the pop began and popped after it (a lower bound over "
        "every linearization); possible: higher items whose push began before the pop returned (an upper bound)";
    distribution certain, possible;
    std::uint64_t empty_pops = 0;
    const std::string what = std::to_string(opt.rounds) + " rounds of " + std::to_string(opt.items) +
                             " items per producer, 1 and 2 producers alternating";
    std::string broken;
    int failed_round = -1;
    // Every round runs (the distributions cover them all); the first
    // broken rule is the verdict.
    for (int i = 0; i < opt.rounds; ++i) {
        const std::string b = stress_round<Q>(E::traits, 1u + static_cast<unsigned>(i % 2), opt.items, seeds[i],
                                              certain, possible, empty_pops);
        if (!b.empty() && broken.empty()) {
            broken = b;
            failed_round = i;
        }
    }
    json re;
    re["certain"] = certain.summary();
    re["possible"] = possible.summary();
    m["rank_error"] = std::move(re);
    m["empty_pops"] = empty_pops;
    if (!broken.empty()) {
        m["failed_round"] = failed_round;
        return result::fail("round " + std::to_string(failed_round) + " (" + std::to_string(1 + failed_round % 2) +
                                " producers): " + broken + " (" + what + ")",
                            {}, m);
    }
    const std::string promise = E::traits.order == pq_order::strict ? "strict (certain rank error 0 at every pop)"
                                                                    : "relaxed (rank error recorded)";
    return result::pass("exactly once, " + promise +
                            (E::traits.fifo_among_equal ? ", per-producer order among equal priorities" : "") +
                            ": " + what,
                        m);
}

}  // namespace gauntlet::pq_stress
