// Property check "property" for every catalogue priority queue:
// pq_property.hpp.
#include "primitives/harness/check_program.hpp"
#include "properties/pq/pq_property.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    check_program prog("pq_property", check_kind::property,
                       "Model-based RapidCheck property of every catalogue priority queue against a sequential\n"
                       "priority queue (two producers, one consumer, one thread), and its exact rank error.",
                       120.0);
    rapidcheck_options rc_opts{200};
    rc_opts.declare(prog);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<pq_kind>([&]<class E>(const entry_context& ctx) { return pq_property::check_entry<E>(rc_opts, ctx); });
    return prog.finish();
}
