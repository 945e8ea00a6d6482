// Property check "property" for every queue in the catalogue: model-based
// testing against a sequential std::deque (queue_model_check.hpp), one
// RapidCheck property per entry; a failing entry's shrunk counterexample is
// the record's trace. Bounded queues are built with capacity 8 and checked
// against the bound in force (bound_in_force: atomic_queue rounds up).
// Each entry's RapidCheck seed derives from --seed (default fixed).
#include "primitives/harness/check_program.hpp"
#include "queue_model_check.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    check_program prog("queue_model_property", check_kind::property,
                       "Model-based RapidCheck property of every catalogue queue against std::deque.", 120.0);
    rapidcheck_options rc_opts{150};
    rc_opts.declare(prog);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<queue_kind>(
        [&]<class E>(const entry_context& ctx) { return queue_model_check::check_entry<E>(rc_opts, ctx); });
    return prog.finish();
}
