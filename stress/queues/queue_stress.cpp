// Stress check "stress" (and "tsan" in the ThreadSanitizer build) for every queue in the catalogue: real threads at
// high contention, whole-run invariants.
//
// Per entry, in its own forked child (stress/isolate.hpp: a hang, a crash or
// a ThreadSanitizer report is that entry's verdict), rounds (2 native, 6
// shorter ones under TSan) with a small capacity drawn from the seed (4, 16 or 64: full and empty are hit all the
// time). Threads follow the entry's multiplicity: SPSC 1 producer/1 consumer,
// MPSC 3/1, MPMC 2/2. A producer pushes values (producer << 40 | sequence)
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
//
//   queue_stress [--seed N] [--entry NAME] [--items N] [--rounds N] [--help]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "primitives/command_line.hpp"
#include "primitives/native_world.hpp"
#include "primitives/queues/catalogue.hpp"
#include "stress/isolate.hpp"

namespace {

using item = std::uint64_t;
constexpr unsigned producer_shift = 40;

struct stress_shape {
    unsigned producers;
    unsigned consumers;
};

constexpr stress_shape shape_for(const gauntlet::queue_traits& t) {
    const bool single_producer = t.producers == gauntlet::multiplicity::single;
    const bool single_consumer = t.consumers == gauntlet::multiplicity::single;
    if (single_producer && single_consumer) return {1, 1};
    if (single_consumer) return {3, 1};
    return {2, 2};
}

// One round: returns an empty string when every invariant holds, else the
// first violation.
template <class Q>
std::string stress_round(const gauntlet::queue_traits& traits, std::size_t capacity,
                         std::uint64_t items_per_producer) {
    const stress_shape shape = shape_for(traits);
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
    std::uint64_t seed = static_cast<std::uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count() % 1000000007);
    std::string only;
    const bool tsan = gauntlet::under_tsan();
    std::uint64_t items = tsan ? 6000 : 200000;
    int rounds = tsan ? 6 : 2;
    gauntlet::command_line cl("queue_stress",
                              "Real-thread stress of every catalogue queue, each entry in a forked child.");
    cl.option("--seed", "N", "seed for capacities (default: from the clock, printed)", seed)
        .option("--entry", "NAME", "only this catalogue entry", only)
        .option("--items", "N", "items per producer per round (default 200000, 6000 under TSan)", items)
        .option("--rounds", "N", "rounds per entry (default 2, 6 under TSan)", rounds);
    if (const int status = cl.parse(argc, argv); status >= 0) return status;
    if (rounds <= 0 || items == 0) return cl.error("--rounds and --items must be positive");
    std::printf("queue_stress: --seed %llu --items %llu --rounds %d%s\n", static_cast<unsigned long long>(seed),
                static_cast<unsigned long long>(items), rounds, tsan ? " (ThreadSanitizer)" : "");
    std::fflush(stdout);

    gauntlet::verdict_log log(tsan ? "tsan" : "stress");
    gauntlet::for_each_entry(gauntlet::queue_catalogue{}, [&]<class E>() {
        if (!only.empty() && only != E::name) return;
        using Q = typename E::template type<gauntlet::native_world>;
        const std::string component = "queue." + std::string(gauntlet::contract_name(E::traits));
        auto r = gauntlet::record_for<E>(component);
        r.expected = tsan ? E::expected.tsan : E::expected.stress;
        std::mt19937_64 rng(seed ^ std::hash<std::string_view>{}(E::name));
        constexpr std::size_t capacities[] = {4, 16, 64};
        // Native: two long rounds. Under TSan: six short ones (fresh queue,
        // fresh threads each), since some missing edges are reported only in
        // some executions.
        std::vector<std::size_t> caps;
        for (int i = 0; i < rounds; ++i) caps.push_back(capacities[rng() % 3]);
        const stress_shape shape = shape_for(E::traits);
        const auto outcome = gauntlet::run_isolated(
            [&] {
                for (std::size_t cap : caps) {
                    const std::string why = stress_round<Q>(E::traits, cap, items);
                    if (!why.empty()) {
                        std::printf("capacity %zu: %s\n", cap, why.c_str());
                        return 1;
                    }
                }
                return 0;
            },
            tsan ? 120.0 : 60.0);
        r.got = outcome.passed ? gauntlet::verdict::pass : gauntlet::verdict::fail;
        std::string what = std::to_string(shape.producers) + "P" + std::to_string(shape.consumers) +
                                 "C, " + std::to_string(rounds) + " rounds of " + std::to_string(items) +
                                 " items/producer, capacities";
        for (std::size_t i = 0; i < caps.size(); ++i) {
            what += i ? "," : " ";
            what += std::to_string(caps[i]);
        }
        if (outcome.passed)
            r.detail = "invariants held: " + what;
        else if (outcome.timed_out)
            r.detail = "hang: " + what;
        else if (outcome.exit_code == 66)
            r.detail = "ThreadSanitizer report: " + what;
        else if (outcome.exit_code < 0)
            r.detail = "killed by signal " + std::to_string(-outcome.exit_code) + ": " + what;
        else {
            std::string first = outcome.output.substr(0, outcome.output.find('\n'));
            r.detail = first + " (" + what + ")";
        }
        r.trace = "replay: queue_stress --seed " + std::to_string(seed) + " --items " + std::to_string(items) +
                  " --rounds " + std::to_string(rounds) + " --entry " + std::string(E::name) + (outcome.output.empty() ? "" : "\n" + outcome.output);
        r.extra["seed"] = std::to_string(seed);
        r.extra["seconds"] = std::to_string(outcome.seconds);
        r.extra["tsan"] = tsan ? "true" : "false";
        log.add(std::move(r));
    });
    return log.exit_status();
}
