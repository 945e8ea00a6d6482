// Benchmark check "bench" for every deque in the catalogue (mutants skip it:
// their expectation says so), each entry in its own child, threads pinned
// (the owner on the first allowed CPU, the thief on the second; bench/pin.hpp).
//
// What is held constant: the item (one std::uint64_t), the capacity (64 for
// the owner-only benchmarks and the owner under theft, 1 << 16 for the steal
// benchmark, so a bounded deque holds every item and a growable one starts
// there), the pinning, and the counts below. What varies: the entry.
//
//   deque_batch64/<entry>          owner alone: 64 pushes, then 64 pops, per
//                                  iteration. items_per_second counts items
//                                  (one push and one pop each). The issue's
//                                  gate: chase_lev against mutex_deque.
//   deque_single/<entry>           owner alone: one push, one pop per
//                                  iteration; items_per_second.
//   deque_steal/<entry>            one thief steals 1 << 16 items the owner
//                                  pushed beforehand (a fresh deque per
//                                  iteration; the pushes are not timed), the
//                                  owner idle: steals per second, from the
//                                  thief's first steal to its last (manual
//                                  time). Failed steals are retried and
//                                  counted (failed_steals_per_item).
//   deque_owner_with_thief/<entry> the owner pushes 1 << 16 items per
//                                  iteration in batches of 64, after each
//                                  batch popping until 64 pops or the deque
//                                  reports empty, while one thief steals
//                                  without pause: the owner's pushed items
//                                  per second (manual time, the owner's
//                                  span), and stolen_share, the share the
//                                  thief took. Each iteration's deque is
//                                  warmed up first (one batch pushed and
//                                  popped with no thief: every entry holds
//                                  a batch without growing when timing
//                                  starts).
// Every benchmark checks what it takes: the sum of the items taken equals
// the sum pushed (items left after the owner-under-theft run are drained
// first), else the run ends with an error and the entry's verdict is fail.
//
// Performance claims between two entries are made with interleaved pairs
// (scripts/pairs.py run --pairs A,B), never from one run of this program.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "bench/bench_session.hpp"
#include "bench/pin.hpp"
#include "primitives/deque/catalogue.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"

namespace {

using namespace gauntlet;
using item = std::uint64_t;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t batch = 64;
constexpr std::size_t owner_capacity = 64;
constexpr std::uint64_t steal_items = 1 << 16;
constexpr std::uint64_t owner_items = 1 << 16;

// A thief gives up after this many failed steals in a row while items are
// still owed: a deque that lost an item would otherwise spin forever.
constexpr std::uint64_t give_up_after = std::uint64_t{1} << 26;

template <class D>
void batch64(benchmark::State& state) {
    pin_current_thread(0);
    D d(owner_capacity);
    item sum = 0;
    item next = 1;
    bool ok = true;
    for (auto _ : state) {
        const item first = next;
        for (std::size_t i = 0; i < batch; ++i) ok &= d.push(next++);
        for (std::size_t i = 0; i < batch; ++i) {
            item v = 0;
            ok &= d.pop(v);
            sum += v;
        }
        sum -= batch * first + batch * (batch - 1) / 2;  // what the batch pushed
    }
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
    if (!ok || sum != 0) state.SkipWithError("a push was refused or the pops did not return the batch");
}

template <class D>
void single(benchmark::State& state) {
    pin_current_thread(0);
    D d(owner_capacity);
    item next = 1;
    bool ok = true;
    for (auto _ : state) {
        item v = 0;
        ok &= d.push(next);
        ok &= d.pop(v) && v == next;
        ++next;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    if (!ok) state.SkipWithError("pop did not return the item just pushed");
}

template <class D>
void steal(benchmark::State& state) {
    pin_current_thread(0);
    std::uint64_t failed = 0, stolen_total = 0;
    std::string error;
    for (auto _ : state) {
        D d(steal_items);
        for (item v = 1; v <= steal_items; ++v)
            if (!d.push(v)) error = "a push was refused below the bound";
        double seconds = 0;
        item sum = 0;
        std::uint64_t got = 0, misses = 0;
        std::thread thief([&] {
            pin_current_thread(1);
            const auto t0 = clock_type::now();
            std::uint64_t in_a_row = 0;
            while (got < steal_items && in_a_row < give_up_after) {
                item v = 0;
                if (d.steal(v) == steal_status::success) {
                    sum += v;
                    ++got;
                    in_a_row = 0;
                } else {
                    ++misses;
                    ++in_a_row;
                }
            }
            seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
        });
        thief.join();
        state.SetIterationTime(seconds);
        failed += misses;
        stolen_total += got;
        if (got != steal_items || sum != steal_items * (steal_items + 1) / 2)
            error = "the thief did not take every item pushed exactly once";
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(stolen_total));
    state.counters["failed_steals_per_item"] =
        stolen_total ? static_cast<double>(failed) / static_cast<double>(stolen_total) : 0.0;
    if (!error.empty()) state.SkipWithError(error.c_str());
}

template <class D>
void owner_with_thief(benchmark::State& state) {
    pin_current_thread(0);
    std::uint64_t pushed_total = 0, stolen_total = 0;
    std::string error;
    for (auto _ : state) {
        D d(owner_capacity);
        // Warm-up before the thief starts: one batch pushed and popped, so
        // a growable deque that ignores the capacity asked for (the xenium
        // adapter starts at 2) has grown to hold a batch before the timed
        // span, and no entry allocates inside it.
        for (item v = 1; v <= batch; ++v) d.push(v);
        for (item v = 0; d.pop(v);) {}
        std::atomic<bool> ready{false}, stop{false};
        item stolen_sum = 0;
        std::uint64_t stolen = 0;
        std::thread thief([&] {
            pin_current_thread(1);
            ready.store(true, std::memory_order_release);
            while (!stop.load(std::memory_order_relaxed)) {
                item v = 0;
                if (d.steal(v) == steal_status::success) {
                    stolen_sum += v;
                    ++stolen;
                }
            }
        });
        while (!ready.load(std::memory_order_acquire)) native_world::spin_hint();
        item popped_sum = 0;
        item next = 1;
        const auto t0 = clock_type::now();
        while (next <= owner_items) {
            for (std::size_t i = 0; i < batch; ++i) {
                while (!d.push(next)) {  // bounded and full: make room
                    item v = 0;
                    if (d.pop(v)) popped_sum += v;
                }
                ++next;
            }
            for (std::size_t i = 0; i < batch; ++i) {
                item v = 0;
                if (!d.pop(v)) break;
                popped_sum += v;
            }
        }
        const double seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
        stop.store(true, std::memory_order_relaxed);
        thief.join();
        for (item v = 0; d.pop(v);) popped_sum += v;  // what the owner's last pops left
        state.SetIterationTime(seconds);
        pushed_total += owner_items;
        stolen_total += stolen;
        if (popped_sum + stolen_sum != owner_items * (owner_items + 1) / 2)
            error = "items taken differ from items pushed (lost or taken twice)";
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(pushed_total));
    state.counters["stolen_share"] =
        pushed_total ? static_cast<double>(stolen_total) / static_cast<double>(pushed_total) : 0.0;
    if (!error.empty()) state.SkipWithError(error.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    check_program prog("bench_deque", check_kind::bench,
                       "Benchmarks every deque entry: the owner's push+pop in batches of 64 and one at a time,\n"
                       "one thief's steals, the owner's throughput while a thief steals; pinned.",
                       300.0);
    if (const int status = parse_bench_program(prog, argc, argv); status >= 0) return status;
    prog.run<deque_kind>([&]<class E>(const entry_context&) {
        using D = typename E::template type<native_world>;
        bench_session s;
        const std::string n(E::name);
        json labels;
        labels["thieves"] = 0;
        labels["benchmark"] = "batch64";
        s.add("deque_batch64/" + n, labels, batch64<D>);
        labels["benchmark"] = "single";
        s.add("deque_single/" + n, labels, single<D>);
        labels["thieves"] = 1;
        labels["benchmark"] = "steal";
        s.add("deque_steal/" + n, labels, steal<D>)->UseManualTime();
        labels["benchmark"] = "owner_with_thief";
        s.add("deque_owner_with_thief/" + n, labels, owner_with_thief<D>)->UseManualTime();
        return s.run();
    });
    return prog.finish();
}
