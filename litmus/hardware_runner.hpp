// The hardware answer to a litmus test: an outcome histogram of the test's
// body over native_world (std::atomic on this CPU), in the style of litmus7
// (Alglave, Maranget, Sarkar, Sewell: "Litmus: running tests against
// hardware", TACAS 2011).
//
// Method (default "batch" synchronisation; see hardware_config for the
// per-instance variant). One worker thread per test thread, each pinned to its own CPU of the
// process's affinity mask (round robin: with more test threads than CPUs the
// test is *oversubscribed*: threads share cores, at most one test thread runs
// on a CPU at any instant, and a weak outcome that needs every thread in
// flight at once, such as RWC's on x86, cannot appear; the answer says so). The runner keeps an array of `batch` test
// instances, each padded to its own 128-byte block (the adjacent-line
// prefetcher pulls 64-byte lines in pairs on x86, so one instance never shares
// a line pair with the next). Per batch: the coordinator (re)constructs the
// instances, releases the workers, the workers meet at a spin barrier so they
// start the batch together, and each runs its thread's part over every
// instance in order; the coordinator then reads every instance's outcome into
// the histogram. Batches repeat until `iterations` instances ran or `budget_s`
// seconds passed, whichever comes first.
//
// Cost: a batch costs one futex wake of the workers and one of the
// coordinator; the instance loop is a few atomic accesses per instance
// (plus one contended fetch_add and a spin per instance under --sync
// instance). The relaxed `meet` counter only aligns the threads in time; the
// test's own accesses follow it and are not ordered by it.
//
// What this can tell: a weak outcome seen is a fact about this CPU and this
// compiler; a weak outcome not seen proves nothing (x86-TSO only ever shows
// SB's). A forbidden outcome seen is a bug in the compiler, the CPU or the
// runner.
#pragma once

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "litmus/litmus_shapes.hpp"
#include "primitives/native_world.hpp"

namespace gauntlet::litmus {

struct hardware_config {
    unsigned long iterations = 10'000'000;  // instances to run (upper bound)
    double budget_s = 1.0;                 // wall-time bound per test
    unsigned batch = 4096;                 // instances per synchronised start
    // Also meet at a per-instance barrier before every instance (litmus7's
    // "-barrier user"), only when every thread has its own CPU. The threads
    // then truly overlap on each instance (SB's weak outcome goes from ~2% to
    // ~15% of runs here) but run ~25x fewer instances per second, so the
    // default batch mode sees more weak outcomes per second.
    bool per_instance_sync = false;
};

struct hardware_answer {
    std::map<std::string, unsigned long> histogram;  // every domain outcome, zeros included
    unsigned long iterations = 0;
    double seconds = 0;
    unsigned threads = 0;
    unsigned cpus = 0;            // CPUs the workers were pinned to
    bool oversubscribed = false;  // more test threads than CPUs: threads share cores
    bool per_instance_sync = false;  // the per-instance barrier was used
};

// The CPUs this process may run on, in ascending order.
inline std::vector<int> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> cpus;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (int c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &set)) cpus.push_back(c);
    if (cpus.empty()) cpus.push_back(0);
    return cpus;
}

inline void pin_current_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);  // best effort: unpinned still runs
}

// Spin on `cond` with a pause; past a few thousand rounds, give the core
// away (threads sharing a core must let the one we wait for run).
template <class Cond>
inline void spin_until(Cond cond) {
    for (unsigned n = 0; !cond(); ++n) {
        if (n < 4096)
            native_world::spin_hint();
        else
            std::this_thread::yield();
    }
}

template <class Entry>
hardware_answer run_on_hardware(const hardware_config& cfg) {
    using shape = typename Entry::shape;
    using body = typename Entry::template body<native_world>;
    constexpr unsigned threads = shape::threads;
    constexpr unsigned domain = domain_size<shape>();

    struct alignas(128) instance {
        body b;
        alignas(64) std::atomic<unsigned> meet{0};  // per-instance start barrier
    };
    const unsigned batch = std::max(1u, cfg.batch);
    std::unique_ptr<instance[]> inst(new instance[batch]);
    // A light fence is a seq_cst fence until the process's first heavy one
    // (world.hpp); one here makes the test's light fences the compiler
    // barriers they are meant to be, also where no thread runs a heavy one.
    native_world::heavy_fence();

    // Coordinator -> workers: `go` is the batch generation (release: the
    // freshly constructed instances and `batch_n` are visible to a worker
    // that acquires the new generation). Workers -> coordinator: `done`
    // counts finished parts (release: a worker's registers and stores are
    // visible to the coordinator that acquires the full count). `arrive` is
    // the start barrier; acq_rel/acquire order it like the other two.
    std::atomic<unsigned long> go{0};
    std::atomic<unsigned long> arrive{0};
    std::atomic<unsigned long> done{0};
    std::atomic<bool> stop{false};
    unsigned batch_n = 0;

    const std::vector<int> cpus = allowed_cpus();
    const bool per_instance = cfg.per_instance_sync && threads <= cpus.size();
    hardware_answer ans;
    ans.threads = threads;
    ans.per_instance_sync = per_instance;
    ans.cpus = static_cast<unsigned>(std::min<std::size_t>(cpus.size(), threads));
    ans.oversubscribed = threads > cpus.size();

    std::vector<std::thread> workers;
    for (unsigned k = 0; k < threads; ++k) {
        workers.emplace_back([&, k] {
            pin_current_thread(cpus[k % cpus.size()]);
            unsigned long seen = 0;
            for (;;) {
                unsigned long g;
                for (unsigned n = 0; (g = go.load(std::memory_order_acquire)) == seen; ++n) {
                    if (n < 1024)
                        native_world::spin_hint();
                    else
                        go.wait(seen, std::memory_order_acquire);
                }
                seen = g;
                if (stop.load(std::memory_order_relaxed)) return;
                arrive.fetch_add(1, std::memory_order_acq_rel);
                spin_until([&] { return arrive.load(std::memory_order_acquire) >= seen * threads; });
                const unsigned n = batch_n;
                if (per_instance) {
                    for (unsigned i = 0; i < n; ++i) {
                        inst[i].meet.fetch_add(1, std::memory_order_relaxed);
                        spin_until([&] { return inst[i].meet.load(std::memory_order_relaxed) >= threads; });
                        inst[i].b.thread(k);
                    }
                } else {
                    for (unsigned i = 0; i < n; ++i) inst[i].b.thread(k);
                }
                done.fetch_add(1, std::memory_order_release);
                done.notify_one();
            }
        });
    }

    std::array<unsigned long, domain> counts{};
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    unsigned long gen = 0;
    while (ans.iterations < cfg.iterations && (gen == 0 || elapsed() < cfg.budget_s)) {
        const unsigned n = static_cast<unsigned>(std::min<unsigned long>(batch, cfg.iterations - ans.iterations));
        for (unsigned i = 0; i < n; ++i) {
            std::destroy_at(&inst[i].b);
            std::construct_at(&inst[i].b);
            inst[i].meet.store(0, std::memory_order_relaxed);
        }
        batch_n = n;
        ++gen;
        go.store(gen, std::memory_order_release);
        go.notify_all();
        for (unsigned long d; (d = done.load(std::memory_order_acquire)) < gen * threads;)
            done.wait(d, std::memory_order_acquire);
        for (unsigned i = 0; i < n; ++i) {
            const outcome o = inst[i].b.read();
            if (o.in_domain<shape>())
                ++counts[o.index<shape>()];
            else
                ++ans.histogram[o.str()];
        }
        ans.iterations += n;
    }
    ans.seconds = elapsed();
    stop.store(true, std::memory_order_relaxed);
    go.store(gen + 1, std::memory_order_release);
    go.notify_all();
    for (auto& w : workers) w.join();

    for (unsigned k = 0; k < domain; ++k) ans.histogram[domain_outcome<shape>(k)] += counts[k];
    return ans;
}

}  // namespace gauntlet::litmus
