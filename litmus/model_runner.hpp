// The model checker's answer to a litmus test: the set of outcomes Relacy
// reaches when it searches every execution of the test under its model of the
// C++ memory model (fair full-search scheduler).
//
// Defined in litmus/model_runner.cpp, the one Relacy translation unit of the
// litmus suite; callers only see domain indices and outcome strings, never
// Relacy types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::litmus {

struct model_answer {
    bool found = false;               // the catalogue has this test
    std::uint32_t reached = 0;        // domain outcomes reached: bit k = domain index k (outcome_set::bits)
    std::vector<std::string> strays;  // distinct reached outcomes outside the shape's domain (a broken test)
    unsigned long executions = 0;     // executions Relacy explored
    bool completed = false;           // the search ran to its end without a Relacy error
    std::string error;                // Relacy's result and history if it reported one
    double seconds = 0;
};

model_answer model_outcomes(std::string_view test_name);

}  // namespace gauntlet::litmus
