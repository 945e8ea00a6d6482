// Check "asan" for every catalogue priority queue: the stress body
// (stress/pq/pq_stress.hpp: exactly once, empty only when empty,
// per-producer order among equal priorities, certain rank error) in the
// AddressSanitizer/UBSan build, at 2000 items per producer and 2 rounds. A
// heap-use-after-free, a double free, a leak (each entry's child is checked
// when it exits) or undefined behaviour is the entry's verdict; so is a
// broken rule of the body. The RapidCheck property body is not compiled
// here (the -O0 sanitizer build is the quick tier's slowest; the property
// check runs in the native build).
#include "primitives/harness/check_program.hpp"
#include "stress/pq/pq_stress.hpp"

int main(int argc, char** argv) {
    using namespace gauntlet;
    pq_stress::options opt{2000, 2};
    check_program prog("pq_asan", check_kind::asan,
                       "The priority-queue stress body under AddressSanitizer and UBSan: memory errors, leaks and\n"
                       "the stress judge's rules, every catalogue priority queue.",
                       60.0);
    prog.options()
        .option("--items", "N", "items per producer per round (default 2000)", opt.items, std::uint64_t{1},
                std::uint64_t{1} << 30)
        .option("--rounds", "N", "rounds per entry (default 2)", opt.rounds, 1, 100000);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<pq_kind>([&]<class E>(const entry_context& ctx) -> result {
        if constexpr (E::expected.asan.kind == expect::skip)
            return result::fail("the body of an entry whose asan check is skipped ran");
        else
            return pq_stress::check_entry<E>(opt, ctx);
    });
    return prog.finish();
}
