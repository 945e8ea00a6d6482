// Property check "linearizability" for every queue in the catalogue.
//
// Per entry: random small scenarios (2–3 real threads, 3–5 operations each,
// optional pre-fill, drain at the end; history_recorder.hpp) and each
// recorded history is checked
//  * against a sequential FIFO queue with the Wing–Gong–Lowe search
//    (linearizability_checker.hpp) when the entry promises linearizability;
//  * for per-producer FIFO and exactly-once when it promises only that
//    (moodycamel::ConcurrentQueue) — recorded, expected n/a;
//  * queues promising no order are recorded n/a.
// The first failing history ends the entry; it is the record's trace with the
// seed and scenario index that replay it.
//
//   queue_linearizability [--seed N] [--scenarios N] [--entry NAME] [--help]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "history_recorder.hpp"
#include "linearizability_checker.hpp"
#include "primitives/command_line.hpp"
#include "primitives/native_world.hpp"
#include "primitives/queues/catalogue.hpp"

namespace {

namespace lin = gauntlet::linearizability;

// Small bound, so that full is reached inside 3–5 operations (atomic_queue
// rounds it up to 64 and is checked against that bound).
constexpr std::size_t requested_capacity = 2;


}  // namespace

int main(int argc, char** argv) {
    std::uint64_t seed = static_cast<std::uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count());
    std::size_t scenarios = 3000;
    std::string only;
    gauntlet::command_line cl(
        "queue_linearizability",
        "Records small concurrent histories of every catalogue queue on real threads and\n"
        "checks them for linearizability (Wing-Gong-Lowe) or per-producer FIFO.");
    cl.option("--seed", "N", "scenario seed (default: from the clock, printed)", seed)
        .option("--scenarios", "N", "histories per entry (default 3000)", scenarios)
        .option("--entry", "NAME", "only this catalogue entry", only);
    if (const int status = cl.parse(argc, argv); status >= 0) return status;
    std::printf("queue_linearizability: --seed %llu --scenarios %zu\n",
                static_cast<unsigned long long>(seed), scenarios);

    gauntlet::verdict_log log("linearizability");
    gauntlet::for_each_entry(gauntlet::queue_catalogue{}, [&]<class E>() {
        if (!only.empty() && only != E::name) return;
        using Q = typename E::template type<gauntlet::native_world>;
        const std::string component = "queue." + std::string(gauntlet::contract_name(E::traits));
        auto r = gauntlet::record_for<E>(component);
        r.expected = E::expected.linearizability;
        const std::string replay = "replay: queue_linearizability --seed " + std::to_string(seed) +
                                   " --scenarios " + std::to_string(scenarios) + " --entry " +
                                   std::string(E::name);
        if (E::traits.order == gauntlet::queue_order::none) {
            r.got = gauntlet::verdict::pass;
            r.detail = "n/a: the contract promises no order";
            log.add(std::move(r));
            return;
        }
        std::size_t capacity = requested_capacity;
        if (E::traits.bounded) capacity = gauntlet::bound_in_force(Q(requested_capacity), requested_capacity);
        const std::size_t model_capacity = E::traits.bounded ? capacity : lin::unbounded;

        std::mt19937_64 rng(seed ^ std::hash<std::string_view>{}(E::name));
        lin::history_recorder<Q> recorder(3);
        const auto t0 = std::chrono::steady_clock::now();
        std::size_t checked = 0, configurations = 0, overlapping = 0, inconclusive = 0;
        std::string failure;
        for (std::size_t i = 0; i < scenarios && failure.empty(); ++i) {
            const lin::scenario s = lin::random_scenario(E::traits, capacity, rng);
            const lin::history h = recorder.run(s, requested_capacity);
            ++checked;
            // Count histories where two threads' operations overlapped.
            for (std::size_t a = 0; a < h.size(); ++a)
                for (std::size_t b = a + 1; b < h.size(); ++b)
                    if (h[a].thread >= 0 && h[b].thread >= 0 && h[a].thread != h[b].thread &&
                        h[a].invoke < h[b].response && h[b].invoke < h[a].response) {
                        ++overlapping;
                        a = h.size();
                        break;
                    }
            if (E::traits.order == gauntlet::queue_order::linearizable) {
                const lin::outcome o = lin::check_fifo(h, model_capacity);
                configurations += o.configurations;
                if (o.too_large) {
                    ++inconclusive;  // over the search budget: neither verdict
                    continue;
                }
                if (!o.linearizable)
                    failure = "scenario " + std::to_string(i) +
                              ": history not linearizable w.r.t. a FIFO queue of bound " +
                              (E::traits.bounded ? std::to_string(capacity) : "none") + "\n" +
                              lin::describe(h);
            } else {
                const std::string why = lin::check_fifo_per_producer(h, true);
                if (!why.empty())
                    failure = "scenario " + std::to_string(i) + ": " + why + "\n" + lin::describe(h);
            }
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const bool fifo_only = E::traits.order == gauntlet::queue_order::fifo_per_producer;
        r.got = failure.empty() ? gauntlet::verdict::pass : gauntlet::verdict::fail;
        r.detail = std::string(fifo_only ? "per-producer FIFO" : "linearizable") +
                   (failure.empty() ? " in " : " violated after ") + std::to_string(checked) +
                   " histories (" + std::to_string(overlapping) + " with overlapping operations, " +
                   std::to_string(inconclusive) + " over the search budget)";
        r.trace = failure.empty() ? replay : replay + "\n" + failure;
        r.extra["histories"] = std::to_string(checked);
        r.extra["overlapping_histories"] = std::to_string(overlapping);
        r.extra["configurations"] = std::to_string(configurations);
        r.extra["inconclusive_histories"] = std::to_string(inconclusive);
        r.extra["seconds"] = std::to_string(seconds);
        r.extra["seed"] = std::to_string(seed);
        log.add(std::move(r));
    });
    return log.exit_status();
}
