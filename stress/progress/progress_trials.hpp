// progress_trials: the trial loop and the verdict of the progress check,
// shared by every component's progress body.
//
// A body starts its worker threads (each with a `worker`: its op slot, its
// count of successful operations, the operation kinds it performs) and hands
// them to `run_trials` with a `possible` judge. A trial:
//
//  1. lets the workers run undisturbed for a random 0.2-2 ms;
//  2. picks an operation kind (alternating over the kinds, so every role is
//     stopped in turn) and a random worker performing it, waits (at most
//     2 ms) until that worker is seen inside such an operation and signals
//     it (suspender.hpp): a running victim takes the signal wherever it is
//     by then, a descheduled one at its preemption point; a signal that
//     lands between operations or in library code is retried a few
//     microseconds later, for at most 300 ms (then the trial is counted as
//     not landed);
//  3. watches the others' successful operations while the victim is parked:
//       progressed        they completed `enough_ops` successful operations;
//       did all possible  no success for `settle_ms` and, by the completed
//                         operations alone, no operation of theirs could
//                         succeed (the judge says so: e.g. the victim is the
//                         only consumer and the producers are at their bound);
//       STALL             no success for `quiet_ms` although, by the
//                         completed operations, one of theirs must succeed
//                         (the judge names which);
//       slow              none of these within `window_ms` (recorded);
//  4. releases the victim and waits until it runs again.
// The verdict is `fail` when any trial stalls; trials stop at the budget
// (seconds or trials) or after `max_stalls` stalls.
//
// Why `enough_ops` proves progress: the body bounds how far the others can
// get without the victim (a queue body keeps at most a small number of items
// outstanding), so a stall that blocks everyone lets the others complete
// only a bounded number of successful operations first; `enough_ops` is set
// well above that bound. Why `quiet_ms` is long: a runnable thread on two
// shared cores can wait several scheduler slices; 100 ms of silence is far
// beyond them.
#pragma once

#include <dlfcn.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "primitives/harness/check_program.hpp"
#include "stress/progress/suspender.hpp"

namespace gauntlet::progress {

// One worker thread as the trials see it. Written by its own thread only
// (successes, slot); read by the controller.
struct worker {
    op_slot slot;
    std::atomic<std::uint64_t> successes{0};
    pthread_t handle{};
    unsigned ops = 0;  // bit k set: performs operation kind k
    std::string name;  // "producer 1"

    // Called first thing on the worker's own thread. Workers run at nice
    // 10 so that the controller (nice 0) wakes on time to watch them: every
    // worker spins, and on two cores they would otherwise delay its samples
    // by scheduler slices.
    void enter_thread() {
        current_slot = &slot;
        handle = pthread_self();
        setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
    }
    void succeeded() { successes.store(successes.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }
};

struct trial_options {
    double seconds = 1.5;            // budget per entry (trials stop when it is spent)
    int max_trials = 400;
    int max_stalls = 2;
    std::uint64_t enough_ops = 1024; // successes of the others that prove progress
    double settle_ms = 5;
    double quiet_ms = 100;
    double window_ms = 250;
};

// The trial options every progress program takes, each defaulting to what
// `opt` holds when called.
inline command_line& declare_trial_options(command_line& cl, trial_options& opt) {
    char secs[32];
    std::snprintf(secs, sizeof secs, "%g", opt.seconds);
    return cl.option("--seconds", "S", std::string("trial budget per entry (default ") + secs + ")", opt.seconds, 0.05,
                     600.0)
        .option("--trials", "N", "at most this many trials per entry (default " + std::to_string(opt.max_trials) + ")",
                opt.max_trials, 1, 1000000)
        .option("--stalls", "N",
                "stop an entry's trials after this many stalls (default " + std::to_string(opt.max_stalls) + ")",
                opt.max_stalls, 1, 1000);
}

// The component's judge, asked while the others have been silent: given
// the victim (its index in the workers) and the operation it is stopped in,
// which successful operation of the others do the completed operations
// guarantee? Empty string: none (they did everything possible).
using possible_fn = std::function<std::string(std::size_t victim, int op)>;

struct trial_summary {
    int trials = 0, progressed = 0, did_all_possible = 0, slow = 0, stalls = 0;
    int not_landed = 0;  // trials whose stop never landed inside the operation within 300 ms
    std::uint64_t not_in_op = 0, outside = 0, unanswered = 0;
    std::vector<int> trials_by_op;             // indexed by op kind
    std::vector<std::uint64_t> others_ops;     // others' successes per trial
    std::vector<double> ms_to_enough;          // per progressed trial
    std::string first_stall;                   // the detail of the first stall
    double seconds = 0;
};

inline double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

inline std::uint64_t others_successes(const std::vector<worker*>& ws, std::size_t victim) {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < ws.size(); ++i)
        if (i != victim) n += ws[i]->successes.load(std::memory_order_relaxed);
    return n;
}

// Runs the trials. `op_names[k]` names operation kind k (index 0 unused).
inline trial_summary run_trials(const std::vector<worker*>& ws, const std::vector<std::string>& op_names,
                                const possible_fn& possible, std::uint64_t seed, const trial_options& opt) {
    using clock = std::chrono::steady_clock;
    using ms = std::chrono::duration<double, std::milli>;
    suspender& sus = suspender::instance();
    std::mt19937_64 rng(seed);
    trial_summary s;
    s.trials_by_op.assign(op_names.size(), 0);
    std::vector<int> kinds;
    for (std::size_t k = 1; k < op_names.size(); ++k)
        for (const worker* w : ws)
            if (w->ops & (1u << k)) {
                kinds.push_back(static_cast<int>(k));
                break;
            }
    const auto t_start = clock::now();
    auto sleep_us = [](std::uint64_t us) { std::this_thread::sleep_for(std::chrono::microseconds(us)); };
    // Retries come microseconds apart: a sleep would last at least the
    // timer slack (50 us) and let the victim run far past the next chance.
    auto spin_us = [](std::uint64_t us) {
        const auto until = clock::now() + std::chrono::microseconds(us);
        while (clock::now() < until) {
        }
    };
    for (int t = 0; t < opt.max_trials && s.stalls < opt.max_stalls; ++t) {
        if (ms(clock::now() - t_start).count() > opt.seconds * 1000) break;
        sleep_us(200 + rng() % 1800);
        const int op = kinds[static_cast<std::size_t>(t) % kinds.size()];
        std::vector<std::size_t> candidates;
        for (std::size_t i = 0; i < ws.size(); ++i)
            if (ws[i]->ops & (1u << op)) candidates.push_back(i);
        const std::size_t victim = candidates[rng() % candidates.size()];
        // Stop it inside an `op`: retry landings elsewhere at random short delays.
        bool parked = false;
        const auto give_up = clock::now() + std::chrono::milliseconds(300);
        while (!parked && clock::now() < give_up) {
            // Signal when the victim is seen inside such an operation: if it
            // is descheduled there, the signal lands at its preemption point.
            const auto look_until = clock::now() + std::chrono::milliseconds(2);
            while (ws[victim]->slot.op.load(std::memory_order_relaxed) != op && clock::now() < look_until) {
            }
            switch (sus.stop(ws[victim]->handle, op, std::chrono::milliseconds(2000))) {
                case landing::parked: parked = true; break;
                case landing::not_in_op: ++s.not_in_op; spin_us(rng() % 20); break;
                case landing::outside: ++s.outside; spin_us(rng() % 20); break;
                default: ++s.unanswered; break;
            }
        }
        if (!parked) {
            ++s.not_landed;
            continue;
        }
        ++s.trials;
        ++s.trials_by_op[static_cast<std::size_t>(op)];
        const stop_point at = sus.where();
        const auto t0 = clock::now();
        const std::uint64_t base = others_successes(ws, victim);
        std::uint64_t last = base;
        auto last_change = t0;
        for (;;) {
            sleep_us(500);
            const auto now = clock::now();
            const std::uint64_t n = others_successes(ws, victim);
            if (n - base >= opt.enough_ops) {
                ++s.progressed;
                s.ms_to_enough.push_back(ms(now - t0).count());
                break;
            }
            if (n != last) {
                last = n;
                last_change = now;
                continue;
            }
            const double quiet = ms(now - last_change).count();
            if (quiet >= opt.settle_ms) {
                const std::string could = possible(victim, op);
                if (could.empty()) {
                    ++s.did_all_possible;
                    break;
                }
                if (quiet >= opt.quiet_ms) {
                    if (++s.stalls == 1) {
                        char pc[96];
                        if (at.in_executable)
                            std::snprintf(pc, sizeof pc, "pc 0x%llx in the executable",
                                          static_cast<unsigned long long>(at.pc_offset));
                        else {
                            Dl_info info{};
                            std::snprintf(pc, sizeof pc, "pc in %s",
                                          dladdr(reinterpret_cast<void*>(at.pc), &info) && info.dli_sname
                                              ? info.dli_sname
                                              : "a library");
                        }
                        s.first_stall = ws[victim]->name + " stopped inside " + op_names[static_cast<std::size_t>(op)] +
                                        " (its call " + std::to_string(at.call) + ", " + pc + ") for " + std::to_string(static_cast<int>(quiet)) +
                                        " ms: the others made " + std::to_string(n - base) +
                                        " successful operations, then none for " +
                                        std::to_string(static_cast<int>(quiet)) + " ms although " + could +
                                        " (trial " + std::to_string(s.trials) + ")";
                    }
                    break;
                }
            }
            if (ms(now - t0).count() >= opt.window_ms) {
                ++s.slow;
                break;
            }
        }
        s.others_ops.push_back(others_successes(ws, victim) - base);
        sus.release();
    }
    s.seconds = ms(clock::now() - t_start).count() / 1000;
    return s;
}

// The record: verdict, one-line detail, metrics.
inline result verdict_of(const trial_summary& s, const std::vector<std::string>& op_names, const std::string& shape,
                         const trial_options& opt) {
    json m;
    m["trials"] = s.trials;
    json by_op;
    std::string stops;
    for (std::size_t k = 1; k < op_names.size(); ++k) {
        by_op[op_names[k]] = s.trials_by_op[k];
        stops += (stops.empty() ? "" : ", ") + std::to_string(s.trials_by_op[k]) + " in " + op_names[k];
    }
    m["stops_by_operation"] = by_op;
    m["progressed"] = s.progressed;
    m["did_all_possible"] = s.did_all_possible;
    m["slow"] = s.slow;
    m["stalls"] = s.stalls;
    m["signals_between_operations"] = s.not_in_op;
    m["signals_in_library_code"] = s.outside;
    m["signals_unanswered"] = s.unanswered;
    m["stops_not_landed"] = s.not_landed;
    std::vector<double> ops(s.others_ops.begin(), s.others_ops.end());
    m["others_ops_per_trial_median"] = median(ops);
    m["others_ops_per_trial_min"] = ops.empty() ? 0.0 : *std::min_element(ops.begin(), ops.end());
    m["ms_to_enough_ops_median"] = median(s.ms_to_enough);
    m["enough_ops"] = opt.enough_ops;
    m["quiet_ms"] = opt.quiet_ms;
    m["window_ms"] = opt.window_ms;
    m["seconds"] = s.seconds;
    const std::string what = shape + ", " + std::to_string(s.trials) + " stops (" + stops + ")";
    if (s.stalls > 0)
        return result::fail("stall: " + s.first_stall + "; " + std::to_string(s.stalls) + " stall(s) in " + what, {},
                            m);
    if (s.trials == 0)
        return result::fail("no stop landed inside an operation (" + std::to_string(s.not_in_op) +
                                " between operations, " + std::to_string(s.outside) +
                                " in library code): nothing was checked",
                            {}, m);
    char med[32];
    std::snprintf(med, sizeof med, "%.1f", median(s.ms_to_enough));
    return result::pass("no stall: " + what + ": the others made " + std::to_string(opt.enough_ops) +
                            " successful operations in " + std::to_string(s.progressed) + " (median " + med +
                            " ms), did everything possible in " + std::to_string(s.did_all_possible) + ", slow in " +
                            std::to_string(s.slow),
                        m);
}

}  // namespace gauntlet::progress
