// Running one Relacy scenario and turning its outcome into a verdict.
//
// A scenario is an rl::test_suite; `model_check<Suite>(budget)` runs it under
// the full-search scheduler when `budget.full` (every interleaving and every
// relaxed-memory choice Relacy models, for small scenarios) or the random
// scheduler for `budget.iterations` executions otherwise, and returns the
// verdict together with Relacy's report: the failing execution's history,
// each step naming the component's own file and line.
#pragma once

#include "primitives/relacy_world.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

namespace gauntlet {

struct model_budget {
    bool full = false;                 // exhaustive search (fair full search scheduler)
    unsigned long iterations = 20000;  // random scheduler executions when !full
    unsigned context_bound = 2;        // preemption bound for the context-bound scheduler
    bool context_bound_search = false;
};

struct model_outcome {
    bool passed = true;
    std::string result;     // Relacy's result name ("DEADLOCK", "DATA RACE", ...)
    std::string trace;      // the failing execution, or empty
    unsigned long executions = 0;
};

template <class Suite>
model_outcome model_check(const model_budget& b) {
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
    if (b.full) {
        p.search_type = rl::fair_full_search_scheduler_type;
    } else if (b.context_bound_search) {
        p.search_type = rl::fair_context_bound_scheduler_type;
        p.context_bound = b.context_bound;
    } else {
        p.search_type = rl::random_scheduler_type;
        p.iteration_count = b.iterations;
    }
    model_outcome o;
    o.passed = rl::simulate<Suite>(p);
    o.executions = static_cast<unsigned long>(p.stop_iteration);
    if (!o.passed) {
        o.result = rl::test_result_str(p.test_result);
        out.flush();
        std::ifstream in(path);
        o.trace.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::fclose(tmp);
    return o;
}

}  // namespace gauntlet
