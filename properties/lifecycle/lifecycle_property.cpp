// Check "property" for every lifecycle catalogue entry; the body and the
// reference model are lifecycle_property.hpp.
#include "primitives/harness/check_program.hpp"
#include "properties/lifecycle/lifecycle_property.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    check_program prog("lifecycle_property", check_kind::property,
                       "Checks every lifecycle catalogue entry against the sequential reference model\n"
                       "(RapidCheck stateful testing: random command sequences, shrunk counterexamples).",
                       120.0);
    rapidcheck_options rc_opts{100};
    rc_opts.declare(prog);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<lifecycle_kind>(
        [&]<class E>(const entry_context& ctx) { return lifecycle_property::check_entry<E>(rc_opts, ctx); });
    return prog.finish();
}
