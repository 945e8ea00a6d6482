// Check "stress" (native build) and "tsan" (ThreadSanitizer build) of the
// loop-fed priority queues (primitives/pq/loop_catalogue.hpp): two workers
// push tasks with priorities into a priority_source feeding
// coalescing_loop, which pops one per turn (primitives/pq/priority_source.hpp).
//
// A round: worker 0 pushes a flood of `flood` low-priority tasks (priority
// 0), then one high-priority task (priority 1), reads the loop's turn count
// (the turn during which its push returned), pauses 1 ms (a worker busy
// with something else), pushes `flood` more low tasks and finishes; worker
// 1 pushes 2 x `flood` low tasks meanwhile (yielding every 64) and
// finishes. The loop thread runs until the source is done. Judged:
//   * every task runs exactly once (nothing lost, nothing twice);
//   * for entries that promise it, one worker's low tasks run in push order;
//   * strict entries: the high task runs within 1 turn after the turn its
//     push returned in (lag <= 1). Relaxed entries: the lag is recorded.
// The record holds each round's lag and turn count. Rounds: 12 (default flood
// 500), natively and under TSan.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "primitives/harness/check_program.hpp"
#include "primitives/loop/basic_loop.hpp"
#include "primitives/loop/channels.hpp"
#include "primitives/native_world.hpp"
#include "primitives/pq/loop_catalogue.hpp"
#include "primitives/pq/priority_source.hpp"

namespace {

using namespace gauntlet;
using loop_type = basic_loop<native_world, coalescing_channel<native_world>>;

constexpr std::uint64_t high_id = ~std::uint64_t{0} >> 1;

// One round's loop thread side: what ran, in which turn.
template <class Q>
struct round_state {
    using source_type = priority_source<loop_type, Q>;
    const source_type* source = nullptr;
    std::vector<std::uint8_t> seen;  // per low task id
    std::uint64_t last[2] = {0, 0};  // per worker: 1 + the latest low id run
    std::uint64_t per_worker = 0;
    bool fifo = false;
    std::string order_broken;
    unsigned high_runs = 0;
    std::uint64_t high_turn = 0;
    std::uint64_t unknown = 0;

    static void on_task(void* ctx, const pq_item& v) { static_cast<round_state*>(ctx)->ran(v); }
    void ran(const pq_item& v) {
        if (v.payload == high_id) {
            ++high_runs;
            high_turn = source->turns();  // this turn: its hook counted it
            return;
        }
        if (v.payload >= seen.size()) {
            ++unknown;
            return;
        }
        ++seen[v.payload];
        const unsigned w = static_cast<unsigned>(v.payload / per_worker);
        if (fifo && order_broken.empty() && v.payload + 1 < last[w])
            order_broken = "worker " + std::to_string(w) + "'s low task " + std::to_string(v.payload) +
                           " ran after its later task " + std::to_string(last[w] - 1);
        if (v.payload + 1 > last[w]) last[w] = v.payload + 1;
    }
};

template <class E>
result check_entry(unsigned rounds, std::uint64_t flood) {
    using Q = typename E::template type<native_world>;
    using state = round_state<Q>;
    const std::uint64_t per_worker = 2 * flood;
    json::array lags, turn_counts;
    std::uint64_t max_lag = 0;
    std::string broken;
    for (unsigned r = 0; r < rounds && broken.empty(); ++r) {
        loop_type loop;
        state st;
        st.seen.assign(2 * per_worker, 0);
        st.per_worker = per_worker;
        st.fifo = E::traits.fifo_among_equal;
        typename state::source_type source(loop, 2, &state::on_task, &st);
        st.source = &source;
        std::uint64_t posted_turn = 0;
        std::thread w0([&] {
            for (std::uint64_t i = 0; i < flood; ++i) source.push(0, pq_item{0, i});
            source.push(0, pq_item{1, high_id});
            posted_turn = source.turns();
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            for (std::uint64_t i = flood; i < per_worker; ++i) source.push(0, pq_item{0, i});
            source.finish(0);
        });
        std::thread w1([&] {
            for (std::uint64_t i = 0; i < per_worker; ++i) {
                source.push(1, pq_item{0, per_worker + i});
                if (i % 64 == 63) std::this_thread::yield();
            }
            source.finish(1);
        });
        loop.run();
        w0.join();
        w1.join();
        const std::string where = "round " + std::to_string(r) + ": ";
        if (st.high_runs != 1) {
            broken = where + "the high task ran " + std::to_string(st.high_runs) + " times";
            break;
        }
        if (st.unknown) {
            broken = where + std::to_string(st.unknown) + " tasks ran that no worker pushed";
            break;
        }
        for (std::uint64_t i = 0; i < st.seen.size() && broken.empty(); ++i)
            if (st.seen[i] != 1)
                broken = where + "low task " + std::to_string(i) + " ran " + std::to_string(st.seen[i]) + " times";
        if (!broken.empty()) break;
        if (!st.order_broken.empty()) {
            broken = where + st.order_broken;
            break;
        }
        const std::uint64_t lag = st.high_turn >= posted_turn ? st.high_turn - posted_turn : 0;
        lags.push_back(json(lag));
        turn_counts.push_back(json(source.turns()));
        if (lag > max_lag) max_lag = lag;
        if (E::traits.order == pq_order::strict && lag > 1)
            broken = where + "the high task pushed during turn " + std::to_string(posted_turn) + " ran in turn " +
                     std::to_string(st.high_turn) + ": " + std::to_string(lag) +
                     " turns later (bound: 1 for a strict queue), behind low tasks";
    }
    json m;
    m["rounds"] = rounds;
    m["flood"] = flood;
    m["lag_turns"] = json(std::move(lags));
    m["turns"] = json(std::move(turn_counts));
    m["max_lag_turns"] = max_lag;
    const std::string what = std::to_string(rounds) + " rounds, two workers, " + std::to_string(4 * flood + 1) +
                             " tasks a round, the high one behind a flood of " + std::to_string(flood);
    if (!broken.empty()) return result::fail(broken + " (" + what + ")", {}, m);
    if (E::traits.order == pq_order::strict)
        return result::pass("exactly once; the high task ran within 1 turn of its push (max lag " +
                                std::to_string(max_lag) + "): " + what,
                            m);
    return result::pass("exactly once; relaxed, lag recorded (max " + std::to_string(max_lag) + " turns): " + what, m);
}

}  // namespace

int main(int argc, char** argv) {
    unsigned rounds = 12;
    std::uint64_t flood = 500;
    check_program prog("pq_loop", under_tsan() ? check_kind::tsan : check_kind::stress,
                       "Priority queues feeding coalescing_loop (one pop per turn): two workers flood low tasks,\n"
                       "one high task behind them; exactly once, and a strict queue runs it within 1 turn.",
                       under_tsan() ? 60.0 : 20.0);
    prog.options()
        .option("--rounds", "N", "rounds per entry (default 12)", rounds, 1u, 100000u)
        .option("--flood", "N", "low tasks before the high one (default 500)", flood, std::uint64_t{1},
                std::uint64_t{1} << 24);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<pq_loop_kind>([&]<class E>(const entry_context&) { return check_entry<E>(rounds, flood); });
    return prog.finish();
}
