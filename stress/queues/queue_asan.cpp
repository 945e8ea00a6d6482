// Check "asan" for every catalogue queue, peers included, in the
// AddressSanitizer (LeakSanitizer included) + UndefinedBehaviorSanitizer
// build: the model-based property body (properties/queues/
// queue_model_check.hpp) and a shortened stress body (queue_stress.hpp) run
// in one child per entry; a sanitizer report, a crash or a hang is the
// entry's verdict (check_program.hpp: sanitizer_verdict). The two bodies are
// compiled apart (queue_asan_bodies.hpp).
#include "primitives/harness/check_program.hpp"
#include "stress/queues/queue_asan_bodies.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    rapidcheck_options rc_opts{60};
    queue_stress::options stress_opt{20000, 2};
    check_program prog("queue_asan", check_kind::asan,
                       "AddressSanitizer, LeakSanitizer and UBSan over every catalogue queue's property and\n"
                       "stress bodies; the verdict is the sanitizers'.",
                       120.0);
    rc_opts.declare(prog);
    prog.options()
        .option("--items", "N", "stress items per producer per round (default 20000)", stress_opt.items,
                std::uint64_t{1}, std::uint64_t{1} << 32)
        .option("--rounds", "N", "stress rounds per entry (default 2)", stress_opt.rounds, 1, 100000);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<queue_kind>([&]<class E>(const entry_context& ctx) {
        result property = queue_asan::property_body(rc_opts, ctx);
        result stress = queue_asan::stress_body(stress_opt, ctx);
        return sanitizer_verdict({{check_kind::property, std::move(property)}, {check_kind::stress, std::move(stress)}});
    });
    return prog.finish();
}
