// Property check "property" for every queue in the catalogue: model-based
// testing against a sequential std::deque (queue_model_check.hpp), one
// RapidCheck property per entry; a failing entry's shrunk counterexample is
// the record's trace. Bounded queues are built with capacity 8 and checked
// against the bound in force (bound_in_force: atomic_queue rounds up).
// Each entry's RapidCheck seed derives from --seed (default fixed).
#include <string>

#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "primitives/queues/catalogue.hpp"
#include "properties/rapidcheck_params.hpp"
#include "queue_model_check.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    check_program prog("queue_model_property", check_kind::property,
                       "Model-based RapidCheck property of every catalogue queue against std::deque.", 120.0);
    rapidcheck_options rc_opts{150};
    rc_opts.declare(prog);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<queue_kind>([&]<class E>(const entry_context& ctx) {
        using Q = typename E::template type<native_world>;
        const std::string params = rc_opts.use(ctx.seed);
        std::string report;
        const bool ok = queue_model_check::check_against_model<Q>(std::string(E::name), E::traits.bounded, report);
        const json m = rc_opts.metrics(params);
        return ok ? result::pass("model-based: " + std::to_string(rc_opts.max_success) +
                                     " command sequences matched std::deque",
                                 m)
                  : result::fail("model-based: shrunk counterexample in trace", report, m);
    });
    return prog.finish();
}
