// RapidCheck inside the check harness: the options every property program
// shares, and each entry's parameters.
//
// RapidCheck reads RC_PARAMS once, at its first check; each entry's body runs
// in a fresh child (check_program), so setting it there gives every entry its
// own seed derived from the run's --seed, and the record's replay line
// (--seed, --entry) reproduces the same command sequences.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

#include "primitives/harness/check_program.hpp"

namespace gauntlet {

struct rapidcheck_options {
    unsigned max_success;

    // --max-success, and a fixed default seed: property verdicts are
    // deterministic unless --seed asks for another search.
    void declare(check_program& prog) {
        prog.options().option("--max-success", "N",
                              "command sequences per entry (default " + std::to_string(max_success) + ")",
                              max_success, 1u, 1000000u);
        prog.default_seed(20240611);
    }

    // Sets RC_PARAMS for this entry's child; returns them for the record.
    std::string use(std::uint64_t seed) const {
        const std::string params = "seed=" + std::to_string(seed) + " max_success=" + std::to_string(max_success) +
                                   " noshrink=0 verbose_progress=0 verbose_shrinking=0";
        setenv("RC_PARAMS", params.c_str(), 1);
        return params;
    }

    json metrics(const std::string& params) const {
        json m;
        m["rc_params"] = params;
        m["sequences"] = max_success;
        return m;
    }
};

}  // namespace gauntlet
