// bench, lifecycle: the cost of admission and of closing, per catalogue entry
// (mutants skip bench: their expectation says so), each entry in its child.
//
//  * enter_exit/threads:1 - try_enter()+exit() on a RUNNING service, one
//    thread pinned to CPU 0: the uncontended cost of admitting one unit.
//  * enter_exit/threads:2 - the same from two threads pinned to CPUs 0 and 1,
//    both on one service: the cost when admissions contend for its line(s).
//  * drain_to_closed - one admitted unit; timed (steady_clock around the
//    span, set-up excluded): drain(), the unit's exit(), and wait_closed()
//    returning: the latency of the closing path, one thread.
// Held constant: pinning, one service per benchmark, no work inside a unit.
// One bench verdict per entry (bench/bench_session.hpp): pass iff its
// benchmarks ran without error; their figures are the record's metrics.
#include <benchmark/benchmark.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "bench/bench_session.hpp"
#include "bench/gate_delay.hpp"
#include "bench/pin.hpp"
#include "primitives/lifecycle/catalogue.hpp"
#include "primitives/native_world.hpp"

namespace {

using namespace gauntlet;

template <class L>
void enter_exit(benchmark::State& state, gate_delay::delay delay) {
    std::uint64_t ops = 0;
    std::uint32_t extra = 0;
    static std::unique_ptr<L> shared;
    if (state.thread_index() == 0) {
        shared = std::make_unique<L>(close_hook{});
        shared->start();
    }
    pin_current_thread(static_cast<unsigned>(state.thread_index()));
    for (auto _ : state) {
        // (the service is created before any thread leaves the first
        // iteration: Google Benchmark starts timing on a barrier)
        if (!shared->try_enter()) {
            state.SkipWithError("try_enter refused on a RUNNING service");
            break;
        }
        shared->exit();
        gate_delay::spin(delay, ops);
        // the calibration's repeat (gate_delay.hpp): the same pair once more,
        // not counted (admitted: the service stays RUNNING throughout)
        if (gate_delay::repeat_due(delay, extra) && shared->try_enter()) shared->exit();
    }
    state.SetItemsProcessed(state.iterations());
}

template <class L>
void drain_to_closed(benchmark::State& state) {
    pin_current_thread(0);
    for (auto _ : state) {
        std::optional<L> life;  // set-up outside the timed span, no allocation
        life.emplace(close_hook{});
        life->start();
        const bool admitted = life->try_enter();
        const auto t0 = std::chrono::steady_clock::now();
        life->drain();
        if (admitted) life->exit();
        life->wait_closed();
        const auto t1 = std::chrono::steady_clock::now();
        state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
        if (!admitted) {
            state.SkipWithError("try_enter refused on a RUNNING service");
            break;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    check_program prog("bench_lifecycle", check_kind::bench,
                       "Benchmarks every lifecycle entry (admission cost, closing latency), pinned.", 300.0);
    if (const int status = parse_bench_program(prog, argc, argv); status >= 0) return status;
    prog.run<lifecycle_kind>([&]<class E>(const entry_context&) {
        using L = typename E::template type<native_world>;
        bench_session s;
        json labels;
        labels["benchmark"] = "enter_exit";
        const gate_delay::delay delay = gate_delay::delay_for(E::name);
        s.add("lifecycle_enter_exit/" + std::string(E::name), labels,
              [delay](benchmark::State& st) { enter_exit<L>(st, delay); })
            ->Threads(1)
            ->Threads(2)
            ->UseRealTime();
        labels["benchmark"] = "drain_to_closed";
        s.add("lifecycle_drain_to_closed/" + std::string(E::name), labels, drain_to_closed<L>)->UseManualTime();
        return s.run();
    });
    return prog.finish();
}
