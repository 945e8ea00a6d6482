// Check "property" for every loop catalogue entry; the reference and the
// body are loop_property.hpp.
#include "primitives/harness/check_program.hpp"
#include "properties/loop/loop_property.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    check_program prog("loop_property", check_kind::property,
                       "Checks every loop catalogue entry against the sequential reference of the contract's\n"
                       "ordering rules (RapidCheck: random scripts of enqueue, next_tick, microtask, post, close).",
                       120.0);
    rapidcheck_options rc_opts{200};
    rc_opts.declare(prog);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<loop_kind>([&]<class E>(const entry_context& ctx) { return loop_property::check_entry<E>(rc_opts, ctx); });
    return prog.finish();
}
