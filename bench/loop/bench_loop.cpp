// Benchmarks of every loop entry (bench check), threads pinned (the loop
// thread on the first allowed CPU, the others on the second):
//
//   ping_pong    a client posts one task and spins until it has run, then
//                the next: round trips per second and the round trip's
//                p50 / p99 / p99.9 (each round trip timed with steady_clock);
//   post_flood   1 or 2 producers post as fast as they can while the loop
//                runs them: tasks per second, and wake-up writes per post
//                (what coalescing saves);
//   idle_cpu     the loop kept alive with nothing to do for each iteration's
//                20 ms: CPU time the loop thread burns per second of idling
//                (pthread_getcpuclockid), the polling loop's cost made
//                visible.
// Performance claims between two entries are made with interleaved pairs
// (scripts/gauntlet bench --pairs A,B), never from one run of this program.
#include <benchmark/benchmark.h>
#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_session.hpp"
#include "bench/pin.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/loop/catalogue.hpp"
#include "primitives/native_world.hpp"

namespace {

using namespace gauntlet;
using clock_type = std::chrono::steady_clock;

struct counter_task {
    std::atomic<std::uint64_t> ran{0};
    static void run(void* p) { static_cast<counter_task*>(p)->ran.fetch_add(1, std::memory_order_release); }
    task as_task() { return {&run, this}; }
};

// The loop thread, pinned, running until the keep-alive is dropped.
template <class L>
struct running_loop {
    L loop;
    std::thread thread;
    running_loop() {
        loop.ref();
        thread = std::thread([this] {
            pin_current_thread(0);
            loop.run();
        });
    }
    ~running_loop() {
        loop.unref();
        thread.join();
    }
};

double percentile(std::vector<double>& xs, double q) {
    if (xs.empty()) return 0;
    const std::size_t k = std::min(xs.size() - 1, static_cast<std::size_t>(q * static_cast<double>(xs.size())));
    std::nth_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(k), xs.end());
    return xs[k];
}

template <class L>
void ping_pong(benchmark::State& state) {
    pin_current_thread(1);
    running_loop<L> r;
    counter_task c;
    std::vector<double> trips;
    trips.reserve(1 << 20);
    std::uint64_t sent = 0;
    for (auto _ : state) {
        const auto t0 = clock_type::now();
        r.loop.post(c.as_task());
        ++sent;
        while (c.ran.load(std::memory_order_acquire) < sent) native_world::spin_hint();
        const double ns = std::chrono::duration<double, std::nano>(clock_type::now() - t0).count();
        if (trips.size() < trips.capacity()) trips.push_back(ns);
        state.SetIterationTime(ns * 1e-9);
    }
    state.counters["round_trips_per_second"] = benchmark::Counter(static_cast<double>(sent), benchmark::Counter::kIsRate);
    state.counters["p50_ns"] = percentile(trips, 0.50);
    state.counters["p99_ns"] = percentile(trips, 0.99);
    state.counters["p999_ns"] = percentile(trips, 0.999);
}

template <class L>
void post_flood(benchmark::State& state, unsigned producers) {
    constexpr std::uint64_t batch = 20000;  // posts per producer per iteration
    std::uint64_t posts = 0, wakes = 0;
    for (auto _ : state) {
        running_loop<L> r;
        counter_task c;
        std::uint64_t w0 = 0;
        if constexpr (requires { r.loop.wake_writes(); }) w0 = r.loop.wake_writes();
        const auto t0 = clock_type::now();
        std::vector<std::thread> ts;
        for (unsigned p = 0; p < producers; ++p)
            ts.emplace_back([&, p] {
                pin_current_thread(1 + p);
                for (std::uint64_t i = 0; i < batch; ++i) r.loop.post(c.as_task());
            });
        for (auto& t : ts) t.join();
        while (c.ran.load(std::memory_order_acquire) < batch * producers) native_world::spin_hint();
        state.SetIterationTime(std::chrono::duration<double>(clock_type::now() - t0).count());
        posts += batch * producers;
        if constexpr (requires { r.loop.wake_writes(); }) wakes += r.loop.wake_writes() - w0;
    }
    state.counters["tasks_per_second"] = benchmark::Counter(static_cast<double>(posts), benchmark::Counter::kIsRate);
    if constexpr (requires(L& l) { l.wake_writes(); })  // not observable for libuv (it coalesces inside)
        state.counters["wake_writes_per_post"] = posts ? static_cast<double>(wakes) / static_cast<double>(posts) : 0;
}

double thread_cpu_seconds(std::thread& t) {
    clockid_t id;
    if (pthread_getcpuclockid(t.native_handle(), &id) != 0) return 0;
    timespec ts{};
    clock_gettime(id, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <class L>
void idle_cpu(benchmark::State& state) {
    running_loop<L> r;
    double busy = 0, wall = 0;
    for (auto _ : state) {
        const double c0 = thread_cpu_seconds(r.thread);
        const auto t0 = clock_type::now();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const double w = std::chrono::duration<double>(clock_type::now() - t0).count();
        busy += thread_cpu_seconds(r.thread) - c0;
        wall += w;
        state.SetIterationTime(w);
    }
    state.counters["loop_cpu_us_per_s"] = wall > 0 ? busy / wall * 1e6 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    check_program prog("bench_loop", check_kind::bench,
                       "Benchmarks every loop entry: cross-thread ping-pong, post flood (1 and 2 producers),\n"
                       "CPU burnt while idle; pinned.",
                       300.0);
    if (const int status = parse_bench_program(prog, argc, argv); status >= 0) return status;
    prog.run<loop_kind>([&]<class E>(const entry_context&) {
        using L = typename E::template type<native_world>;
        bench_session s;
        const std::string n(E::name);
        json labels;
        labels["benchmark"] = "ping_pong";
        s.add("loop_ping_pong/" + n, labels, ping_pong<L>)->UseManualTime();
        labels["benchmark"] = "post_flood";
        for (unsigned producers : {1u, 2u}) {
            labels["producers"] = producers;
            s.add("loop_post_flood_" + std::to_string(producers) + "p/" + n, labels,
                  [producers](benchmark::State& st) { post_flood<L>(st, producers); })
                ->UseManualTime();
        }
        labels = json{};
        labels["benchmark"] = "idle_cpu";
        s.add("loop_idle_cpu/" + n, labels, idle_cpu<L>)->UseManualTime()->Iterations(5);
        return s.run();
    });
    return prog.finish();
}
