// Benchmark check "bench" for every queue in the catalogue (mutants skip it:
// their expectation says so): throughput and round-trip latency, each entry
// in its own child, same pinning.
//
// What is held constant: payload (one std::uint64_t), capacity 1024 for
// bounded queues (throughput) and 64 (latency), 1 << 20 items per
// throughput iteration, 1 << 12 round trips per latency iteration, pinning
// (producers on the first allowed CPU, consumers on the second; on a
// 2-core machine: producer CPU 0, consumer CPU 1; bench/pin.hpp), waiting by
// yield when a queue is full or empty. What varies: the implementation and
// the producer/consumer count.
//
//   queue_throughput/<contract>/<entry>/<P>P<C>C
//       P producers push 1 << 20 items in total, C consumers pop them all;
//       time from the start signal to the last pop (manual time).
//       items_per_second. 1P1C, and the widest shape the contract admits at
//       two threads a side (roles_for): MPSC 2P1C, SPMC 1P2C, MPMC 2P2C.
//   queue_latency/<contract>/<entry>
//       ping-pong over two queues of the entry between two pinned threads;
//       each round trip is timed: p50_ns, p99_ns, p999_ns counters.
//   cacheline_roundtrip
//       the floor: the same ping-pong over one atomic word on one cache line.
//
// One verdict record per entry (bench/bench_session.hpp): pass when its
// benchmarks ran without error; the figures are the record's metrics.runs,
// labelled with benchmark ("throughput" | "latency"), producers, consumers.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_session.hpp"
#include "bench/gate_delay.hpp"
#include "bench/pin.hpp"
#include "primitives/native_world.hpp"
#include "primitives/queues/catalogue.hpp"

namespace {

using gauntlet::pin_current_thread;
namespace gate_delay = gauntlet::gate_delay;
using item = std::uint64_t;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t throughput_capacity = 1024;
constexpr std::size_t latency_capacity = 64;
constexpr std::uint64_t items_per_iteration = 1 << 20;  // thread start-up << 1% of an iteration
constexpr std::size_t round_trips_per_iteration = 1 << 12;


inline void relax(unsigned& spins) {
    if (++spins < 64) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    } else {
        std::this_thread::yield();
    }
}

template <class Q>
void queue_throughput(benchmark::State& state, unsigned producers, unsigned consumers, gate_delay::delay delay) {
    const std::uint64_t per_producer = items_per_iteration / producers;
    const std::uint64_t total = per_producer * producers;
    Q q(throughput_capacity);
    std::string error;
    double seconds = 0;
    for (auto _ : state) {
        std::atomic<unsigned> ready{0};
        std::atomic<bool> go{false};
        std::atomic<std::uint64_t> popped{0};
        std::atomic<item> sum{0};
        std::vector<clock_type::time_point> finished(consumers);
        std::vector<std::thread> threads;
        for (unsigned p = 0; p < producers; ++p)
            threads.emplace_back([&, p] {
                pin_current_thread(0);
                ready.fetch_add(1);
                while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
                std::uint64_t ops = 0;
                for (std::uint64_t s = 0; s < per_producer; ++s) {
                    unsigned spins = 0;
                    while (!q.try_push(s + 1)) relax(spins);
                    gate_delay::spin(delay, ops);
                }
            });
        for (unsigned c = 0; c < consumers; ++c)
            threads.emplace_back([&, c] {
                pin_current_thread(1);
                ready.fetch_add(1);
                while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
                item local = 0;
                unsigned spins = 0;
                std::uint64_t unpublished = 0;  // pops not yet added to `popped`
                // Consumers share one pop count, published in batches and
                // when the queue looks empty, so the count's cache line is
                // not part of every pop.
                while (popped.load(std::memory_order_relaxed) < total) {
                    item v = 0;
                    if (q.try_pop(v)) {
                        local += v;
                        if (++unpublished == 256) {
                            popped.fetch_add(unpublished, std::memory_order_relaxed);
                            unpublished = 0;
                        }
                        spins = 0;
                    } else {
                        if (unpublished) {
                            popped.fetch_add(unpublished, std::memory_order_relaxed);
                            unpublished = 0;
                        }
                        relax(spins);
                    }
                }
                sum.fetch_add(local);
                finished[c] = clock_type::now();
            });
        while (ready.load() < producers + consumers) std::this_thread::yield();
        const auto t0 = clock_type::now();
        go.store(true, std::memory_order_release);
        for (auto& t : threads) t.join();
        const auto t1 = *std::max_element(finished.begin(), finished.end());
        const double iteration_seconds = std::chrono::duration<double>(t1 - t0).count();
        seconds += iteration_seconds;
        state.SetIterationTime(iteration_seconds);
        if (sum.load() != producers * (per_producer * (per_producer + 1) / 2) && error.empty())
            error = "sum of popped items differs from sum pushed";
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * total));
    if (!error.empty()) state.SkipWithError(error.c_str());
}

// Percentiles of round-trip samples, in nanoseconds, as counters.
void report_percentiles(benchmark::State& state, std::vector<double>& samples) {
    if (samples.empty()) return;
    std::sort(samples.begin(), samples.end());
    auto at = [&](double q) {
        return samples[std::min(samples.size() - 1, static_cast<std::size_t>(q * samples.size()))];
    };
    state.counters["p50_ns"] = at(0.50);
    state.counters["p99_ns"] = at(0.99);
    state.counters["p999_ns"] = at(0.999);
}

template <class Q>
void queue_latency(benchmark::State& state) {
    Q ping(latency_capacity), pong(latency_capacity);
    std::vector<double> samples;
    samples.reserve(1 << 20);
    std::atomic<bool> stop{false};
    std::atomic<bool> echo_ready{false};
    // The echo thread returns every item it receives; 0 asks it to stop.
    std::thread echo([&] {
        pin_current_thread(1);
        echo_ready.store(true);
        for (;;) {
            item v = 0;
            unsigned spins = 0;
            while (!ping.try_pop(v)) relax(spins);
            spins = 0;
            while (!pong.try_push(v)) relax(spins);
            if (v == 0) return;
        }
    });
    pin_current_thread(0);
    while (!echo_ready.load()) std::this_thread::yield();
    std::string error;
    for (auto _ : state) {
        const auto t_iter = clock_type::now();
        for (std::size_t i = 1; i <= round_trips_per_iteration; ++i) {
            const auto t0 = clock_type::now();
            unsigned spins = 0;
            while (!ping.try_push(i)) relax(spins);
            item back = 0;
            spins = 0;
            while (!pong.try_pop(back)) relax(spins);
            const auto t1 = clock_type::now();
            if (back != i && error.empty()) error = "ping-pong returned another item";
            if (samples.size() < samples.capacity())
                samples.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
        }
        state.SetIterationTime(std::chrono::duration<double>(clock_type::now() - t_iter).count());
    }
    unsigned spins = 0;
    while (!ping.try_push(0)) relax(spins);
    echo.join();
    item last;
    while (pong.try_pop(last)) {}
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * round_trips_per_iteration));
    report_percentiles(state, samples);
    if (!error.empty()) state.SkipWithError(error.c_str());
    pin_current_thread(0);
}

void cacheline_roundtrip(benchmark::State& state) {
    struct alignas(128) line {
        std::atomic<std::uint64_t> word{0};
    };
    line shared;
    std::thread echo([&] {
        pin_current_thread(1);
        std::uint64_t expect = 1;
        for (;;) {
            std::uint64_t v;
            unsigned spins = 0;
            while ((v = shared.word.load(std::memory_order_acquire)) != expect && v != ~std::uint64_t{0})
                relax(spins);
            if (v == ~std::uint64_t{0}) return;
            shared.word.store(v + 1, std::memory_order_release);
            expect += 2;
        }
    });
    pin_current_thread(0);
    std::vector<double> samples;
    samples.reserve(1 << 20);
    std::uint64_t next = 1;
    for (auto _ : state) {
        const auto t_iter = clock_type::now();
        for (std::size_t i = 0; i < round_trips_per_iteration; ++i) {
            const auto t0 = clock_type::now();
            shared.word.store(next, std::memory_order_release);
            unsigned spins = 0;
            while (shared.word.load(std::memory_order_acquire) != next + 1) relax(spins);
            const auto t1 = clock_type::now();
            next += 2;
            if (samples.size() < samples.capacity())
                samples.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
        }
        state.SetIterationTime(std::chrono::duration<double>(clock_type::now() - t_iter).count());
    }
    shared.word.store(~std::uint64_t{0}, std::memory_order_release);
    echo.join();
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * round_trips_per_iteration));
    report_percentiles(state, samples);
}

// The floor every latency is compared with: a kind of one reference entry.
struct cacheline_roundtrip_entry {
    static constexpr std::string_view name = "cacheline_roundtrip";
    static constexpr gauntlet::origin_kind origin = gauntlet::origin_kind::in_house;
    // A ping-pong over one atomic word: it only has to run.
    static constexpr gauntlet::expectation expected = gauntlet::expect::pass;
};
struct reference_kind {
    static constexpr std::string_view name = "reference";
    using catalogue = gauntlet::type_list<cacheline_roundtrip_entry>;
    template <class E>
    static std::string component() {
        return "reference";
    }
};

}  // namespace

int main(int argc, char** argv) {
    using namespace gauntlet;
    check_program prog("bench_queues", check_kind::bench,
                       "Throughput and round-trip latency of every queue entry, pinned, plus the\n"
                       "cache-line round-trip floor.",
                       300.0);
    if (const int status = parse_bench_program(prog, argc, argv); status >= 0) return status;
    prog.run<queue_kind>([&]<class E>(const entry_context&) {
        using Q = typename E::template type<native_world>;
        bench_session s;
        const std::string contract(contract_name(E::traits));
        const std::string entry(E::name);
        // 1P1C always; the widest shape the contract admits, at 2 threads a side.
        std::vector<queue_roles> shapes{{1, 1}};
        const gate_delay::delay delay = gate_delay::delay_for(E::name);
        if (const queue_roles wide = roles_for(E::traits, 2, 2); wide.threads() > 2) shapes.push_back(wide);
        for (const queue_roles r : shapes) {
            json labels;
            labels["benchmark"] = "throughput";
            labels["producers"] = r.producers;
            labels["consumers"] = r.consumers;
            s.add("queue_throughput/" + contract + "/" + entry + "/" + std::to_string(r.producers) + "P" +
                      std::to_string(r.consumers) + "C",
                  labels, [r, delay](benchmark::State& st) { queue_throughput<Q>(st, r.producers, r.consumers, delay); })
                ->UseManualTime()
                ->Unit(benchmark::kMillisecond);
        }
        json labels;
        labels["benchmark"] = "latency";
        labels["producers"] = 1;
        labels["consumers"] = 1;
        s.add("queue_latency/" + contract + "/" + entry, labels, [](benchmark::State& st) { queue_latency<Q>(st); })
            ->UseManualTime()
            ->Unit(benchmark::kMicrosecond);
        return s.run();
    });
    prog.run<reference_kind>([&]<class E>(const entry_context&) {
        bench_session s;
        json labels;
        labels["benchmark"] = "latency";
        s.add("cacheline_roundtrip", labels, cacheline_roundtrip)->UseManualTime()->Unit(benchmark::kMicrosecond);
        return s.run();
    });
    return prog.finish();
}
