// RapidCheck's parameters for one entry's property run.
//
// RapidCheck reads RC_PARAMS once, at its first check; each entry's body runs
// in a fresh child (check_program), so setting it there gives every entry its
// own seed derived from the run's --seed, and the record's replay line
// (--seed, --entry) reproduces the same command sequences.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

namespace gauntlet {

inline std::string use_rapidcheck_params(std::uint64_t seed, unsigned max_success) {
    const std::string params = "seed=" + std::to_string(seed) + " max_success=" + std::to_string(max_success) +
                               " noshrink=0 verbose_progress=0 verbose_shrinking=0";
    setenv("RC_PARAMS", params.c_str(), 1);
    return params;
}

}  // namespace gauntlet
