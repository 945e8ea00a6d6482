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
//                visible;
//   idle_turn    one immediate that re-queues itself: a turn with one
//                callback and nothing else, turns per second and the loop
//                thread's CPU microseconds per turn;
//   timer_lateness  a task on the loop thread sets 200 timers (1 to 10 ms):
//                how late each ran after its delay (p50, p99), and the share
//                that ran early (before the delay had passed: libuv does,
//                by up to 1 ms);
//   microtask_drain  one posted task queues microtasks so that the drain
//                after it runs 8192 of them (half queued in bulk by the
//                task, half a chain in which each microtask queues the
//                next): microtasks per second, timed on the loop thread;
//   stall_cost   ping-pong while a 1 ms blocking task or CAS loop lands on
//                the loop every 5 ms (see stall_cost below).
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
#include <type_traits>
#include <vector>

#include "bench/bench_session.hpp"
#include "bench/gate_delay.hpp"
#include "bench/pin.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/loop/catalogue.hpp"
#include "primitives/native_world.hpp"

namespace {

using namespace gauntlet;
using clock_type = std::chrono::steady_clock;

std::uint64_t now_ns() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count());
}

struct counter_task {
    std::atomic<std::uint64_t> ran{0};
    static void run(void* p) { static_cast<counter_task*>(p)->ran.fetch_add(1, std::memory_order_release); }
    task as_task() { return {&run, this}; }
};

// The ping-pong's task with the calibration delay (bench/gate_delay.hpp),
// spun on the loop thread while the poster spins waiting for it: an added
// cost per round trip. (Spun by the poster between trips, the same delay
// lets the loop thread fall asleep and a trip costs a wake-up instead.)
struct delayed_counter_task {
    std::atomic<std::uint64_t> ran{0};
    gate_delay::delay delay;
    std::uint64_t ops = 0;  // the loop thread's
    static void run(void* p) {
        auto* self = static_cast<delayed_counter_task*>(p);
        gate_delay::spin(self->delay, self->ops);
        self->ran.fetch_add(1, std::memory_order_release);
    }
    task as_task() { return {&run, this}; }
};
inline void set_delay(delayed_counter_task& t, gate_delay::delay d) { t.delay = d; }
inline void set_delay(counter_task&, gate_delay::delay) {}

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
void ping_pong(benchmark::State& state, gate_delay::delay delay) {
    pin_current_thread(1);
    running_loop<L> r;
    // a normal build (no -Dgate_delay) runs the plain task
    std::conditional_t<gate_delay::compiled_in, delayed_counter_task, counter_task> c;
    set_delay(c, delay);
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

// stall_cost: the ping-pong client's round trips while an intruder thread
// posts, every 5 ms, one task that holds the loop thread about 1 ms:
//   none      no intruder (the baseline);
//   blocking  the task sleeps 1 ms (a blocking call on the loop: seed 000);
//   cas_loop  the task makes 20000 CAS increments of a counter that the
//             client increments too while it waits (a heavy CAS loop on
//             the loop thread under contention: seed 000's listed mistake;
//             alone it takes well under 1 ms, contended far longer).
// Recorded: the client's p50 / p99 / p99.9 / p99.99 and worst round trip,
// and what the stall detector (quota 0.5 ms, Seastar's) named: stalls per
// second. One 1 ms stall in 5 ms touches few of the client's round trips
// (it makes hundreds of thousands a second): the tail and the worst show
// it.
enum class intruder { none, blocking, cas_loop };

template <class L>
void stall_cost(benchmark::State& state, intruder kind) {
    pin_current_thread(1);
    L loop;
    loop.set_stall_quota(500'000);
    loop.ref();
    std::thread loop_thread([&loop] {
        pin_current_thread(0);
        loop.run();
    });
    counter_task c;
    std::atomic<std::uint64_t> shared{0};
    struct intruder_ctx {
        std::atomic<std::uint64_t>* shared;
        intruder kind;
    } ictx{&shared, kind};
    const task heavy{[](void* p) {
                         auto& x = *static_cast<intruder_ctx*>(p);
                         if (x.kind == intruder::blocking) {
                             std::this_thread::sleep_for(std::chrono::milliseconds(1));
                             return;
                         }
                         for (int i = 0; i < 20000; ++i) {
                             std::uint64_t v = x.shared->load(std::memory_order_relaxed);
                             while (!x.shared->compare_exchange_weak(v, v + 1, std::memory_order_acq_rel,
                                                                      std::memory_order_relaxed)) {
                             }
                         }
                     },
                     &ictx};
    std::atomic<bool> stop{false};
    std::thread poster([&] {
        if (kind == intruder::none) return;
        while (!stop.load(std::memory_order_relaxed)) {
            (void)loop.post(heavy);
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });
    std::vector<double> trips;
    trips.reserve(1 << 20);
    std::uint64_t sent = 0;
    const auto start = clock_type::now();
    for (auto _ : state) {
        const auto t0 = clock_type::now();
        (void)loop.post(c.as_task());
        ++sent;
        while (c.ran.load(std::memory_order_acquire) < sent) {
            if (kind == intruder::cas_loop) shared.fetch_add(1, std::memory_order_acq_rel);
            else native_world::spin_hint();
        }
        const double ns = std::chrono::duration<double, std::nano>(clock_type::now() - t0).count();
        if (trips.size() < trips.capacity()) trips.push_back(ns);
        state.SetIterationTime(ns * 1e-9);
    }
    const double secs = std::chrono::duration<double>(clock_type::now() - start).count();
    stop.store(true);
    poster.join();
    loop.unref();
    loop_thread.join();
    state.counters["p50_ns"] = percentile(trips, 0.50);
    state.counters["p99_ns"] = percentile(trips, 0.99);
    state.counters["p999_ns"] = percentile(trips, 0.999);
    state.counters["p9999_ns"] = percentile(trips, 0.9999);
    state.counters["max_ns"] = trips.empty() ? 0.0 : *std::max_element(trips.begin(), trips.end());
    state.counters["stalls_per_second"] = static_cast<double>(loop.stall_count()) / secs;
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

// microtask_drain: per iteration one task is posted to the running loop; on
// the loop thread it reads the clock, queues the head of a chain (a
// microtask that queues the next link until `chained` have run) and then
// `bulk` microtasks at once. The drain after the task runs all of them; the
// last to run (the chain's last link: it is queued after every bulk one)
// reads the clock again. Only that span is the iteration's time: the post
// and the loop's wake-up are left out (ping_pong measures them).
template <class L>
void microtask_drain(benchmark::State& state) {
    constexpr std::uint64_t bulk = 4096, chained = 4096, per_iteration = bulk + chained;
    struct drain_state {
        L* loop = nullptr;
        std::uint64_t ran = 0, chain_left = 0;  // loop thread only
        clock_type::time_point t0{};
        double seconds = 0;  // published by `done`
        // iterations finished, on a line of its own. The client sleeps on
        // it: spinning, it slowed the loop thread by up to 3.5x here, by
        // chance from run to run (virtual CPUs sharing a physical core)
        alignas(128) std::atomic<std::uint64_t> done{0};
        void count() {
            if (++ran == per_iteration) {
                seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
                done.fetch_add(1, std::memory_order_release);
                done.notify_one();
            }
        }
        static void bulk_one(void* p) { static_cast<drain_state*>(p)->count(); }
        static void chain_link(void* p) {
            auto* d = static_cast<drain_state*>(p);
            if (--d->chain_left > 0) d->loop->microtask({&chain_link, p});
            d->count();
        }
        static void start(void* p) {
            auto* d = static_cast<drain_state*>(p);
            d->ran = 0;
            d->chain_left = chained;
            d->t0 = clock_type::now();
            d->loop->microtask({&chain_link, p});
            for (std::uint64_t i = 0; i < bulk; ++i) d->loop->microtask({&bulk_one, p});
        }
    };
    pin_current_thread(1);
    running_loop<L> r;
    drain_state d;
    d.loop = &r.loop;
    std::uint64_t iterations = 0;
    for (auto _ : state) {
        r.loop.post({&drain_state::start, &d});
        ++iterations;
        for (std::uint64_t v; (v = d.done.load(std::memory_order_acquire)) < iterations;)
            d.done.wait(v, std::memory_order_acquire);
        state.SetIterationTime(d.seconds);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(iterations * per_iteration));
}

// idle_turn: per iteration one task is posted; it queues an immediate that
// re-queues itself until `turns` turns have run; the last one reads the
// clock. Time: on the loop thread, from the task to the last immediate.
template <class L>
void idle_turn(benchmark::State& state) {
    constexpr std::uint64_t turns = 4096;
    struct turn_state {
        L* loop = nullptr;
        std::uint64_t left = 0;  // loop thread only
        clock_type::time_point t0{};
        double seconds = 0;  // published by `done`
        alignas(128) std::atomic<std::uint64_t> done{0};
        static void again(void* p) {
            auto* d = static_cast<turn_state*>(p);
            if (--d->left > 0) {
                d->loop->immediate({&again, p});
                return;
            }
            d->seconds = std::chrono::duration<double>(clock_type::now() - d->t0).count();
            d->done.fetch_add(1, std::memory_order_release);
            d->done.notify_one();
        }
        static void start(void* p) {
            auto* d = static_cast<turn_state*>(p);
            d->left = turns;
            d->t0 = clock_type::now();
            d->loop->immediate({&again, p});
        }
    };
    pin_current_thread(1);
    running_loop<L> r;
    turn_state d;
    d.loop = &r.loop;
    std::uint64_t iterations = 0;
    double cpu = 0, wall = 0;
    for (auto _ : state) {
        const double c0 = thread_cpu_seconds(r.thread);
        r.loop.post({&turn_state::start, &d});
        ++iterations;
        for (std::uint64_t v; (v = d.done.load(std::memory_order_acquire)) < iterations;)
            d.done.wait(v, std::memory_order_acquire);
        cpu += thread_cpu_seconds(r.thread) - c0;
        wall += d.seconds;
        state.SetIterationTime(d.seconds);
    }
    const double n = static_cast<double>(iterations * turns);
    state.counters["turns_per_second"] = wall > 0 ? n / wall : 0;
    state.counters["cpu_us_per_turn"] = n > 0 ? cpu / n * 1e6 : 0;
}

// timer_lateness: per iteration a task on the loop thread sets 200 timers,
// delays 1 to 10 ms; each callback records how long after set_timer() it
// ran, minus its delay.
template <class L>
void timer_lateness(benchmark::State& state) {
    constexpr int n = 200;
    struct shot {
        std::uint64_t set_ns = 0, delay_ns = 0, ran_ns = 0;
        std::atomic<int>* fired = nullptr;
        static void run(void* p) {
            auto* s = static_cast<shot*>(p);
            s->ran_ns = now_ns();
            s->fired->fetch_add(1, std::memory_order_release);
        }
    };
    struct arm {
        L* loop;
        std::vector<shot>* shots;
        static void run(void* p) {
            auto* a = static_cast<arm*>(p);
            for (std::size_t i = 0; i < a->shots->size(); ++i) {
                shot& s = (*a->shots)[i];
                const std::uint64_t delay_ms = 1 + i % 10;
                s.delay_ns = delay_ms * 1'000'000;
                s.set_ns = now_ns();
                a->loop->set_timer(delay_ms, {&shot::run, &s});
            }
        }
    };
    pin_current_thread(1);
    running_loop<L> r;
    std::vector<double> late;
    std::uint64_t early = 0;
    for (auto _ : state) {
        std::atomic<int> fired{0};
        std::vector<shot> shots(n);
        for (shot& s : shots) s.fired = &fired;
        arm a{&r.loop, &shots};
        const auto t0 = clock_type::now();
        r.loop.post({&arm::run, &a});
        while (fired.load(std::memory_order_acquire) < n) std::this_thread::sleep_for(std::chrono::microseconds(200));
        state.SetIterationTime(std::chrono::duration<double>(clock_type::now() - t0).count());
        for (const shot& s : shots) {
            const std::uint64_t after = s.ran_ns - s.set_ns;
            if (after < s.delay_ns) ++early;
            late.push_back(after >= s.delay_ns ? static_cast<double>(after - s.delay_ns) : 0.0);
        }
    }
    const double total = static_cast<double>(late.size());
    state.counters["p50_ns"] = percentile(late, 0.50);
    state.counters["p99_ns"] = percentile(late, 0.99);
    state.counters["early_share"] = total > 0 ? static_cast<double>(early) / total : 0;
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
        const gate_delay::delay delay = gate_delay::delay_for(E::name);
        s.add("loop_ping_pong/" + n, labels, [delay](benchmark::State& st) { ping_pong<L>(st, delay); })
            ->UseManualTime();
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
        labels["benchmark"] = "microtask_drain";
        s.add("loop_microtask_drain/" + n, labels, microtask_drain<L>)->UseManualTime();
        labels["benchmark"] = "idle_turn";
        s.add("loop_idle_turn/" + n, labels, idle_turn<L>)->UseManualTime();
        labels["benchmark"] = "stall_cost";
        for (auto [k, kname] : {std::pair{intruder::none, "none"}, std::pair{intruder::blocking, "blocking"},
                                std::pair{intruder::cas_loop, "cas_loop"}}) {
            labels["intruder"] = kname;
            s.add(std::string("loop_stall_cost_") + kname + "/" + n, labels,
                  [k](benchmark::State& st) { stall_cost<L>(st, k); })
                ->UseManualTime();
        }
        labels = json{};
        labels["benchmark"] = "timer_lateness";
        s.add("loop_timer_lateness/" + n, labels, timer_lateness<L>)->UseManualTime()->Iterations(3);
        return s.run();
    });
    return prog.finish();
}
