// Stress check "stress" (and "tsan" in the ThreadSanitizer build) for every queue in the catalogue: real threads at
// high contention, whole-run invariants.
//
// Per entry, in its own forked child (check_program: a hang, a crash or a
// sanitizer report is that entry's verdict), rounds (2 native and under ASan, 6
// shorter ones under TSan). A bounded queue's first round runs at capacity 2
// (pushes race pops at the bound on every operation), the others at a
// capacity drawn from the entry's seed (4, 16 or 64). Threads follow the
// entry's multiplicity through roles_for (primitives/queues/roles.hpp): a
// multi-producer side gets 3 producers alone or 2 beside several consumers,
// a multi-consumer side 2 consumers. A producer pushes values
// (producer << 40 | sequence) and yields while the queue is full; consumers
// start once the queue holds a head start of items (the capacity, or 1024
// for unbounded queues) and pop until every item is accounted for. Every
// call, successful or not, is stamped before it is made and after it returns
// (op_clock.hpp: RDTSCP, no shared counter; failed calls up to
// `failed_log_limit` per thread). Invariants, over the whole run:
//   * every value is delivered exactly once (no loss, no duplicate, no
//     value that was never pushed); sum of values pushed == sum popped;
//   * per-producer order across consumers, where the entry promises it
//     (linearizable, fifo_per_producer): for items a before b of one
//     producer, b's pop must not return before a's pop was called, whichever
//     consumers popped them;
//   * no spurious full (bounded entries: the contract's "false only when
//     full"): for a try_push F that returned false, at most
//       U = #(successful pushes called before F returned)
//         - #(items certainly popped before F was called)
//     items can be in the queue at any instant of F, whatever the order in
//     which overlapping operations took effect; U < bound is a violation.
//     "Certainly popped": the pop returned before F was called, or (for a
//     linearizable entry) the item's push returned before the push of an
//     item whose pop returned before F was called (FIFO orders their pops);
//   * no spurious empty (linearizable entries): for a try_pop E that
//     returned false, at least
//       L = #(successful pushes that returned before E was called)
//         - #(successful pops called before E returned)
//     items are in the queue at every instant of E; L > 0 is a violation.
// The two bounds are conservative: an operation whose interval overlaps F's
// (E's) is counted on the side that makes a violation harder to claim, so a
// report is a real breach of the contract (given stamps that are ordered in
// real time, which op_clock states), and a queue that is merely slow is
// never blamed.
// Under ThreadSanitizer (the clang build) the same body runs with fewer
// items and is judged against E::expected.tsan.
// Replay: the capacities and every producer's sequence of pushes derive from
// the entry's seed (their hash is in the record); the interleaving of real
// threads is not reproducible.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "primitives/queues/catalogue.hpp"
#include "primitives/queues/op_clock.hpp"

namespace gauntlet::queue_stress {

using item = std::uint64_t;
constexpr unsigned producer_shift = 40;
// Failed calls logged per thread per round (each one is checked for a
// spurious full / empty); later failures are not logged, not judged.
constexpr std::size_t failed_log_limit = std::size_t{1} << 20;
// A round with no successful pop for this long is stopped as stalled.
constexpr std::chrono::seconds stall_limit{5};

constexpr gauntlet::queue_roles shape_for(const gauntlet::queue_traits& t) {
    // 3 producers against one consumer, 2 against several: at most 4 threads.
    return gauntlet::roles_for(t, t.consumers == gauntlet::multiplicity::single ? 3 : 2, 2);
}

struct stamped {
    item value;
    std::uint64_t invoke, response;
};
struct failed_call {
    std::uint64_t invoke, response;
};

struct round_outcome {
    std::string violation;  // empty when every invariant held
    std::uint64_t failed_pushes_judged = 0, failed_pops_judged = 0;
};

// After a failed call. Yielding on every miss keeps a round short when
// there are more threads than cores (a lock holder or a claimant preempted
// while its peers spin would cost a whole time slice per miss; spinning was
// measured 5-10x slower for the mutex queues). The cost: threads tend to
// switch at these yields rather than inside an operation, so a defect that
// needs a preemption inside a few instructions is seldom exercised here.
inline void back_off(unsigned) { std::this_thread::yield(); }

inline std::string stamps(std::uint64_t inv, std::uint64_t resp) {
    return "[" + std::to_string(inv) + "," + std::to_string(resp) + "]";
}

// Count of sorted `xs` strictly below `t`.
inline std::uint64_t below(const std::vector<std::uint64_t>& xs, std::uint64_t t) {
    return static_cast<std::uint64_t>(std::lower_bound(xs.begin(), xs.end(), t) - xs.begin());
}

// One round: the violations found, else an empty `violation`.
template <class Q>
round_outcome stress_round(const gauntlet::queue_traits& traits, std::size_t capacity,
                           std::uint64_t items_per_producer) {
    using gauntlet::op_clock;
    const gauntlet::queue_roles shape = shape_for(traits);
    const bool ordered = traits.order == gauntlet::queue_order::linearizable ||
                         traits.order == gauntlet::queue_order::fifo_per_producer;
    const bool exact_empty = traits.order == gauntlet::queue_order::linearizable;
    Q q(capacity);
    const std::size_t bound = traits.bounded ? gauntlet::bound_in_force(q, capacity) : 0;
    const std::uint64_t total = items_per_producer * shape.producers;
    std::atomic<std::uint64_t> popped{0};
    // Head start: consumers begin only once this many items were pushed, so
    // each round also runs with a long queue (consumers following links or
    // cells written long ago by other threads) and not only near empty.
    // The head start also ends at the first failed push (a queue that reports
    // full early, below the bound, would otherwise never let a consumer
    // start; the spurious-full judge then decides) and when the watchdog
    // stops the round. Relaxed on both sides, so these flags create no
    // happens-before edge that would hide a missing one from ThreadSanitizer.
    std::atomic<std::uint64_t> pushed{0};
    std::atomic<bool> saw_full{false};
    const std::uint64_t head_start = std::min<std::uint64_t>(total, traits.bounded ? capacity : 1024);
    std::atomic<unsigned> ready{0};
    std::atomic<bool> go{false}, stalled{false}, stop{false};
    std::vector<std::vector<stamped>> pushes(shape.producers), pops(shape.consumers);
    std::vector<std::vector<failed_call>> failed_pushes(shape.producers), failed_pops(shape.consumers);
    std::vector<std::thread> threads;
    const unsigned all = shape.producers + shape.consumers;
    auto start_together = [&] {
        ready.fetch_add(1);
        while (!go.load()) std::this_thread::yield();
    };
    for (unsigned p = 0; p < shape.producers; ++p)
        threads.emplace_back([&, p] {
            auto& ok = pushes[p];
            auto& failed = failed_pushes[p];
            ok.reserve(items_per_producer);
            start_together();
            unsigned misses = 0;
            for (std::uint64_t s = 0; s < items_per_producer; ++s) {
                const item v = (item{p} << producer_shift) | s;
                for (;;) {
                    const std::uint64_t inv = op_clock::invoke();
                    const bool done = q.try_push(v);
                    const std::uint64_t resp = op_clock::response();
                    if (done) {
                        ok.push_back({v, inv, resp});
                        break;
                    }
                    if (failed.size() < failed_log_limit) failed.push_back({inv, resp});
                    saw_full.store(true, std::memory_order_relaxed);
                    if (stalled.load(std::memory_order_relaxed) || stop.load(std::memory_order_relaxed)) return;
                    back_off(++misses);
                }
                pushed.fetch_add(1, std::memory_order_relaxed);
            }
        });
    for (unsigned c = 0; c < shape.consumers; ++c)
        threads.emplace_back([&, c] {
            auto& ok = pops[c];
            auto& failed = failed_pops[c];
            ok.reserve(total / shape.consumers + 16);
            start_together();
            while (pushed.load(std::memory_order_relaxed) < head_start && !saw_full.load(std::memory_order_relaxed) &&
                   !stalled.load(std::memory_order_relaxed))
                std::this_thread::yield();
            unsigned misses = 0;
            while (popped.load(std::memory_order_relaxed) < total && !stalled.load(std::memory_order_relaxed)) {
                item v = 0;
                const std::uint64_t inv = op_clock::invoke();
                const bool done = q.try_pop(v);
                const std::uint64_t resp = op_clock::response();
                if (!done) {
                    if (failed.size() < failed_log_limit) failed.push_back({inv, resp});
                    back_off(++misses);
                    continue;
                }
                popped.fetch_add(1, std::memory_order_relaxed);
                ok.push_back({v, inv, resp});
            }
        });
    while (ready.load() < all) std::this_thread::yield();
    go.store(true);
    // Watchdog: a round in which no pop succeeds for `stall_limit` while
    // items are outstanding is stopped and reported (a corrupted count can
    // make a queue report empty forever); the harness's --timeout would
    // also catch it, but only after the whole entry's budget.
    std::uint64_t last = 0;
    auto since = std::chrono::steady_clock::now();
    while (popped.load(std::memory_order_relaxed) < total) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const std::uint64_t now_popped = popped.load(std::memory_order_relaxed);
        if (now_popped != last) {
            last = now_popped;
            since = std::chrono::steady_clock::now();
        } else if (std::chrono::steady_clock::now() - since > stall_limit) {
            stalled.store(true);
            break;
        }
    }
    // Every item is accounted for: a producer still failing to push now
    // faces a queue whose count is corrupted (the exactly-once check below
    // names the duplicate); stop it.
    stop.store(true);
    for (auto& t : threads) t.join();

    round_outcome out;
    if (stalled.load()) {
        out.violation = "stalled: " + std::to_string(popped.load()) + " of " + std::to_string(total) +
                        " items popped, none in the last " + std::to_string(stall_limit.count()) + " s";
        return out;
    }
    // Exactly-once and sums.
    std::vector<std::vector<const stamped*>> pop_of(shape.producers,
                                                    std::vector<const stamped*>(items_per_producer, nullptr));
    item sum_popped = 0, sum_pushed = 0;
    std::uint64_t count = 0;
    for (const auto& mine : pops)
        for (const stamped& e : mine) {
            const item producer = e.value >> producer_shift;
            const item seq = e.value & ((item{1} << producer_shift) - 1);
            if (producer >= shape.producers || seq >= items_per_producer) {
                out.violation = "popped a value never pushed: " + std::to_string(e.value);
                return out;
            }
            if (pop_of[producer][seq]) {
                out.violation = "duplicate delivery of producer " + std::to_string(producer) + " item " +
                                std::to_string(seq);
                return out;
            }
            pop_of[producer][seq] = &e;
            sum_popped += e.value;
            ++count;
        }
    for (unsigned p = 0; p < shape.producers; ++p)
        for (std::uint64_t s = 0; s < items_per_producer; ++s) {
            sum_pushed += (item{p} << producer_shift) | s;
            if (!pop_of[p][s]) {
                out.violation = "lost producer " + std::to_string(p) + " item " + std::to_string(s);
                return out;
            }
        }
    if (count != total) {
        out.violation = "popped " + std::to_string(count) + " of " + std::to_string(total);
        return out;
    }
    if (sum_pushed != sum_popped) {
        out.violation = "sum pushed != sum popped";
        return out;
    }

    // Per-producer order across consumers: item s's pop must not be called
    // after a later item's pop returned. earliest[s] = the earliest response
    // among the pops of items after s.
    if (ordered)
        for (unsigned p = 0; p < shape.producers; ++p) {
            std::uint64_t earliest = ~std::uint64_t{0};
            std::uint64_t earliest_seq = 0;
            for (std::uint64_t s = items_per_producer; s-- > 0;) {
                const stamped& e = *pop_of[p][s];
                if (earliest < e.invoke) {
                    out.violation = "per-producer order violated across consumers: producer " + std::to_string(p) +
                                    " item " + std::to_string(earliest_seq) + " was popped " +
                                    stamps(pop_of[p][earliest_seq]->invoke, earliest) + " before item " +
                                    std::to_string(s) + "'s pop was called " + stamps(e.invoke, e.response);
                    return out;
                }
                if (e.response < earliest) {
                    earliest = e.response;
                    earliest_seq = s;
                }
            }
        }

    std::vector<std::uint64_t> push_invoke, push_response, pop_invoke, pop_response;
    for (const auto& mine : pushes)
        for (const stamped& e : mine) {
            push_invoke.push_back(e.invoke);
            push_response.push_back(e.response);
        }
    for (const auto& mine : pops)
        for (const stamped& e : mine) {
            pop_invoke.push_back(e.invoke);
            pop_response.push_back(e.response);
        }
    for (auto* v : {&push_invoke, &push_response, &pop_invoke, &pop_response}) std::sort(v->begin(), v->end());

    // Spurious full, with one more sound step for linearizable entries: if
    // the pop of item y returned before F was called and item x's push
    // returned before y's push was called, FIFO puts x's pop before y's, so
    // before F too. M(t) = the latest push invocation among items whose pop
    // returned before t; every item whose push returned before M(t) was
    // popped before F.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> by_pop_response;  // (pop response, push invoke)
    if (traits.bounded && exact_empty) {
        for (unsigned p = 0; p < shape.producers; ++p)
            for (const stamped& e : pushes[p]) {
                const std::uint64_t s = e.value & ((item{1} << producer_shift) - 1);
                by_pop_response.emplace_back(pop_of[p][s]->response, e.invoke);
            }
        std::sort(by_pop_response.begin(), by_pop_response.end());
        for (std::size_t i = 1; i < by_pop_response.size(); ++i)
            by_pop_response[i].second = std::max(by_pop_response[i].second, by_pop_response[i - 1].second);
    }
    auto popped_before = [&](std::uint64_t t) {
        std::uint64_t n = below(pop_response, t);
        if (by_pop_response.empty()) return n;
        const auto it = std::lower_bound(by_pop_response.begin(), by_pop_response.end(),
                                         std::pair<std::uint64_t, std::uint64_t>{t, 0});
        if (it == by_pop_response.begin()) return n;
        return std::max(n, below(push_response, std::prev(it)->second));
    };
    if (traits.bounded)
        for (unsigned p = 0; p < shape.producers; ++p)
            for (const failed_call& f : failed_pushes[p]) {
                ++out.failed_pushes_judged;
                const std::uint64_t in = below(push_invoke, f.response), out_ = popped_before(f.invoke);
                if (in - std::min(in, out_) < bound) {
                    out.violation = "spurious full: producer " + std::to_string(p) + "'s try_push " +
                                    stamps(f.invoke, f.response) + " returned false with at most " +
                                    std::to_string(in - std::min(in, out_)) + " items in the queue (bound " +
                                    std::to_string(bound) + "; " + std::to_string(in) +
                                    " successful pushes called before it returned, " + std::to_string(out_) +
                                    " items popped before it was called)";
                    return out;
                }
            }
    if (exact_empty)
        for (unsigned c = 0; c < shape.consumers; ++c)
            for (const failed_call& f : failed_pops[c]) {
                ++out.failed_pops_judged;
                const std::uint64_t in = below(push_response, f.invoke), out_ = below(pop_invoke, f.response);
                if (in > out_) {
                    out.violation = "spurious empty: consumer " + std::to_string(c) + "'s try_pop " +
                                    stamps(f.invoke, f.response) + " returned false with at least " +
                                    std::to_string(in - out_) + " items in the queue (" + std::to_string(in) +
                                    " successful pushes returned before it was called, " + std::to_string(out_) +
                                    " successful pops called before it returned)";
                    return out;
                }
            }
    return out;
}


struct options {
    std::uint64_t items = 200000;  // per producer per round
    int rounds = 2;
};

// One entry's stress verdict (the body of queue_stress and of the stress
// part of queue_asan).
template <class E>
result check_entry(const options& opt, const entry_context& ctx) {
    using Q = typename E::template type<native_world>;
    std::mt19937_64 rng(ctx.seed);
    constexpr std::size_t capacities[] = {4, 16, 64};
    // Native: long rounds. Under TSan: six short ones (fresh queue,
    // fresh threads each), since some missing edges are reported only in
    // some executions. A bounded queue's first round is at capacity 2.
    std::vector<std::size_t> caps;
    std::uint64_t plan_hash = 1469598103934665603ull;
    for (int i = 0; i < opt.rounds; ++i) {
        caps.push_back(i == 0 && E::traits.bounded ? 2 : capacities[rng() % 3]);
        plan_hash = (plan_hash ^ caps.back()) * 1099511628211ull;
    }
    const queue_roles shape = shape_for(E::traits);
    plan_hash = (plan_hash ^ (std::uint64_t{shape.producers} << 32 | shape.consumers)) * 1099511628211ull;
    plan_hash = (plan_hash ^ opt.items) * 1099511628211ull;
    std::string what = std::to_string(shape.producers) + "P" + std::to_string(shape.consumers) + "C, " +
                       std::to_string(opt.rounds) + " rounds of " + std::to_string(opt.items) + " items/producer, capacities";
    for (std::size_t i = 0; i < caps.size(); ++i) what += (i ? "," : " ") + std::to_string(caps[i]);
    json m;
    m["producers"] = shape.producers;
    m["consumers"] = shape.consumers;
    m["rounds"] = opt.rounds;
    m["items_per_producer"] = opt.items;
    m["capacities"] = json::list_of(caps);
    m["plan_hash"] = std::to_string(plan_hash);
    std::uint64_t failed_pushes = 0, failed_pops = 0;
    auto judged = [&] {
        m["clock"] = op_clock::name();
        m["failed_pushes_judged"] = failed_pushes;
        m["failed_pops_judged"] = failed_pops;
    };
    for (std::size_t cap : caps) {
        const round_outcome o = stress_round<Q>(E::traits, cap, opt.items);
        failed_pushes += o.failed_pushes_judged;
        failed_pops += o.failed_pops_judged;
        if (!o.violation.empty()) {
            judged();
            return result::fail("capacity " + std::to_string(cap) + ": " + o.violation + " (" + what + ")", {}, m);
        }
    }
    judged();
    what += "; " + std::to_string(failed_pushes) + " failed pushes and " + std::to_string(failed_pops) +
            " failed pops judged";
    return result::pass("invariants held: " + what, m);
}

}  // namespace gauntlet::queue_stress
