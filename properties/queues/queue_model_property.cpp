// Property check "property" for every queue in the catalogue: model-based
// testing against a sequential std::deque (queue_model_check.hpp), one
// RapidCheck property per entry; a failing entry's shrunk counterexample is
// the record's trace. Bounded queues are built with capacity 8 and checked
// against the bound in force (bound_in_force: atomic_queue rounds up).
//
// Seed: RapidCheck's RC_PARAMS (default "seed=20240611 max_success=150");
// --entry NAME runs one entry. Verdict per entry vs E::expected.property.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "primitives/native_world.hpp"
#include "primitives/command_line.hpp"
#include "primitives/queues/catalogue.hpp"
#include "queue_model_check.hpp"

namespace {


}  // namespace

int main(int argc, char** argv) {
    std::string only;
    gauntlet::command_line cl(
        "queue_model_property",
        "Model-based RapidCheck property of every catalogue queue against std::deque.\n"
        "Seed and sizes through RC_PARAMS (default \"seed=20240611 max_success=150\").");
    cl.option("--entry", "NAME", "only this catalogue entry", only);
    if (const int status = cl.parse(argc, argv); status >= 0) return status;
    setenv("RC_PARAMS", "seed=20240611 max_success=150", 0);
    const std::string params = std::getenv("RC_PARAMS");

    gauntlet::verdict_log log("property");
    gauntlet::for_each_entry(gauntlet::queue_catalogue{}, [&]<class E>() {
        if (!only.empty() && only != E::name) return;
        using Q = typename E::template type<gauntlet::native_world>;
        const std::string component = "queue." + std::string(gauntlet::contract_name(E::traits));
        auto r = gauntlet::record_for<E>(component);
        r.expected = E::expected.property;
        std::string report;
        const bool ok = gauntlet::queue_model_check::check_against_model<Q>(
            std::string(E::name), E::traits.bounded, report);
        r.got = ok ? gauntlet::verdict::pass : gauntlet::verdict::fail;
        r.detail = ok ? "model-based: every command sequence matched std::deque (" + params + ")"
                      : "model-based: shrunk counterexample in trace (" + params + ")";
        r.trace = ok ? "RC_PARAMS=" + params : report;
        r.extra["rc_params"] = "\"" + gauntlet::json_escape(params) + "\"";
        log.add(std::move(r));
    });
    return log.exit_status();
}
