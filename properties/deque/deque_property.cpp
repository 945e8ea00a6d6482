// Property check "property" for every catalogue deque: deque_property.hpp.
#include "primitives/harness/check_program.hpp"
#include "properties/deque/deque_property.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    check_program prog("deque_property", check_kind::property,
                       "Model-based RapidCheck property of every catalogue deque against a sequential deque\n"
                       "(owner push/pop at the back, steal at the front; capacity 2 so it resizes).",
                       120.0);
    rapidcheck_options rc_opts{200};
    rc_opts.declare(prog);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<deque_kind>(
        [&]<class E>(const entry_context& ctx) { return deque_property::check_entry<E>(rc_opts, ctx); });
    return prog.finish();
}
