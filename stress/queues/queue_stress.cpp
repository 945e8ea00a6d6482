// Stress check "stress" (and "tsan" in the ThreadSanitizer build) for every queue in the catalogue: real threads at
// high contention, whole-run invariants.
//
// Per entry, in its own forked child (check_program: a hang, a crash or a
// ThreadSanitizer report is that entry's verdict), rounds (2 native, 6
// shorter ones under TSan) with a small capacity drawn from the entry's seed
// (4, 16 or 64: full and empty are hit all the time). Threads follow the
// entry's multiplicity through roles_for (primitives/queues/roles.hpp): a
// multi-producer side gets 3 producers alone or 2 beside several consumers,
// a multi-consumer side 2 consumers. A producer pushes values (producer << 40 | sequence)
// and yields while the queue is full; consumers start once the queue holds a
// head start of items (the capacity, or 1024 for unbounded queues) and pop
// until every item is accounted for. Invariants, over the whole run:
//   * every value is delivered exactly once (no loss, no duplicate, no
//     value that was never pushed);
//   * sum of values pushed == sum of values popped;
//   * per-producer order, where the entry promises it (linearizable or
//     fifo_per_producer): each consumer sees each producer's sequence numbers
//     increasing.
// Under ThreadSanitizer (the clang build) the same body runs with fewer
// items and is judged against E::expected.tsan.
// Replay: the capacities and every producer's sequence of pushes derive from
// the entry's seed (their hash is in the record); the interleaving of real
// threads is not reproducible.
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

namespace {

using item = std::uint64_t;
constexpr unsigned producer_shift = 40;

constexpr gauntlet::queue_roles shape_for(const gauntlet::queue_traits& t) {
    // 3 producers against one consumer, 2 against several: at most 4 threads.
    return gauntlet::roles_for(t, t.consumers == gauntlet::multiplicity::single ? 3 : 2, 2);
}

// One round: returns an empty string when every invariant holds, else the
// first violation.
template <class Q>
std::string stress_round(const gauntlet::queue_traits& traits, std::size_t capacity,
                         std::uint64_t items_per_producer) {
    const gauntlet::queue_roles shape = shape_for(traits);
    const bool ordered = traits.order != gauntlet::queue_order::none;
    Q q(capacity);
    const std::uint64_t total = items_per_producer * shape.producers;
    std::atomic<std::uint64_t> popped{0};
    // Head start: consumers begin only once this many items were pushed, so
    // each round also runs with a long queue (consumers following links or
    // cells written long ago by other threads) and not only near empty.
    // Relaxed on both sides, so the counter creates no happens-before edge
    // that would hide a missing one from ThreadSanitizer.
    std::atomic<std::uint64_t> pushed{0};
    const std::uint64_t head_start = std::min<std::uint64_t>(total, traits.bounded ? capacity : 1024);
    std::atomic<unsigned> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::vector<item>> received(shape.consumers);
    std::vector<std::string> order_violation(shape.consumers);
    std::vector<std::thread> threads;
    const unsigned all = shape.producers + shape.consumers;
    auto start_together = [&] {
        ready.fetch_add(1);
        while (!go.load()) std::this_thread::yield();
    };
    for (unsigned p = 0; p < shape.producers; ++p)
        threads.emplace_back([&, p] {
            start_together();
            for (std::uint64_t s = 0; s < items_per_producer; ++s) {
                const item v = (item{p} << producer_shift) | s;
                while (!q.try_push(v)) std::this_thread::yield();
                pushed.fetch_add(1, std::memory_order_relaxed);
            }
        });
    for (unsigned c = 0; c < shape.consumers; ++c)
        threads.emplace_back([&, c] {
            start_together();
            while (pushed.load(std::memory_order_relaxed) < head_start) std::this_thread::yield();
            auto& mine = received[c];
            mine.reserve(total / shape.consumers + 16);
            std::vector<std::int64_t> last_seq(shape.producers, -1);
            while (popped.load(std::memory_order_relaxed) < total) {
                item v = 0;
                if (!q.try_pop(v)) {
                    std::this_thread::yield();
                    continue;
                }
                popped.fetch_add(1, std::memory_order_relaxed);
                mine.push_back(v);
                const item producer = v >> producer_shift;
                const auto seq = static_cast<std::int64_t>(v & ((item{1} << producer_shift) - 1));
                if (ordered && producer < shape.producers && order_violation[c].empty()) {
                    if (seq <= last_seq[producer])
                        order_violation[c] = "consumer " + std::to_string(c) + " saw producer " +
                                             std::to_string(producer) + " item " + std::to_string(seq) +
                                             " after item " + std::to_string(last_seq[producer]);
                    last_seq[producer] = seq;
                }
            }
        });
    while (ready.load() < all) std::this_thread::yield();
    go.store(true);
    for (auto& t : threads) t.join();

    for (const auto& v : order_violation)
        if (!v.empty()) return "per-producer order violated: " + v;
    std::vector<std::vector<unsigned char>> seen(shape.producers,
                                                 std::vector<unsigned char>(items_per_producer, 0));
    item sum_popped = 0, sum_pushed = 0;
    std::uint64_t count = 0;
    for (const auto& mine : received)
        for (item v : mine) {
            const item producer = v >> producer_shift;
            const item seq = v & ((item{1} << producer_shift) - 1);
            if (producer >= shape.producers || seq >= items_per_producer)
                return "popped a value never pushed: " + std::to_string(v);
            if (seen[producer][seq]++)
                return "duplicate delivery of producer " + std::to_string(producer) + " item " +
                       std::to_string(seq);
            sum_popped += v;
            ++count;
        }
    for (unsigned p = 0; p < shape.producers; ++p)
        for (std::uint64_t s = 0; s < items_per_producer; ++s) {
            sum_pushed += (item{p} << producer_shift) | s;
            if (!seen[p][s])
                return "lost producer " + std::to_string(p) + " item " + std::to_string(s);
        }
    if (count != total) return "popped " + std::to_string(count) + " of " + std::to_string(total);
    if (sum_pushed != sum_popped) return "sum pushed != sum popped";
    return {};
}


}  // namespace

int main(int argc, char** argv) {
    using namespace gauntlet;
    const bool tsan = under_tsan();
    std::uint64_t items = tsan ? 6000 : 200000;
    int rounds = tsan ? 6 : 2;
    check_program prog("queue_stress", tsan ? check_kind::tsan : check_kind::stress,
                       "Real-thread stress of every catalogue queue: exactly-once, sums, per-producer order.",
                       tsan ? 120.0 : 60.0);
    prog.options()
        .option("--items", "N", "items per producer per round (default 200000, 6000 under TSan)", items,
                std::uint64_t{1}, std::uint64_t{1} << 32)
        .option("--rounds", "N", "rounds per entry (default 2, 6 under TSan)", rounds, 1, 100000);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<queue_kind>([&]<class E>(const entry_context& ctx) {
        using Q = typename E::template type<native_world>;
        std::mt19937_64 rng(ctx.seed);
        constexpr std::size_t capacities[] = {4, 16, 64};
        // Native: two long rounds. Under TSan: six short ones (fresh queue,
        // fresh threads each), since some missing edges are reported only in
        // some executions.
        std::vector<std::size_t> caps;
        std::uint64_t plan_hash = 1469598103934665603ull;
        for (int i = 0; i < rounds; ++i) {
            caps.push_back(capacities[rng() % 3]);
            plan_hash = (plan_hash ^ caps.back()) * 1099511628211ull;
        }
        const queue_roles shape = shape_for(E::traits);
        plan_hash = (plan_hash ^ (std::uint64_t{shape.producers} << 32 | shape.consumers)) * 1099511628211ull;
        plan_hash = (plan_hash ^ items) * 1099511628211ull;
        std::string what = std::to_string(shape.producers) + "P" + std::to_string(shape.consumers) + "C, " +
                           std::to_string(rounds) + " rounds of " + std::to_string(items) + " items/producer, capacities";
        for (std::size_t i = 0; i < caps.size(); ++i) what += (i ? "," : " ") + std::to_string(caps[i]);
        json m;
        m["producers"] = shape.producers;
        m["consumers"] = shape.consumers;
        m["rounds"] = rounds;
        m["items_per_producer"] = items;
        m["capacities"] = json::list_of(caps);
        m["plan_hash"] = std::to_string(plan_hash);
        for (std::size_t cap : caps) {
            const std::string why = stress_round<Q>(E::traits, cap, items);
            if (!why.empty()) return result::fail("capacity " + std::to_string(cap) + ": " + why + " (" + what + ")", {}, m);
        }
        return result::pass("invariants held: " + what, m);
    });
    return prog.finish();
}
