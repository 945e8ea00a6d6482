// Linearizability of concurrent queue histories against a sequential FIFO
// queue, and per-producer FIFO order for queues that promise only that.
//
// A history is a list of completed operations, each with an invocation and a
// response timestamp taken from one global counter (so "a responded before b
// was invoked" is exactly `a.response < b.invoke`). The checker is the
// Wing–Gong search (J. Wing, C. Gong, "Testing and verifying concurrent
// objects", JPDC 1993): pick an operation that is minimal (no other pending
// operation responded before it was invoked), apply it to the sequential
// queue, recurse, backtrack on a mismatch. Lowe's refinement ("Testing for
// linearizability", CCPE 2017; also Horn and Kroening, FORTE 2015) memoises
// every visited (set of linearized operations, queue contents) pair, because
// the same configuration is reached along many interleavings; with it the
// search is linear in the number of distinct configurations.
//
// Limits: at most `max_operations` (64) operations per history, the set being
// a 64-bit mask; the checks use 6–25. Values must be unique per history. The
// search is still exponential when many pushes overlap and are popped only
// later (each push order is a distinct queue state), so it stops after
// `budget` configurations and reports the history as too large
// (inconclusive) rather than running for minutes; the scenarios keep such
// histories rare (3–5 operations per thread).
//
// Sequential specification (contract.hpp): push(v) returns false iff the
// queue is bounded and holds `capacity` items; pop returns false iff the queue
// is empty, otherwise the oldest item.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

namespace gauntlet::linearizability {

enum class op_kind { push, pop };

struct operation {
    int thread = 0;  // -1: the set-up thread that pre-filled the queue
    op_kind kind = op_kind::push;
    std::uint64_t value = 0;  // pushed value, or popped value when ok
    bool ok = false;          // what try_push / try_pop returned
    std::uint64_t invoke = 0;
    std::uint64_t response = 0;
};

using history = std::vector<operation>;

constexpr std::size_t max_operations = 64;
constexpr std::size_t unbounded = std::numeric_limits<std::size_t>::max();

inline std::string describe(const operation& op) {
    std::ostringstream s;
    s << "t" << op.thread << " [" << op.invoke << "," << op.response << "] ";
    if (op.kind == op_kind::push)
        s << "push(" << op.value << ") -> " << (op.ok ? "true" : "false (full)");
    else if (op.ok)
        s << "pop() -> " << op.value;
    else
        s << "pop() -> false (empty)";
    return s.str();
}

inline std::string describe(const history& h) {
    std::vector<const operation*> by_invoke;
    for (const auto& op : h) by_invoke.push_back(&op);
    std::sort(by_invoke.begin(), by_invoke.end(),
              [](auto* a, auto* b) { return a->invoke < b->invoke; });
    std::string out;
    for (auto* op : by_invoke) out += describe(*op) + "\n";
    return out;
}

struct outcome {
    bool linearizable = false;
    bool too_large = false;          // over max_operations or the search budget
    std::size_t configurations = 0;  // distinct (set, state) pairs visited
};

class fifo_checker {
public:
    fifo_checker(const history& h, std::size_t capacity, std::size_t budget)
        : h_(h), capacity_(capacity), budget_(budget) {}

    outcome run() {
        outcome o;
        if (h_.size() > max_operations) {
            o.too_large = true;
            return o;
        }
        full_ = h_.size() == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << h_.size()) - 1;
        std::deque<std::uint64_t> queue;
        o.linearizable = search(0, queue);
        o.configurations = seen_.size();
        o.too_large = over_budget_;
        if (over_budget_) o.linearizable = false;
        return o;
    }

private:
    struct key_hash {
        std::size_t operator()(const std::pair<std::uint64_t, std::vector<std::uint64_t>>& k) const {
            std::size_t x = std::hash<std::uint64_t>{}(k.first);
            for (auto v : k.second) x = x * 1000003u ^ std::hash<std::uint64_t>{}(v);
            return x;
        }
    };

    // Apply `op` to `q` if the sequential queue allows its recorded result.
    bool apply(const operation& op, std::deque<std::uint64_t>& q) const {
        if (op.kind == op_kind::push) {
            const bool full = capacity_ != unbounded && q.size() >= capacity_;
            if (op.ok == full) return false;
            if (op.ok) q.push_back(op.value);
            return true;
        }
        if (!op.ok) return q.empty();
        if (q.empty() || q.front() != op.value) return false;
        q.pop_front();
        return true;
    }

    bool search(std::uint64_t done, std::deque<std::uint64_t>& q) {
        if (done == full_) return true;
        if (seen_.size() >= budget_) {
            over_budget_ = true;
            return false;
        }
        if (!seen_.insert({done, std::vector<std::uint64_t>(q.begin(), q.end())}).second)
            return false;
        std::uint64_t earliest_response = std::numeric_limits<std::uint64_t>::max();
        for (std::size_t i = 0; i < h_.size(); ++i)
            if (!(done >> i & 1)) earliest_response = std::min(earliest_response, h_[i].response);
        for (std::size_t i = 0; i < h_.size(); ++i) {
            if (done >> i & 1) continue;
            // Minimal: invoked before every pending operation responded.
            if (h_[i].invoke > earliest_response) continue;
            std::deque<std::uint64_t> next = q;
            if (!apply(h_[i], next)) continue;
            if (search(done | std::uint64_t{1} << i, next)) return true;
            if (over_budget_) return false;
        }
        return false;
    }

    const history& h_;
    std::size_t capacity_;
    std::size_t budget_;
    bool over_budget_ = false;
    std::uint64_t full_ = 0;
    std::unordered_set<std::pair<std::uint64_t, std::vector<std::uint64_t>>, key_hash> seen_;
};

// Is `h` linearizable with respect to a FIFO queue of `capacity` items
// (`unbounded` for no bound)? At most `budget` configurations are visited.
inline outcome check_fifo(const history& h, std::size_t capacity, std::size_t budget = 2'000'000) {
    return fifo_checker(h, capacity, budget).run();
}

// Per-producer FIFO and exactly-once, for queues that promise no total order
// (moodycamel::ConcurrentQueue). For two pushes a, b of one thread with a
// before b, a pop of b must not respond before a pop of a is invoked, and b
// must not be popped while a never is (given the history ends drained).
// Returns an empty string when the history satisfies it, else a reason.
inline std::string check_fifo_per_producer(const history& h, bool drained) {
    std::map<std::uint64_t, const operation*> pushed, popped;
    for (const auto& op : h) {
        if (!op.ok) continue;
        auto& side = op.kind == op_kind::push ? pushed : popped;
        if (!side.emplace(op.value, &op).second)
            return (op.kind == op_kind::push ? "value pushed twice: " : "value popped twice: ") +
                   std::to_string(op.value);
    }
    for (const auto& [v, pop] : popped)
        if (!pushed.count(v)) return "popped a value never pushed: " + std::to_string(v);
    if (drained)
        for (const auto& [v, push] : pushed)
            if (!popped.count(v)) return "pushed value lost: " + std::to_string(v);
    for (const auto& [va, a] : pushed)
        for (const auto& [vb, b] : pushed) {
            if (a->thread != b->thread || !(a->response < b->invoke)) continue;
            auto pa = popped.find(va), pb = popped.find(vb);
            if (pb == popped.end()) continue;
            if (pa == popped.end() && drained)
                return "popped " + std::to_string(vb) + " but never its predecessor " + std::to_string(va);
            if (pa != popped.end() && pb->second->response < pa->second->invoke)
                return "producer t" + std::to_string(a->thread) + ": " + std::to_string(vb) +
                       " popped before " + std::to_string(va);
        }
    return {};
}

}  // namespace gauntlet::linearizability
