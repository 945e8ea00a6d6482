// stress check, lifecycle: real threads, many randomized rounds per entry.
//
// A round: start(); three workers loop try_enter/exit (each admitted unit
// writes its own slot, plain data); a waiter parks in wait_closed(); the main
// thread drains after a random delay. Whole-round invariants:
//  * no worker is admitted after it observed DRAINING or later;
//  * every state a thread observes is >= the one it observed before;
//  * once every worker has joined, the state is CLOSED (liveness), the close
//    hook ran exactly once, and the waiter returned.
// Each entry runs at most --rounds rounds and at most --seconds seconds.
// The hook reads every slot, so under ThreadSanitizer a unit whose work does
// not happen-before the close is a race report.
//
// Each entry runs in its own child process (stress/isolate.hpp): a hang or a
// TSan report is that entry's verdict. Every round derives its seed from the
// base seed; a failure prints the command that replays it.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "primitives/command_line.hpp"
#include "primitives/lifecycle/catalogue.hpp"
#include "primitives/native_world.hpp"
#include "stress/isolate.hpp"

namespace {

using namespace gauntlet;

struct options {
    std::uint64_t seed = 0;
    bool seed_given = false;
    int rounds = 1500;
    double seconds = 4.0;  // per entry; the round limit usually ends first
    std::string entry;
};

constexpr int worker_count = 2;  // + drainer + parked waiter: no more runnable threads than fit 2 cores

template <class L>
int run_rounds(const options& opt, const char* name) {
    const auto t0 = std::chrono::steady_clock::now();
    int round = 0;
    for (; round < opt.rounds; ++round) {
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > opt.seconds) break;
        const std::uint64_t round_seed = opt.seed + static_cast<std::uint64_t>(round);
        std::mt19937_64 rng(round_seed);
        // Workers keep entering until they observe DRAINING, then try a few
        // more times, so every drain lands among racing admissions.
        const int after_drain = static_cast<int>(rng() % 16);
        const int drain_delay = static_cast<int>(rng() % 2000);

        struct shared {
            int slot[worker_count] = {};
            std::atomic<int> closes{0};
            std::atomic<int> violations{0};
            char what[160] = {};
        } sh;
        auto violation = [&](const char* what) {
            if (sh.violations.fetch_add(1) == 0) std::snprintf(sh.what, sizeof sh.what, "%s", what);
        };
        L life{close_hook{[](void* c) {
                              auto* s = static_cast<shared*>(c);
                              volatile int sum = 0;
                              for (int v : s->slot) sum = sum + v;  // the units' work
                              s->closes.fetch_add(1, std::memory_order_relaxed);
                          },
                          &sh}};
        if (!life.start()) violation("start() from INIT returned false");

        std::atomic<bool> go{false};
        std::atomic<int> running{0};  // workers past their first attempt
        std::vector<std::thread> workers;
        for (int w = 0; w < worker_count; ++w) {
            workers.emplace_back([&, w] {
                while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
                lifecycle_state last = lifecycle_state::init;
                bool counted = false;
                for (int late = 0; late <= after_drain;) {
                    const lifecycle_state seen = life.state();
                    if (seen < last) violation("a state went backwards");
                    last = seen;
                    if (seen >= lifecycle_state::draining) ++late;
                    const bool admitted = life.try_enter();
                    if (admitted && seen >= lifecycle_state::draining)
                        violation("admitted after DRAINING was observed");
                    if (admitted) {
                        sh.slot[w] = sh.slot[w] + 1;
                        life.exit();
                    }
                    if (late == 0 && last == lifecycle_state::running && !counted) {
                        counted = true;
                        running.fetch_add(1, std::memory_order_relaxed);
                    }
                }
            });
        }
        std::atomic<bool> waiter_done{false};
        std::thread waiter([&] {
            life.wait_closed();
            if (life.state() != lifecycle_state::closed) violation("wait_closed() returned before CLOSED");
            waiter_done.store(true);
        });
        go.store(true, std::memory_order_release);
        // Drain only once every worker is looping, after a random delay.
        while (running.load(std::memory_order_relaxed) < worker_count) std::this_thread::yield();
        for (int i = 0; i < drain_delay; ++i) native_world::spin_hint();
        if (!life.drain()) violation("drain() from RUNNING returned false");
        for (auto& t : workers) t.join();

        if (life.state() != lifecycle_state::closed)
            violation("liveness: every worker has exited after drain() but the state is not CLOSED");
        else if (sh.closes.load() != 1)
            violation("the close hook did not run exactly once");
        if (sh.violations.load() != 0) {
            std::printf("%s: round %d: %s (state %s, closes %d)\n", name, round, sh.what,
                        std::string(to_string(life.state())).c_str(), sh.closes.load());
            std::printf("replay: lifecycle_stress --entry %s --seed %llu --rounds 1\n", name,
                        static_cast<unsigned long long>(round_seed));
            std::fflush(stdout);
            std::_Exit(1);  // the waiter may be parked forever: do not join it
        }
        waiter.join();
    }
    std::printf("%s: %d rounds, no violation (seed %llu)\n", name, round,
                static_cast<unsigned long long>(opt.seed));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    options opt;
    if (under_tsan()) opt.rounds = 300;
    bool list = false;
    command_line cl("lifecycle_stress",
                    "Real-thread stress of every lifecycle catalogue entry, each in its own child process.\n"
                    "Results go to $GAUNTLET_RESULTS_DIR; a failure prints the command that replays it.");
    cl.option("--seed", "N", "base seed (default: from the clock, printed)", opt.seed)
        .option("--rounds", "N", "rounds per entry (default 1500; 300 under ThreadSanitizer)", opt.rounds)
        .option("--seconds", "S", "time budget per entry (default 4)", opt.seconds)
        .option("--entry", "NAME", "only this entry", opt.entry)
        .flag("--list", "list the entries and exit", list);
    if (const int status = cl.parse(argc, argv); status >= 0) return status;
    if (opt.rounds <= 0) return cl.error("--rounds must be positive");
    if (!(opt.seconds > 0)) return cl.error("--seconds must be positive");
    bool known = opt.entry.empty();
    for_each_entry(lifecycle_catalogue{}, [&]<class E>() { known = known || opt.entry == E::name; });
    if (!known) return cl.error("no entry named '" + opt.entry + "' (see --list)");
    if (list) {
        for_each_entry(lifecycle_catalogue{}, []<class E>() { std::printf("%s\n", E::name.data()); });
        return 0;
    }
    opt.seed_given = false;
    for (int i = 1; i < argc; ++i)
        if (std::string_view(argv[i]).starts_with("--seed")) opt.seed_given = true;
    if (!opt.seed_given)
        opt.seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    std::printf("lifecycle_stress: seed %llu, %d rounds per entry%s\n", static_cast<unsigned long long>(opt.seed),
                opt.rounds, under_tsan() ? " (ThreadSanitizer)" : "");

    const bool tsan = under_tsan();
    verdict_log log(tsan ? "tsan" : "stress");
    for_each_entry(lifecycle_catalogue{}, [&]<class E>() {
        if (!opt.entry.empty() && opt.entry != E::name) return;
        using L = typename E::template type<native_world>;
        const auto o = run_isolated([&] { return run_rounds<L>(opt, E::name.data()); }, tsan ? 120.0 : 60.0);
        record r = record_for<E>(lifecycle_component);
        r.expected = tsan ? E::expected.tsan : E::expected.stress;
        r.got = o.passed ? verdict::pass : verdict::fail;
        const auto nl = o.output.find("round ");
        const auto done = o.output.find(": ");
        r.detail = o.passed ? (done != std::string::npos ? o.output.substr(done + 2, o.output.find('\n') - done - 2)
                                                         : std::string("invariants held"))
                 : o.timed_out ? "hang: killed at the deadline"
                 : o.exit_code == 66 ? "ThreadSanitizer reported a data race"
                 : nl != std::string::npos ? o.output.substr(nl, o.output.find('\n', nl) - nl)
                                           : "child exited with " + std::to_string(o.exit_code);
        r.trace = o.output;
        r.extra["seed"] = std::to_string(opt.seed);
        r.extra["seconds"] = std::to_string(o.seconds);
        log.add(std::move(r));
    });
    return log.exit_status();
}
