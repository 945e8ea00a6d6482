// Benchmark check "bench" for every pool that is not a mutant, each entry in
// its own child; the outside (submitting, draining) thread is pinned to the
// first allowed CPU (bench/pin.hpp), the pool's 2 workers run on the CPUs
// the process may use (scripts/pairs.py runs every process under the same
// taskset).
//
// The set is tokio's runtime benchmarks (benches/rt_multi_threaded.rs:
// spawn_many_local, spawn_many_remote_idle, yield_many, ping_pong,
// chained_spawn), each made of jobs on this contract; a job does no work of
// its own beyond what the benchmark says, so the pool's overhead is what is
// measured. Every iteration ends with drain(); the figure is jobs run per
// second of wall time (items_per_second; the outside thread sleeps in the
// drain, so its CPU time says nothing), and each benchmark checks that the count of
// jobs run is the count submitted (else the run errs and the verdict fails).
//
//   spawn_outside/<entry>  the outside thread submits 10000 jobs, drains
//                          (tokio: spawn_many_remote_idle)
//   spawn_inside/<entry>   one job submits 10000 jobs from inside its worker
//                          (tokio: spawn_many_local); the gate:
//                          work_stealing >= global_queue, within 1.5x of tbb
//   yield_many/<entry>     100 jobs each resubmit themselves 200 times (a
//                          job's yield: back into the pool)
//   ping_pong/<entry>      1000 pairs from outside; each ping submits its pong
//                          from inside, 10 round trips a pair
//   chained_spawn/<entry>  one chain of 1000 jobs, each submitting the next
//   bridge_latency/<pair>  for every bridge pair that is not a mutant
//                          (primitives/pool/bridge_catalogue.hpp, its own
//                          record, component pool.bridge): submit-to-
//                          completion through the bridge; the loop thread
//                          schedules a task, whose completion on the loop
//                          thread (work_task: then(); promise_task: the
//                          reaction) schedules the next, 1000 in a row per
//                          iteration (--bridge-rounds; the smoke test 50); p50_ns, p99_ns and p999_ns of schedule()
//                          to completion (the pool's wake-up, the job, the
//                          post and the loop's)
//
// Performance claims between two entries are made with interleaved pairs
// (scripts/pairs.py run --pairs A,B), never from one run of this program.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <algorithm>
#include <chrono>

#include "bench/bench_session.hpp"
#include "bench/pin.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/loop/basic_loop.hpp"
#include "primitives/loop/channels.hpp"
#include "primitives/native_world.hpp"
#include "primitives/pool/bridge.hpp"
#include "primitives/pool/bridge_catalogue.hpp"
#include "primitives/pool/bridge_erased.hpp"
#include "primitives/pool/catalogue.hpp"

namespace {

using namespace gauntlet;

template <class P>
struct bench_job : pool_job {
    P* pool = nullptr;
    std::atomic<std::uint64_t>* ran = nullptr;
    bench_job* next = nullptr;        // spawn_inside: the array; ping_pong: the partner; chained: the next
    std::uint32_t count = 0;          // spawn_inside: jobs to submit; yield/ping: rounds left
};

// A job that only counts itself.
template <class P>
void count_run(pool_job* p) {
    static_cast<bench_job<P>*>(p)->ran->fetch_add(1, std::memory_order_relaxed);
}

// The timed loop every benchmark here shares: submit one iteration's jobs,
// drain, and at the end hold that `per_iteration` jobs ran per iteration.
template <class P, class Submit>
void timed(benchmark::State& state, P& pool, const std::atomic<std::uint64_t>& ran, std::uint64_t per_iteration,
           Submit&& submit) {
    for (auto _ : state) {
        submit();
        pool.drain();
    }
    const std::uint64_t expected = per_iteration * static_cast<std::uint64_t>(state.iterations());
    state.SetItemsProcessed(static_cast<std::int64_t>(expected));
    if (ran.load() != expected) state.SkipWithError("jobs run differ from jobs submitted");
}

template <class P>
void spawn_outside(benchmark::State& state) {
    pin_current_thread(0);
    constexpr std::uint32_t n = 10000;
    P pool(2u);
    std::atomic<std::uint64_t> ran{0};
    std::vector<bench_job<P>> jobs(n);
    for (auto& j : jobs) {
        j.ran = &ran;
        j.run = &count_run<P>;
    }
    timed(state, pool, ran, n, [&] {
        for (auto& j : jobs) pool.submit(&j);
    });
}

template <class P>
void spawn_inside(benchmark::State& state) {
    pin_current_thread(0);
    constexpr std::uint32_t n = 10000;
    P pool(2u);
    std::atomic<std::uint64_t> ran{0};
    std::vector<bench_job<P>> jobs(n + 1);
    for (std::uint32_t i = 1; i <= n; ++i) {
        jobs[i].ran = &ran;
        jobs[i].run = &count_run<P>;
    }
    jobs[0].pool = &pool;
    jobs[0].next = &jobs[1];
    jobs[0].count = n;
    jobs[0].run = [](pool_job* p) {
        auto* j = static_cast<bench_job<P>*>(p);
        for (std::uint32_t i = 0; i < j->count; ++i) j->pool->submit(&j->next[i]);
    };
    timed(state, pool, ran, n, [&] { pool.submit(&jobs[0]); });
}

template <class P>
void yield_many(benchmark::State& state) {
    pin_current_thread(0);
    constexpr std::uint32_t jobs_n = 100, yields = 200;
    P pool(2u);
    std::atomic<std::uint64_t> ran{0};
    std::vector<bench_job<P>> jobs(jobs_n);
    for (auto& j : jobs) {
        j.pool = &pool;
        j.ran = &ran;
        j.run = [](pool_job* p) {
            auto* j = static_cast<bench_job<P>*>(p);
            j->ran->fetch_add(1, std::memory_order_relaxed);
            if (--j->count > 0) j->pool->submit(j);
        };
    }
    timed(state, pool, ran, std::uint64_t{jobs_n} * yields, [&] {
        for (auto& j : jobs) {
            j.count = yields;
            pool.submit(&j);
        }
    });
}

template <class P>
void ping_pong(benchmark::State& state) {
    pin_current_thread(0);
    constexpr std::uint32_t pairs = 1000, rounds = 10;
    P pool(2u);
    std::atomic<std::uint64_t> ran{0};
    std::vector<bench_job<P>> jobs(2 * pairs);
    for (std::uint32_t i = 0; i < pairs; ++i) {
        bench_job<P>& ping = jobs[2 * i];
        bench_job<P>& pong = jobs[2 * i + 1];
        for (auto* j : {&ping, &pong}) {
            j->pool = &pool;
            j->ran = &ran;
            j->run = [](pool_job* p) {
                auto* j = static_cast<bench_job<P>*>(p);
                j->ran->fetch_add(1, std::memory_order_relaxed);
                if (j->count > 0) {
                    --j->count;
                    j->pool->submit(j->next);
                }
            };
        }
        ping.next = &pong;
        pong.next = &ping;
    }
    timed(state, pool, ran, std::uint64_t{pairs} * 2 * rounds, [&] {
        for (std::uint32_t i = 0; i < pairs; ++i) {
            jobs[2 * i].count = rounds;
            jobs[2 * i + 1].count = rounds - 1;
            pool.submit(&jobs[2 * i]);
        }
    });
}

template <class P>
void chained_spawn(benchmark::State& state) {
    pin_current_thread(0);
    constexpr std::uint32_t n = 1000;
    P pool(2u);
    std::atomic<std::uint64_t> ran{0};
    std::vector<bench_job<P>> jobs(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        jobs[i].pool = &pool;
        jobs[i].ran = &ran;
        jobs[i].next = i + 1 < n ? &jobs[i + 1] : nullptr;
        jobs[i].run = [](pool_job* p) {
            auto* j = static_cast<bench_job<P>*>(p);
            j->ran->fetch_add(1, std::memory_order_relaxed);
            if (j->next) j->pool->submit(j->next);
        };
    }
    timed(state, pool, ran, n, [&] { pool.submit(&jobs[0]); });
}

// The pair's pool and loop come in behind virtual calls
// (primitives/pool/bridge_erased.hpp): one instantiation per mode, not per
// pair. work_task: schedule() to then(); promise_task: schedule() to the
// reaction (the microtask after then()).
using pool_maker = std::unique_ptr<any_pool> (*)(unsigned);
using loop_maker = std::unique_ptr<any_loop> (*)();

template <bool promise>
void bridge_latency(benchmark::State& state, pool_maker make_pool, loop_maker make_loop, std::uint32_t rounds) {
    using clock = std::chrono::steady_clock;
    const std::unique_ptr<any_pool> pool = make_pool(2u);
    struct ctx;
    using T = std::conditional_t<promise, promise_task<any_pool, any_loop, ctx>, work_task<any_pool, any_loop, ctx>>;
    struct ctx {
        T* self = nullptr;
        std::vector<std::int64_t>* ns = nullptr;
        clock::time_point t0{};
        std::uint32_t left = 0;
        void run() {}
        void completed() {
            ns->push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - t0).count());
            if (--left > 0) {
                t0 = clock::now();
                self->schedule();
            }
        }
        void then() {
            if (!promise) completed();
        }
        void reaction() { completed(); }
    };
    std::vector<std::int64_t> ns;
    ns.reserve(rounds * 64);
    std::string error;
    for (auto _ : state) {
        const std::unique_ptr<any_loop> loop = make_loop();
        T t(*pool, *loop);
        t.ctx.self = &t;
        t.ctx.ns = &ns;
        t.ctx.left = rounds;
        struct start_t {
            T* t;
        } start{&t};
        loop->post(task{[](void* p) {
                            T* t = static_cast<start_t*>(p)->t;
                            t->ctx.t0 = clock::now();
                            t->schedule();
                        },
                        &start});
        std::thread loop_thread([&] {
            pin_current_thread(0);
            loop->run();
        });
        loop_thread.join();
        if (t.ctx.left != 0) error = "the loop returned before every completion ran";
    }
    pool->shutdown();
    if (ns.empty()) {
        state.SkipWithError("no completion measured");
        return;
    }
    std::sort(ns.begin(), ns.end());
    auto at = [&](double q) { return static_cast<double>(ns[static_cast<std::size_t>(q * (ns.size() - 1))]); };
    state.counters["p50_ns"] = at(0.5);
    state.counters["p99_ns"] = at(0.99);
    state.counters["p999_ns"] = at(0.999);
    if (!error.empty()) state.SkipWithError(error.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    check_program prog("bench_pool", check_kind::bench,
                       "Benchmarks every pool entry (2 workers): spawn-many from outside and from inside a worker,\n"
                       "yield-many, ping-pong, chained spawn (tokio's rt_multi_threaded set); submit-to-completion\n"
                       "latency through the bridge for every pool x loop pair.",
                       300.0);
    std::uint32_t bridge_rounds = 1000;
    prog.options().option("--bridge-rounds", "N",
                          "bridge_latency: completions in a row per iteration (default 1000; the smoke test: 50)",
                          bridge_rounds, 1u, 10000000u);
    if (const int status = parse_bench_program(prog, argc, argv); status >= 0) return status;
    prog.run<pool_kind>([&]<class E>(const entry_context&) -> result {
        if constexpr (E::expected.bench.kind == expect::skip) {
            return result::fail("the body of an entry whose bench check is skipped ran");
        } else {
            using P = typename E::template type<native_world>;
            bench_session s;
            const std::string n(E::name);
            json labels;
            labels["workers"] = 2;
            labels["benchmark"] = "spawn_outside";
            s.add("spawn_outside/" + n, labels, spawn_outside<P>)->UseRealTime();
            labels["benchmark"] = "spawn_inside";
            s.add("spawn_inside/" + n, labels, spawn_inside<P>)->UseRealTime();
            labels["benchmark"] = "yield_many";
            s.add("yield_many/" + n, labels, yield_many<P>)->UseRealTime();
            labels["benchmark"] = "ping_pong";
            s.add("ping_pong/" + n, labels, ping_pong<P>)->UseRealTime();
            labels["benchmark"] = "chained_spawn";
            s.add("chained_spawn/" + n, labels, chained_spawn<P>)->UseRealTime();
            return s.run();
        }
    });
    prog.run<bridge_kind>([&]<class E>(const entry_context&) -> result {
        if constexpr (E::expected.bench.kind == expect::skip) {
            return result::fail("the body of a pair whose bench check is skipped ran");
        } else {
            constexpr bool promise = E::mode == bridge_mode::promise_task;
            bench_session s;
            json labels;
            labels["workers"] = 2;
            labels["benchmark"] = "bridge_latency";
            labels["rounds"] = bridge_rounds;
            s.add("bridge_latency/" + std::string(E::name), labels, [&](benchmark::State& st) {
                 bridge_latency<promise>(st, &make_erased_pool<typename E::pool_entry>,
                                         &make_erased_loop<typename E::loop_entry>, bridge_rounds);
             })->UseRealTime();
            return s.run();
        }
    });
    return prog.finish();
}
