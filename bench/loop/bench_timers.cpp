// Benchmarks of every timer entry (bench check; primitives/loop/
// timer_catalogue.hpp), on one thread pinned to the first allowed CPU.
// Held constant: the number of timers (label `timers`) and their deadlines,
// uniform over [0, 2^20) ms from a fixed seed, the same for every entry;
// varied: the entry. The queue is filled outside the timed part where the
// benchmark times something else (manual time).
//
//   timer_insert  add every timer to an empty queue (its storage grows as it
//                 fills): timers added per second (items_per_second);
//   timer_fire    every timer pending, time moves as a sleeping loop's
//                 would: to next_deadline(), then a timer phase pops every
//                 due timer: timers fired per second (items_per_second) and
//                 phases per timer (a lower bound, the wheel's, wakes the
//                 loop early at cascades);
//   timer_cancel  every timer pending, each cancelled once, in a random
//                 order: timers cancelled per second (items_per_second).
// Mutants are not timed (their bench expectation is skip). Performance
// claims between two entries are made with interleaved pairs
// (scripts/gauntlet bench --pairs A,B), never from one run of this program.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_session.hpp"
#include "bench/pin.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/loop/timer_catalogue.hpp"

namespace {

using namespace gauntlet;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t timers = 1'000'000;
constexpr std::uint64_t deadline_range = std::uint64_t{1} << 20;  // ms, about 17 minutes

// The deadlines every entry gets, in the order they are added.
const std::vector<std::uint64_t>& deadlines() {
    static const std::vector<std::uint64_t> d = [] {
        std::mt19937_64 rng(20240612);
        std::uniform_int_distribution<std::uint64_t> pick(0, deadline_range - 1);
        std::vector<std::uint64_t> out(timers);
        for (auto& x : out) x = pick(rng);
        return out;
    }();
    return d;
}

// The order timer_cancel cancels them in: a fixed random permutation.
const std::vector<std::size_t>& cancel_order() {
    static const std::vector<std::size_t> p = [] {
        std::vector<std::size_t> out(timers);
        for (std::size_t i = 0; i < timers; ++i) out[i] = i;
        std::shuffle(out.begin(), out.end(), std::mt19937_64(20240613));
        return out;
    }();
    return p;
}

void no_op(void*) {}
constexpr task tick{&no_op, nullptr};

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

template <class Q>
void timer_insert(benchmark::State& state) {
    pin_current_thread(0);
    const auto& d = deadlines();
    double timed = 0;
    std::uint64_t added = 0;
    for (auto _ : state) {
        Q q;
        const auto t0 = clock_type::now();
        for (const std::uint64_t x : d) q.add(x, tick);
        const double s = seconds_since(t0);
        state.SetIterationTime(s);
        timed += s;
        added += d.size();
        if (q.size() != d.size()) state.SkipWithError("the queue does not hold every timer added");
    }
    state.counters["items_per_second"] = timed > 0 ? static_cast<double>(added) / timed : 0;
}

template <class Q>
void timer_fire(benchmark::State& state) {
    pin_current_thread(0);
    const auto& d = deadlines();
    double timed = 0;
    std::uint64_t fired = 0, phases = 0;
    for (auto _ : state) {
        Q q;
        for (const std::uint64_t x : d) q.add(x, tick);
        std::uint64_t now = 0, n = 0;
        const auto t0 = clock_type::now();
        while (const std::optional<std::uint64_t> next = q.next_deadline()) {
            now = std::max(now, *next);
            const std::uint64_t seq_limit = q.next_seq();
            task out;
            while (q.pop_due(now, seq_limit, out)) {
                benchmark::DoNotOptimize(out);
                ++n;
            }
            ++phases;
        }
        const double s = seconds_since(t0);
        state.SetIterationTime(s);
        timed += s;
        fired += n;
        if (n != d.size()) state.SkipWithError("not every timer fired");
    }
    state.counters["items_per_second"] = timed > 0 ? static_cast<double>(fired) / timed : 0;
    state.counters["phases_per_timer"] = fired > 0 ? static_cast<double>(phases) / static_cast<double>(fired) : 0;
}

template <class Q>
void timer_cancel(benchmark::State& state) {
    pin_current_thread(0);
    const auto& d = deadlines();
    const auto& order = cancel_order();
    std::vector<timer_id> ids(d.size()), shuffled(d.size());
    double timed = 0;
    std::uint64_t cancelled = 0;
    for (auto _ : state) {
        Q q;
        for (std::size_t i = 0; i < d.size(); ++i) ids[i] = q.add(d[i], tick);
        for (std::size_t i = 0; i < d.size(); ++i) shuffled[i] = ids[order[i]];
        std::uint64_t n = 0;
        const auto t0 = clock_type::now();
        for (const timer_id id : shuffled) n += q.cancel(id) ? 1 : 0;
        const double s = seconds_since(t0);
        state.SetIterationTime(s);
        timed += s;
        cancelled += n;
        if (n != d.size() || q.size() != 0) state.SkipWithError("a pending timer's cancel returned false");
    }
    state.counters["items_per_second"] = timed > 0 ? static_cast<double>(cancelled) / timed : 0;
}

}  // namespace

int main(int argc, char** argv) {
    check_program prog("bench_timers", check_kind::bench,
                       "Benchmarks every timer entry: insert, fire (time moving to each next deadline) and\n"
                       "cancel (random order) of 1000000 timers with deadlines spread over 2^20 ms; pinned.",
                       300.0);
    if (const int status = parse_bench_program(prog, argc, argv); status >= 0) return status;
    prog.run<timer_kind>([&]<class E>(const entry_context&) {
        using Q = typename E::template type<void>;
        bench_session s;
        const std::string n(E::name);
        json labels;
        labels["timers"] = static_cast<std::int64_t>(timers);
        labels["benchmark"] = "timer_insert";
        s.add("timer_insert/" + n, labels, timer_insert<Q>)->UseManualTime();
        labels["benchmark"] = "timer_fire";
        s.add("timer_fire/" + n, labels, timer_fire<Q>)->UseManualTime();
        labels["benchmark"] = "timer_cancel";
        s.add("timer_cancel/" + n, labels, timer_cancel<Q>)->UseManualTime();
        return s.run();
    });
    return prog.finish();
}
