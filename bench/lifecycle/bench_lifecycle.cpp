// bench, lifecycle: the cost of admission and of closing, per catalogue entry
// (mutants included: what a broken shortcut would buy), all in one run.
//
//  * enter_exit/threads:1 - try_enter()+exit() on a RUNNING service, one
//    thread pinned to CPU 0: the uncontended cost of admitting one unit.
//  * enter_exit/threads:2 - the same from two threads pinned to CPUs 0 and 1,
//    both on one service: the cost when admissions contend for its line(s).
//  * drain_to_closed - one admitted unit; timed (steady_clock around the
//    span, set-up excluded): drain(), the unit's exit(), and wait_closed()
//    returning: the latency of the closing path, one thread.
// Held constant: pinning, one service per benchmark, no work inside a unit.
// After the run, one bench verdict per entry: pass iff every benchmark of the
// entry ran without error.
#include <benchmark/benchmark.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "bench/pin.hpp"
#include "primitives/lifecycle/catalogue.hpp"
#include "primitives/native_world.hpp"

namespace {

using namespace gauntlet;

template <class L>
void enter_exit(benchmark::State& state) {
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

// Collects errors per entry while printing as usual.
class verdict_reporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& r : runs) {
            const std::string name = r.benchmark_name();
            const auto entry = name.substr(name.find('/') + 1, name.find('/', name.find('/') + 1) - name.find('/') - 1);
            auto& s = seen_[entry];
            ++s.runs;
            if (r.error_occurred) {
                ++s.errors;
                s.message = r.error_message;
            }
        }
        ConsoleReporter::ReportRuns(runs);
    }
    struct tally {
        int runs = 0, errors = 0;
        std::string message;
    };
    std::map<std::string, tally> seen_;
};

}  // namespace

int main(int argc, char** argv) {
    for_each_entry(lifecycle_catalogue{}, []<class E>() {
        {
            using L = typename E::template type<native_world>;
            const std::string n(E::name);
            benchmark::RegisterBenchmark(("lifecycle_enter_exit/" + n).c_str(), enter_exit<L>)->Threads(1)->Threads(2)->UseRealTime();
            benchmark::RegisterBenchmark(("lifecycle_drain_to_closed/" + n).c_str(), drain_to_closed<L>)->UseManualTime();
        }
    });
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    verdict_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    verdict_log log("bench");
    for_each_entry(lifecycle_catalogue{}, [&]<class E>() {
        {
            record r = record_for<E>(lifecycle_component);
            r.expected = E::expected.bench;
            const auto it = reporter.seen_.find(std::string(E::name));
            const bool ran = it != reporter.seen_.end() && it->second.runs > 0;
            r.got = ran && it->second.errors == 0 ? verdict::pass : verdict::fail;
            r.detail = !ran ? "no benchmark ran (filtered out?)"
                     : it->second.errors ? "benchmark error: " + it->second.message
                                         : std::to_string(it->second.runs) + " benchmark runs without error";
            if (ran) log.add(std::move(r));
        }
    });
    return log.exit_status();
}
