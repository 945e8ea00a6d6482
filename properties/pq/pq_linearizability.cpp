// Property check "linearizability" for every strict priority queue in the
// catalogue (relaxed entries skip it: no sequential specification holds a
// relaxed pop; their rank error is measured by the property and stress
// checks).
//
// Per entry: random small scenarios on real threads. An optional pre-fill
// (0-2 items pushed and flushed by the consumer's thread through producer 0,
// labelled producer 2 in their values), then two producers' 3-4 items each
// (priorities 0..3: ties are frequent) pushed by one producer thread,
// interleaved, then both flushed, while the consumer thread makes 4-7
// try_pop calls; the two start together at a barrier, each call after a
// short random spin (recorder below). After the join the set-up
// thread drains by try_pop until it reports empty. Each recorded history is
// checked with the Wing–Gong–Lowe search of
// properties/queues/linearizability_checker.hpp against pq_spec below: a
// sequential priority queue (a pop returns an item of the highest priority
// present, false only when empty; for entries promising it, the oldest of
// its producer among equal priorities). An item's value in the history is
// priority << 32 | producer << 8 | its index.
//
// What it adds to the stress check: each pop's answer is judged against the
// real-time order of every operation (the stress judge uses a lower bound
// over linearizations); what it cannot see: outcomes of a few instructions'
// window show only when a scenario happens to hit them. The first failing
// history is the record's trace. Power: at least 20% of the histories must
// overlap operations of two threads, at most 5% be over the search budget
// (history_tally.hpp).
#include <algorithm>
#include <atomic>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/pin.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/native_world.hpp"
#include "primitives/pq/catalogue.hpp"
#include "primitives/queues/op_clock.hpp"
#include "properties/queues/history_tally.hpp"
#include "properties/queues/linearizability_checker.hpp"

namespace {

using namespace gauntlet;
namespace lin = gauntlet::linearizability;

std::uint32_t priority_of(std::uint64_t v) { return static_cast<std::uint32_t>(v >> 32); }
std::uint64_t producer_of(std::uint64_t v) { return (v >> 8) & 0xffffffu; }

// A sequential priority queue over the checker's state (kept sorted, so one
// multiset is one state).
struct pq_spec {
    bool fifo_among_equal = true;
    bool apply(const lin::operation& op, std::deque<std::uint64_t>& q) const {
        if (op.kind == lin::op_kind::push) {
            if (!op.ok) return false;
            q.insert(std::upper_bound(q.begin(), q.end(), op.value), op.value);
            return true;
        }
        if (op.kind != lin::op_kind::pop) return false;
        if (!op.ok) return q.empty();
        const auto it = std::find(q.begin(), q.end(), op.value);
        if (it == q.end() || priority_of(op.value) != priority_of(q.back())) return false;
        if (fifo_among_equal)
            for (auto v : q)
                if (priority_of(v) == priority_of(op.value) && producer_of(v) == producer_of(op.value) && v < op.value)
                    return false;
        q.erase(it);
        return true;
    }
};

struct scenario {
    unsigned prefill;
    std::vector<std::uint32_t> prefill_priorities;
    std::vector<std::uint32_t> pushes[2];
    std::vector<unsigned> order;  // which producer pushes next, per push
    std::vector<unsigned> gaps;   // pause steps before each call: the pushes', then the pops'
    unsigned pops;
};

scenario random_scenario(std::mt19937_64& rng) {
    scenario s;
    s.prefill = static_cast<unsigned>(rng() % 3);
    for (unsigned i = 0; i < s.prefill; ++i) s.prefill_priorities.push_back(static_cast<std::uint32_t>(rng() % 4));
    for (unsigned p = 0; p < 2; ++p) {
        s.pushes[p].resize(3 + rng() % 2);
        for (auto& x : s.pushes[p]) x = static_cast<std::uint32_t>(rng() % 4);
        s.order.insert(s.order.end(), s.pushes[p].size(), p);
    }
    std::shuffle(s.order.begin(), s.order.end(), rng);
    s.pops = 4 + static_cast<unsigned>(rng() % 4);
    s.gaps.resize(s.order.size() + s.pops);
    for (auto& g : s.gaps) g = static_cast<unsigned>(rng() % 32);
    return s;
}

void gap(unsigned steps) {
    for (; steps > 0; --steps) native_world::spin_hint();
}

// One producer thread that lives for the whole entry and pushes both
// producers' items of each scenario (each producer index is used by one
// thread at a time), interleaved as the scenario says, then flushes both;
// the calling thread is the consumer. The two meet at a barrier before and
// after each scenario's concurrent part (spinning, yielding after a while:
// the machine may be shared); a thread that lives on keeps its core warm,
// so the two parts overlap far more often than with a thread per history.
// The consumer is pinned to the first allowed CPU, the producer to the
// second (bench/pin.hpp): left to the scheduler on a loaded machine, both
// shared one CPU and no history overlapped.
template <class Q>
class recorder {
public:
    recorder() : producer_([this] { produce(); }) { pin_current_thread(0); }
    ~recorder() {
        quit_ = true;
        meet();
        producer_.join();
    }

    lin::history run(const scenario& s) {
        q_.emplace(2);
        s_ = &s;
        lin::history h;
        for (unsigned i = 0; i < s.prefill; ++i) {
            // labelled producer 2 in its values: the order rule compares
            // items of one label only (producer 0's indices start again)
            const std::uint64_t value =
                (std::uint64_t{s.prefill_priorities[i]} << 32) | (std::uint64_t{2} << 8) | i;
            push(-1, 0, s.prefill_priorities[i], value, h);
        }
        q_->flush(0);
        pushed_.clear();
        meet();  // start
        lin::history popped;
        for (unsigned j = 0; j < s.pops; ++j) {
            gap(s.gaps[s.order.size() + j]);
            pop(2, popped);
        }
        meet();  // both parts done
        h.insert(h.end(), pushed_.begin(), pushed_.end());
        h.insert(h.end(), popped.begin(), popped.end());
        for (std::size_t n = 0; n < 16 && pop(-2, h); ++n) {
        }
        q_.reset();
        return h;
    }

private:
    void push(int thread, unsigned p, std::uint32_t priority, std::uint64_t value, lin::history& out) {
        lin::operation op{thread, lin::op_kind::push, value, true, op_clock::invoke(), 0, false};
        q_->push(p, pq_item{priority, value});
        op.response = op_clock::response();
        out.push_back(op);
    }
    bool pop(int thread, lin::history& out) {
        lin::operation op{thread, lin::op_kind::pop, 0, false, op_clock::invoke(), 0, false};
        pq_item v;
        op.ok = q_->try_pop(v);
        op.response = op_clock::response();
        if (op.ok) op.value = v.payload;
        out.push_back(op);
        return op.ok;
    }

    void produce() {
        pin_current_thread(1);
        for (;;) {
            meet();  // start (or quit)
            if (quit_) return;
            const scenario& s = *s_;
            std::size_t next[2] = {0, 0};
            for (std::size_t i = 0; i < s.order.size(); ++i) {
                const unsigned p = s.order[i];
                gap(s.gaps[i]);
                const std::uint64_t value =
                    (std::uint64_t{s.pushes[p][next[p]]} << 32) | (std::uint64_t{p} << 8) | next[p];
                push(static_cast<int>(p), p, s.pushes[p][next[p]], value, pushed_);
                ++next[p];
            }
            q_->flush(0);
            q_->flush(1);
            meet();  // done
        }
    }

    // A two-party barrier: the k-th meeting returns when both arrived.
    void meet() {
        thread_local std::uint64_t mine = 0;
        mine += 2;
        arrived_.fetch_add(1, std::memory_order_acq_rel);
        for (unsigned spins = 0; arrived_.load(std::memory_order_acquire) < mine; ++spins)
            if (spins > 4000)
                std::this_thread::yield();
            else
                native_world::spin_hint();
    }

    std::optional<Q> q_;
    const scenario* s_ = nullptr;
    lin::history pushed_;
    std::atomic<std::uint64_t> arrived_{0};
    bool quit_ = false;  // written before a meeting, read after it
    std::thread producer_;
};

}  // namespace

int main(int argc, char** argv) {
    std::size_t scenarios = 2000;
    check_program prog("pq_linearizability", check_kind::linearizability,
                       "Records small concurrent histories of every strict catalogue priority queue (two producers,\n"
                       "the consumer) on real threads and checks them for linearizability (Wing-Gong-Lowe).",
                       120.0);
    prog.options().option("--scenarios", "N", "histories per entry (default 2000)", scenarios, std::size_t{1},
                          std::size_t{10000000});
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<pq_kind>([&]<class E>(const entry_context& ctx) -> result {
        if constexpr (E::expected.linearizability.kind == expect::skip) {
            return result::fail("the body of an entry whose linearizability check is skipped ran");
        } else {
            using Q = typename E::template type<native_world>;
            std::mt19937_64 rng(ctx.seed);
            lin::history_tally tally;
            recorder<Q> rec;
            for (std::size_t i = 0; i < scenarios && tally.failure.empty(); ++i) {
                const scenario s = random_scenario(rng);
                const lin::history h = rec.run(s);
                tally.recorded(h);
                const lin::outcome o =
                    lin::checker<pq_spec>(h, pq_spec{E::traits.fifo_among_equal}, 2'000'000).run();
                if (tally.searched(o) && !o.linearizable)
                    tally.failure = "scenario " + std::to_string(i) +
                                    ": history not linearizable w.r.t. a sequential priority queue" +
                                    (E::traits.fifo_among_equal ? " (per-producer order among equal priorities)" : "") +
                                    "; values are priority << 32 | producer << 8 | index\n" + lin::describe(h);
            }
            return tally.verdict("linearizable", json{});
        }
    });
    return prog.finish();
}
