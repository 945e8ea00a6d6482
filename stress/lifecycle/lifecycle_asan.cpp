// Check "asan" for every lifecycle catalogue entry, in the AddressSanitizer
// (LeakSanitizer included) + UndefinedBehaviorSanitizer build: the property
// body (lifecycle_property.hpp) and a shortened stress body
// (lifecycle_stress.hpp) run in one child per entry; a sanitizer report, a
// crash or a hang is the entry's verdict (check_program.hpp:
// sanitizer_verdict).
#include "primitives/harness/check_program.hpp"
#include "properties/lifecycle/lifecycle_property.hpp"
#include "stress/lifecycle/lifecycle_stress.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    rapidcheck_options rc_opts{50};
    lifecycle_stress::options stress_opt;
    stress_opt.rounds = 300;
    stress_opt.seconds = 1.0;
    check_program prog("lifecycle_asan", check_kind::asan,
                       "AddressSanitizer, LeakSanitizer and UBSan over every lifecycle entry's property and\n"
                       "stress bodies; the verdict is the sanitizers'.",
                       120.0);
    rc_opts.declare(prog);
    prog.options()
        .option("--rounds", "N", "stress rounds per entry (default 300)", stress_opt.rounds, 1, 10000000)
        .option("--seconds", "S", "stress time budget per entry (default 1)", stress_opt.seconds, 0.01, 3600.0);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<lifecycle_kind>([&]<class E>(const entry_context& ctx) {
        result property = lifecycle_property::check_entry<E>(rc_opts, ctx);
        result stress = lifecycle_stress::check_entry<E>(stress_opt, ctx);
        return sanitizer_verdict({{check_kind::property, std::move(property)}, {check_kind::stress, std::move(stress)}});
    });
    return prog.finish();
}
