// The tally of one entry's recorded histories and the verdict it gives, for
// the linearizability check programs (queue_linearizability.cpp and
// properties/deque/deque_linearizability.cpp).
//
// Power gates. A history whose operations never overlap is sequential and
// tests nothing concurrent; one over the search budget decides nothing. A
// run that recorded too few of the first (under 20%) or too many of the
// second (over 5%) has no power, and its verdict is fail, whatever the
// histories showed. The shares are in the record (overlap_share,
// inconclusive_share), with the stamps' clock (`clock`).
#pragma once

#include <cstddef>
#include <string>

#include "linearizability_checker.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/queues/op_clock.hpp"

namespace gauntlet::linearizability {

struct history_tally {
    static constexpr double min_overlap_share = 0.20;
    static constexpr double max_inconclusive_share = 0.05;

    std::size_t checked = 0, overlapping = 0, inconclusive = 0, configurations = 0;
    std::string failure;  // the first failing history: what failed, then the history

    // Counts one recorded history.
    void recorded(const history& h) {
        ++checked;
        if (threads_overlap(h)) ++overlapping;
    }
    // Counts a search; false when it went over budget (neither verdict).
    bool searched(const outcome& o) {
        configurations += o.configurations;
        if (o.too_large) ++inconclusive;
        return !o.too_large;
    }

    // The entry's verdict: fail with the first failing history, else fail
    // for want of power, else pass. `promise` names what was checked
    // ("linearizable", "per-producer FIFO"); `m` receives the counts.
    result verdict(const std::string& promise, json m) const {
        const double overlap = checked ? double(overlapping) / double(checked) : 0.0;
        const double over_budget = checked ? double(inconclusive) / double(checked) : 1.0;
        m["histories"] = checked;
        m["overlapping_histories"] = overlapping;
        m["inconclusive_histories"] = inconclusive;
        m["overlap_share"] = overlap;
        m["inconclusive_share"] = checked ? over_budget : 0.0;
        m["configurations"] = configurations;
        m["clock"] = op_clock::name();
        const std::string detail = promise + (failure.empty() ? " in " : " violated after ") + std::to_string(checked) +
                                   " histories (" + std::to_string(overlapping) + " with overlapping operations, " +
                                   std::to_string(inconclusive) + " over the search budget)";
        if (!failure.empty()) return result::fail(detail, failure, m);
        if (overlap < min_overlap_share || over_budget > max_inconclusive_share)
            return result::fail("no power: " + detail + "; needs >= " + std::to_string(int(min_overlap_share * 100)) +
                                    "% overlapping and <= " + std::to_string(int(max_inconclusive_share * 100)) +
                                    "% over budget",
                                {}, m);
        return result::pass(detail, m);
    }
};

}  // namespace gauntlet::linearizability
