// Check "asan" for every loop catalogue entry, in the AddressSanitizer
// (LeakSanitizer included) + UndefinedBehaviorSanitizer build: the property
// body (properties/loop/loop_property.hpp) and a shortened stress body
// (loop_stress.hpp) run in one child per entry; a sanitizer report, a crash
// or a hang is the entry's verdict (check_program.hpp: sanitizer_verdict).
#include "primitives/harness/check_program.hpp"
#include "properties/loop/loop_property.hpp"
#include "stress/loop/loop_stress.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    rapidcheck_options rc_opts{100};
    loop_stress::options stress_opt{20000, 3};
    check_program prog("loop_asan", check_kind::asan,
                       "AddressSanitizer, LeakSanitizer and UBSan over every loop entry's property and stress\n"
                       "bodies; the verdict is the sanitizers'.",
                       120.0);
    rc_opts.declare(prog);
    prog.options()
        .option("--items", "N", "stress posts per producer per round (default 20000)", stress_opt.items,
                std::uint64_t{1}, std::uint64_t{1} << 32)
        .option("--rounds", "N", "stress rounds per entry (default 3)", stress_opt.rounds, 1, 100000);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<loop_kind>([&]<class E>(const entry_context& ctx) -> result {
        // An entry whose asan expectation is skip never runs this body: it
        // is not compiled for it.
        if constexpr (E::expected.asan.kind == expect::skip) {
            return result::fail("the body of an entry whose asan check is skipped ran");
        } else {
            result property = loop_property::check_entry<E>(rc_opts, ctx);
            result stress = loop_stress::check_entry<E>(stress_opt, ctx);
            return sanitizer_verdict(
                {{check_kind::property, std::move(property)}, {check_kind::stress, std::move(stress)}});
        }
    });
    return prog.finish();
}
