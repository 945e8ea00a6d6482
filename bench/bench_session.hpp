// Google Benchmark inside the check harness: one entry's benchmarks, run in
// that entry's child, become the entry's bench verdict and typed metrics.
//
//   if (const int s = parse_bench_program(prog, argc, argv); s >= 0) return s;
//   prog.run<queue_kind>([&]<class E>(const entry_context&) {
//       bench_session s;
//       s.add("throughput", {{"producers", 1}, {"consumers", 1}}, fn)->UseManualTime();
//       return s.run();
//   });
//
// A session clears whatever was registered before, registers the entry's
// benchmarks with typed labels, runs them with the --benchmark_* options the
// program passed through, prints Google Benchmark's console table, and
// returns pass iff at least one benchmark ran and none reported an error.
// Its metrics are `runs`: one object per run with the labels given to add(),
// Google Benchmark's name (`name`), threads, real and CPU time per iteration in
// nanoseconds, iterations and every counter (items_per_second, p50_ns, ...):
// the report reads these, never the benchmark names.
#pragma once

#include <benchmark/benchmark.h>

#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "primitives/harness/check_program.hpp"

namespace gauntlet {

// A bench program's command line: Google Benchmark's own --benchmark_*
// options pass through, each entry's console table is printed. Returns as
// check_program::parse does.
inline int parse_bench_program(check_program& prog, int argc, char** argv);

// Hands the program's --benchmark_* options to Google Benchmark.
inline void init_benchmark(check_program& prog) {
    static std::vector<std::string> args;
    static std::vector<char*> argv;
    args = {"bench", "--benchmark_color=false"};  // captured output is read as text
    for (const auto& a : prog.args().passed_through()) args.push_back(a);
    for (auto& a : args) argv.push_back(a.data());
    int argc = static_cast<int>(argv.size());
    benchmark::Initialize(&argc, argv.data());
}

inline int parse_bench_program(check_program& prog, int argc, char** argv) {
    prog.options().pass_through("--benchmark_", "Google Benchmark's options (e.g. --benchmark_min_time=0.01)");
    prog.echo_output(true);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    init_benchmark(prog);
    return -1;
}

class bench_session {
public:
    bench_session() { benchmark::ClearRegisteredBenchmarks(); }

    benchmark::internal::Benchmark* add(const std::string& name, json labels,
                                        std::function<void(benchmark::State&)> fn) {
        labels_[name] = std::move(labels);
        return benchmark::RegisterBenchmark(name.c_str(), [fn = std::move(fn)](benchmark::State& s) { fn(s); });
    }

    result run() {
        become_multithreaded();
        collector c(labels_);
        benchmark::RunSpecifiedBenchmarks(&c);
        json m;
        m["runs"] = json(std::move(c.runs));
        if (c.count == 0) return result::fail("no benchmark ran (--benchmark_filter?)", {}, m);
        if (!c.error.empty()) return result::fail("benchmark error: " + c.error, {}, m);
        return result::pass(std::to_string(c.count) + " benchmark runs without error", m);
    }

private:
    // The entry's child is forked from a single-threaded parent and, for a
    // single-threaded benchmark, would never start a thread. glibc then runs
    // its single-threaded paths: std::mutex and malloc without atomic
    // instructions (measured here, median of 7 runs each timing both in one
    // process: a lock/unlock pair 3.86 ns before any thread was started,
    // 10.89 ns once one has been started and joined). No
    // concurrent component runs in such a process, so every benchmark runs
    // after one thread has been started and joined (glibc stays in its
    // multi-threaded mode for the life of the process).
    static void become_multithreaded() {
        static const bool done = [] {
            std::thread([] {}).join();
            return true;
        }();
        (void)done;
    }

    struct collector : benchmark::ConsoleReporter {
        explicit collector(const std::map<std::string, json>& l) : labels(l) {}
        void ReportRuns(const std::vector<Run>& rs) override {
            for (const auto& r : rs) {
                ++count;
                json j;
                const auto it = labels.find(r.run_name.function_name);
                if (it != labels.end() && it->second.is_object()) j = it->second;
                j["name"] = r.benchmark_name();  // Google Benchmark's name; the labels say what it is
                j["threads"] = static_cast<std::int64_t>(r.threads);
                j["aggregate"] = r.aggregate_name;
                j["iterations"] = static_cast<std::int64_t>(r.iterations);
                const double to_ns = 1e9 / benchmark::GetTimeUnitMultiplier(r.time_unit);
                j["real_ns"] = r.GetAdjustedRealTime() * to_ns;
                j["cpu_ns"] = r.GetAdjustedCPUTime() * to_ns;
                for (const auto& [k, v] : r.counters) j[k] = static_cast<double>(v);
                if (r.error_occurred) {
                    j["error"] = r.error_message;
                    if (error.empty()) error = r.error_message;
                }
                runs.push_back(std::move(j));
            }
            ConsoleReporter::ReportRuns(rs);
        }
        const std::map<std::string, json>& labels;
        json::array runs;
        std::string error;
        int count = 0;
    };
    std::map<std::string, json> labels_;
};

}  // namespace gauntlet
