// Benchmark check "bench" for every priority queue in the catalogue (mutants
// skip it: their expectation says so), each entry in its own child, threads
// pinned (bench/pin.hpp).
//
// What is held constant: the item (a 32-bit priority and a 64-bit payload),
// the priorities (drawn once from a fixed seed, 0..1023, the same sequence for
// every entry), the counts below, the pinning. What varies: the entry.
//
//   pq_1p1c/<entry>      one producer (pinned to the second allowed CPU)
//                        pushes 1 << 16 items, then flushes; the consumer
//                        (the first CPU) pops until it has them all. A fresh
//                        queue per iteration; manual time from the start
//                        signal to the consumer's last pop; items_per_second.
//                        The gate: the best in-house strict entry
//                        against oneTBB's.
//   pq_2p1c/<entry>      the same with two producers, 1 << 15 items each, on
//                        the two CPUs the consumer shares: three busy threads
//                        on two cores, reported as oversubscribed (label
//                        oversubscribed = 1); its figure measures the
//                        scheduler as much as the queue.
//   pq_pop_latency/<entry>  one thread: 4096 items pushed (and flushed), then
//                        each pop timed alone (steady_clock around the call);
//                        p50_ns, p99_ns and p999_ns of the pops, a
//                        sequential figure (no contention).
// Every benchmark checks what it takes: the count and the sum of the
// payloads taken equal what was pushed, else the run ends with an error and
// the entry's verdict is fail. Rank error is not measured here (the
// consumer's clock reads would slow the figure they sit beside): the report
// puts the property check's exact sequential rank error beside these
// figures, and the stress check records the concurrent one.
//
// Performance claims between two entries are made with interleaved pairs
// (scripts/pairs.py run --pairs A,B), never from one run of this program.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_session.hpp"
#include "bench/pin.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "primitives/pq/catalogue.hpp"

namespace {

using namespace gauntlet;
using clock_type = std::chrono::steady_clock;

constexpr std::uint64_t items_1p = 1 << 16;
constexpr std::size_t latency_items = 4096;
constexpr std::uint64_t give_up_after = std::uint64_t{1} << 26;

const std::vector<std::uint32_t>& priorities() {
    static const std::vector<std::uint32_t> p = [] {
        std::mt19937_64 rng(20241128);
        std::vector<std::uint32_t> v(items_1p);
        for (auto& x : v) x = static_cast<std::uint32_t>(rng() % 1024);
        return v;
    }();
    return p;
}

// `producers` threads push `per` items each; the calling thread pops.
template <class Q>
void producers_consumer(benchmark::State& state, unsigned producers) {
    pin_current_thread(0);
    const std::uint64_t per = items_1p / producers;
    const auto& prio = priorities();
    std::string error;
    std::uint64_t total_items = 0;
    for (auto _ : state) {
        Q q(producers);
        std::atomic<bool> go{false};
        std::vector<std::thread> threads;
        for (unsigned p = 0; p < producers; ++p)
            threads.emplace_back([&, p] {
                pin_current_thread(p == 0 ? 1 : 0);
                while (!go.load(std::memory_order_acquire)) native_world::spin_hint();
                for (std::uint64_t i = 0; i < per; ++i) q.push(p, pq_item{prio[i], p * per + i + 1});
                q.flush(p);
            });
        const std::uint64_t n = per * producers;
        std::uint64_t got = 0, sum = 0, misses = 0;
        const auto t0 = clock_type::now();
        go.store(true, std::memory_order_release);
        while (got < n && misses < give_up_after) {
            pq_item v;
            if (q.try_pop(v)) {
                ++got;
                sum += v.payload;
                misses = 0;
            } else {
                ++misses;
            }
        }
        const double seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
        for (auto& t : threads) t.join();
        state.SetIterationTime(seconds);
        total_items += got;
        if (got != n || sum != n * (n + 1) / 2) error = "the consumer did not take every item pushed exactly once";
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(total_items));
    if (!error.empty()) state.SkipWithError(error.c_str());
}

template <class Q>
void pop_latency(benchmark::State& state) {
    pin_current_thread(0);
    const auto& prio = priorities();
    std::vector<double> ns;
    ns.reserve(latency_items * 64);
    bool ok = true;
    for (auto _ : state) {
        state.PauseTiming();
        Q q(1);
        for (std::size_t i = 0; i < latency_items; ++i) q.push(0, pq_item{prio[i], i + 1});
        q.flush(0);
        state.ResumeTiming();
        std::uint64_t sum = 0;
        for (std::size_t i = 0; i < latency_items; ++i) {
            pq_item v;
            const auto t0 = clock_type::now();
            const bool got = q.try_pop(v);
            const auto t1 = clock_type::now();
            ok &= got;
            sum += v.payload;
            ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
        }
        ok &= sum == latency_items * (latency_items + 1) / 2;
    }
    std::sort(ns.begin(), ns.end());
    auto at = [&](double q) { return ns.empty() ? 0.0 : ns[static_cast<std::size_t>(q * static_cast<double>(ns.size() - 1))]; };
    state.counters["p50_ns"] = at(0.5);
    state.counters["p99_ns"] = at(0.99);
    state.counters["p999_ns"] = at(0.999);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * latency_items));
    if (!ok) state.SkipWithError("the pops did not return every item pushed exactly once");
}

}  // namespace

int main(int argc, char** argv) {
    check_program prog("bench_pq", check_kind::bench,
                       "Benchmarks every priority-queue entry: one producer and one consumer, two producers\n"
                       "(oversubscribed on two cores), sequential pop latency; pinned.",
                       300.0);
    if (const int status = parse_bench_program(prog, argc, argv); status >= 0) return status;
    prog.run<pq_kind>([&]<class E>(const entry_context&) -> result {
        if constexpr (E::expected.bench.kind == expect::skip) {
            return result::fail("the body of an entry whose bench check is skipped ran");
        } else {
            using Q = typename E::template type<native_world>;
            bench_session s;
            const std::string n(E::name);
            json labels;
            labels["benchmark"] = "1p1c";
            labels["producers"] = 1;
            labels["oversubscribed"] = 0;
            s.add("pq_1p1c/" + n, labels, [](benchmark::State& st) { producers_consumer<Q>(st, 1); })
                ->UseManualTime();
            labels["benchmark"] = "2p1c";
            labels["producers"] = 2;
            labels["oversubscribed"] = 1;
            s.add("pq_2p1c/" + n, labels, [](benchmark::State& st) { producers_consumer<Q>(st, 2); })
                ->UseManualTime();
            json lat;
            lat["benchmark"] = "pop_latency";
            lat["producers"] = 1;
            s.add("pq_pop_latency/" + n, lat, pop_latency<Q>);
            return s.run();
        }
    });
    return prog.finish();
}
