// Running one Relacy scenario and turning its outcome into a verdict.
//
// A scenario is an rl::test_suite; `model_check<Suite>(budget)` runs it under
// the full-search scheduler when `budget.full` (every interleaving and every
// relaxed-memory choice Relacy models, for small scenarios) or the random
// scheduler for `budget.iterations` executions otherwise, and returns the
// verdict together with Relacy's report: the failing execution's history,
// each step naming the component's own file and line.
//
// Build cost. rl::simulate<Suite> picks the scheduler at run time, so it
// compiles Relacy's whole engine (context_impl<Suite, Scheduler>) three
// times per scenario, once per scheduler; the engine is most of a model
// program's code (queue_model.cpp: 3 s of parsing, 43 s of code generation
// at -O1). A search whose kind is fixed where it is written names it:
// `model_check<Suite, search_kind::random>(budget)` compiles one engine;
// `model_check<Suite>(budget)` (search_kind::any) keeps the choice at run
// time and compiles all three.
#pragma once

#include "primitives/relacy_world.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <typeinfo>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "primitives/harness/check_program.hpp"
#include "primitives/harness/json.hpp"
#include "primitives/harness/record.hpp"

namespace gauntlet {

enum class search_kind { any, random, full, context_bound };

struct model_budget {
    bool full = false;                 // exhaustive search (fair full search scheduler)
    unsigned long iterations = 20000;  // random scheduler executions when !full
    unsigned context_bound = 2;        // preemption bound for the context-bound scheduler
    bool context_bound_search = false;
    std::uint64_t seed = 0;            // random scheduler: 0 is Relacy's own sequence of executions

    std::string mode() const { return full ? "full" : context_bound_search ? "context-bound" : "random"; }
    search_kind kind() const {
        return full ? search_kind::full : context_bound_search ? search_kind::context_bound : search_kind::random;
    }
};

namespace model_detail {
template <class Suite>
struct fresh_execution;
template <class T>
struct scenario_of { using type = T; };
template <class S>
struct scenario_of<fresh_execution<S>> { using type = S; };

// rl::simulate with its scheduler fixed at compile time: the same passes
// (a search; on a failure, the failing execution replayed from its saved
// state with history collection on, which must fail the same way).
template <class Suite, class Sched>
bool simulate_with(rl::test_params& params) {
    const char* name = typeid(typename scenario_of<Suite>::type).name();
    while (name[0] >= '0' && name[0] <= '9') ++name;
    params.test_name = name;
    *params.output_stream << params.test_name << std::endl;
    rl::ostringstream state;
    const rl::test_result_e res = rl::run_test<Suite, Sched>(params, state, false);
    if (res == rl::test_result_success) {
        *params.output_stream << "iterations: " << params.stop_iteration << std::endl;
    } else if (!params.output_history && !params.collect_history) {
        const rl::iteration_t stopped_at = params.stop_iteration;
        params.initial_state = state.str();
        params.final_state = state.str();
        params.collect_history = true;
        rl::ostringstream replay;
        const rl::test_result_e again = rl::run_test<Suite, Sched>(params, replay, true);
        RL_VERIFY(again == res);  // a scenario that does not replay is not deterministic
        RL_VERIFY(params.stop_iteration == stopped_at);
        (void)again;
        (void)stopped_at;
    }
    return Suite::params::expected_result == res;
}

// The scenario as Relacy runs it: the world's own per-execution state (the
// asymmetric fences' clocks, relacy_world.hpp) is reset before the
// scenario's before().
template <class Suite>
struct fresh_execution : Suite {
    void before() {
        relacy_detail::asym.reset();
        Suite::before();
    }
};

template <class Suite, search_kind K>
bool simulate(rl::test_params& params) {
    constexpr auto threads = Suite::params::thread_count;
    using run = fresh_execution<Suite>;
    if constexpr (K == search_kind::random)
        return simulate_with<run, rl::random_scheduler<threads>>(params);
    else if constexpr (K == search_kind::full)
        return simulate_with<run, rl::full_search_scheduler<threads>>(params);
    else if constexpr (K == search_kind::context_bound)
        return simulate_with<run, rl::context_bound_scheduler<threads>>(params);
    else if (params.search_type == rl::random_scheduler_type)
        return simulate<Suite, search_kind::random>(params);
    else if (params.search_type == rl::fair_full_search_scheduler_type)
        return simulate<Suite, search_kind::full>(params);
    else
        return simulate<Suite, search_kind::context_bound>(params);
}
}  // namespace model_detail

struct model_outcome {
    bool passed = true;
    std::string result;     // Relacy's result name ("DEADLOCK", "DATA RACE", ...)
    std::string trace;      // the failing execution, or empty
    unsigned long executions = 0;
};

template <class Suite, search_kind K = search_kind::any>
model_outcome model_check(const model_budget& b) {
    if constexpr (K != search_kind::any) {
        if (b.kind() != K) {
            std::fputs("model_check: the budget's search kind differs from the one compiled for it\n", stderr);
            std::abort();
        }
    }
    rl::test_params p;
    // Relacy writes its report from inside the simulation, where heap
    // allocations belong to its simulated allocator; a growing stringbuf
    // would be freed by the wrong allocator. A file stream's buffer is
    // allocated once, here, so the report goes to a temporary file.
    std::FILE* tmp = std::tmpfile();
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", fileno(tmp));
    std::ofstream out(path);
    std::ofstream progress("/dev/null");
    p.output_stream = &out;
    p.progress_stream = &progress;
    p.progress_output_period = 1000000;
    std::uint64_t start = 0;
    if (b.full) {
        p.search_type = rl::fair_full_search_scheduler_type;
    } else if (b.context_bound_search) {
        p.search_type = rl::fair_context_bound_scheduler_type;
        p.context_bound = b.context_bound;
    } else {
        p.search_type = rl::random_scheduler_type;
        // Relacy's random scheduler seeds execution i with i, from 0: the
        // same executions on every run. A seed starts the search at another
        // block of a million indices, so another --seed is another search.
        start = (b.seed % 1000003u) * 1000000u;
        p.iteration_count = start + b.iterations;
        if (start) p.initial_state = std::to_string(start);
    }
    model_outcome o;
    o.passed = model_detail::simulate<Suite, K>(p);
    o.executions = static_cast<unsigned long>(p.stop_iteration - start);
    if (!o.passed) {
        o.result = rl::test_result_str(p.test_result);
        out.flush();
        std::ifstream in(path);
        o.trace.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        // Relacy prints the execution history, then the same steps again per
        // thread. A long report keeps the history alone: the record's one
        // clipping rule (record.hpp) then keeps its head and its tail, where
        // the failing step is.
        const std::size_t history = o.trace.find("execution history");
        const std::size_t per_thread =
            history == std::string::npos ? std::string::npos : o.trace.find("\nthread ", history);
        if (o.trace.size() > record::trace_limit && per_thread != std::string::npos) o.trace.resize(per_thread + 1);
    }
    std::fclose(tmp);
    return o;
}

// One search a model verdict rests on, as the record states it: scenario,
// mode, bound or seed, executions.
struct model_search {
    std::string scenario;
    model_budget budget;
    unsigned long executions = 0;
};

inline json describe(const std::vector<model_search>& searches) {
    json::array list;
    unsigned long total = 0;
    for (const auto& s : searches) {
        json j;
        j["scenario"] = s.scenario;
        j["mode"] = s.budget.mode();
        if (s.budget.context_bound_search) j["bound"] = s.budget.context_bound;
        if (s.budget.mode() == "random") {
            j["seed"] = std::to_string(s.budget.seed);
            j["budget"] = s.budget.iterations;
        }
        j["executions"] = s.executions;
        total += s.executions;
        list.push_back(std::move(j));
    }
    json m;
    m["searches"] = json(std::move(list));
    m["executions"] = total;
    m["blind_spots"] =
        "Relacy makes stores visible in execution order (no LB, 2+2W or S outcomes); plain data that is not "
        "World::var is not checked; allocation is not a write";
    return m;
}

inline std::string summary(const std::vector<model_search>& searches) {
    std::string out;
    for (const auto& s : searches) {
        if (!out.empty()) out += "; ";
        out += s.scenario + ": " + s.budget.mode();
        if (s.budget.context_bound_search) out += " (bound " + std::to_string(s.budget.context_bound) + ")";
        out += ", " + std::to_string(s.executions) + " executions";
    }
    return out;
}

// The searches one verdict rests on, run in order until the first failure.
struct search_run {
    std::vector<model_search> searches;
    model_outcome last;

    // Runs Suite under `b` unless an earlier search already failed.
    template <class Suite, search_kind K = search_kind::any>
    void run(std::string scenario, const model_budget& b) {
        if (!last.passed) return;
        const auto t0 = std::chrono::steady_clock::now();
        last = model_check<Suite, K>(b);
        // progress (the child's output: shown with --verbose or on a hang)
        std::printf("  %s, %s: %llu executions in %.1f s\n", scenario.c_str(), b.mode().c_str(),
                    static_cast<unsigned long long>(last.executions),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        std::fflush(stdout);
        searches.push_back({std::move(scenario), b, last.executions});
    }

    // Every schedule with at most 1, then 2, ... max_bound preemptions: a
    // failure is first found, and traced, with as few preemptions as it needs.
    template <class Suite>
    void deepen(const std::string& scenario, unsigned max_bound) {
        model_budget b;
        b.context_bound_search = true;
        for (b.context_bound = 1; b.context_bound <= max_bound; ++b.context_bound)
            run<Suite, search_kind::context_bound>(scenario, b);
    }
};

// The verdict a search_run rests on: the first failing search's result
// name, scenario and Relacy report, or a pass listing every search.
inline result verdict_of(const search_run& s) {
    json m = describe(s.searches);
    const std::string how = summary(s.searches);
    if (s.last.passed) return result::pass("no violation: " + how, m);
    const model_search& found = s.searches.back();
    m["scenario"] = found.scenario;
    return result::fail(s.last.result + " in scenario '" + found.scenario + "', " + found.budget.mode() +
                            " search (searches: " + how + ")",
                        s.last.trace, m);
}

}  // namespace gauntlet
