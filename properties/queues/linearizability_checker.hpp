// Linearizability of concurrent histories against a sequential object (a
// FIFO queue, or a work-stealing deque), and per-producer FIFO order for
// queues that promise only that.
//
// A history is a list of completed operations, each with an invocation and a
// response timestamp taken from one global counter (so "a responded before b
// was invoked" is exactly `a.response < b.invoke`). The checker is the
// Wing–Gong search (J. Wing, C. Gong, "Testing and verifying concurrent
// objects", JPDC 1993): pick an operation that is minimal (no other pending
// operation responded before it was invoked), apply it to the sequential
// object, recurse, backtrack on a mismatch. Lowe's refinement ("Testing for
// linearizability", CCPE 2017; also Horn and Kroening, FORTE 2015) memoises
// every visited (set of linearized operations, object contents) pair, because
// the same configuration is reached along many interleavings; with it the
// search is linear in the number of distinct configurations.
//
// The search (checker<Spec>) is one; a sequential specification (fifo_spec,
// deque_spec) says which recorded results an operation may have on a given
// content, a std::deque of items in push order, and how it changes it.
//
// Limits: at most `max_operations` (64) operations per history, the set being
// a 64-bit mask; the checks use 6–25. Values must be unique per history. The
// search is still exponential when many pushes overlap and are popped only
// later (each push order is a distinct state), so it stops after `budget`
// configurations and reports the history as too large (inconclusive) rather
// than running for minutes; the scenarios keep such histories rare (3–5
// operations per thread).
//
// Sequential specifications:
//   fifo_spec (primitives/queues/contract.hpp): push(v) returns false iff the
//     queue is bounded and holds `capacity` items; pop returns false iff the
//     queue is empty, otherwise the oldest item.
//   deque_spec (primitives/deque/contract.hpp): push as above; pop returns
//     false iff the deque is empty, otherwise the newest item (owner LIFO);
//     steal: success with the oldest item, `empty` only on an empty deque,
//     `abort` on any content and takes nothing (a lost race is no change).
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

enum class op_kind { push, pop, steal };

struct operation {
    int thread = 0;  // -1: the set-up thread that pre-filled the object, -2: its drain
    op_kind kind = op_kind::push;
    std::uint64_t value = 0;  // pushed value, or the popped / stolen value when ok
    bool ok = false;          // what push / pop returned; steal: success
    std::uint64_t invoke = 0;
    std::uint64_t response = 0;
    bool aborted = false;  // steal only, when !ok: `abort` (else `empty`)
};

using history = std::vector<operation>;

constexpr std::size_t max_operations = 64;
constexpr std::size_t unbounded = std::numeric_limits<std::size_t>::max();

inline std::string describe(const operation& op) {
    std::ostringstream s;
    s << "t" << op.thread << " [" << op.invoke << "," << op.response << "] ";
    if (op.kind == op_kind::push)
        s << "push(" << op.value << ") -> " << (op.ok ? "true" : "false (full)");
    else if (op.kind == op_kind::steal)
        s << "steal() -> " << (op.ok ? "success " + std::to_string(op.value) : op.aborted ? "abort" : "empty");
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

// A sequential FIFO queue of `capacity` items (`unbounded` for no bound).
struct fifo_spec {
    std::size_t capacity = unbounded;
    // Apply `op` to `q` if the sequential queue allows its recorded result.
    bool apply(const operation& op, std::deque<std::uint64_t>& q) const {
        if (op.kind == op_kind::push) {
            const bool full = capacity != unbounded && q.size() >= capacity;
            if (op.ok == full) return false;
            if (op.ok) q.push_back(op.value);
            return true;
        }
        if (op.kind != op_kind::pop) return false;  // a queue has no steal
        if (!op.ok) return q.empty();
        if (q.empty() || q.front() != op.value) return false;
        q.pop_front();
        return true;
    }
};

// A sequential work-stealing deque: push and pop at the back, steal at the
// front; `capacity` bounds it (`unbounded` for no bound).
struct deque_spec {
    std::size_t capacity = unbounded;
    bool apply(const operation& op, std::deque<std::uint64_t>& q) const {
        switch (op.kind) {
            case op_kind::push: {
                const bool full = capacity != unbounded && q.size() >= capacity;
                if (op.ok == full) return false;
                if (op.ok) q.push_back(op.value);
                return true;
            }
            case op_kind::pop:
                if (!op.ok) return q.empty();
                if (q.empty() || q.back() != op.value) return false;
                q.pop_back();
                return true;
            case op_kind::steal:
                if (!op.ok) return op.aborted || q.empty();
                if (q.empty() || q.front() != op.value) return false;
                q.pop_front();
                return true;
        }
        return false;
    }
};

template <class Spec>
class checker {
public:
    checker(const history& h, Spec spec, std::size_t budget) : h_(h), spec_(spec), budget_(budget) {}

    outcome run() {
        outcome o;
        if (h_.size() > max_operations) {
            o.too_large = true;
            return o;
        }
        full_ = h_.size() == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << h_.size()) - 1;
        std::deque<std::uint64_t> contents;
        o.linearizable = search(0, contents);
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
            if (!spec_.apply(h_[i], next)) continue;
            if (search(done | std::uint64_t{1} << i, next)) return true;
            if (over_budget_) return false;
        }
        return false;
    }

    const history& h_;
    Spec spec_;
    std::size_t budget_;
    bool over_budget_ = false;
    std::uint64_t full_ = 0;
    std::unordered_set<std::pair<std::uint64_t, std::vector<std::uint64_t>>, key_hash> seen_;
};

// Is `h` linearizable with respect to a FIFO queue of `capacity` items
// (`unbounded` for no bound)? At most `budget` configurations are visited.
inline outcome check_fifo(const history& h, std::size_t capacity, std::size_t budget = 2'000'000) {
    return checker<fifo_spec>(h, fifo_spec{capacity}, budget).run();
}

// Is `h` linearizable with respect to a work-stealing deque of `capacity`
// items (`unbounded` for no bound)? At most `budget` configurations.
inline outcome check_deque(const history& h, std::size_t capacity, std::size_t budget = 2'000'000) {
    return checker<deque_spec>(h, deque_spec{capacity}, budget).run();
}

// Did operations of two different worker threads (the set-up thread's
// pre-fill and drain not counted) overlap in time? A history without such
// a pair is sequential and tests nothing concurrent.
inline bool threads_overlap(const history& h) {
    for (std::size_t a = 0; a < h.size(); ++a)
        for (std::size_t b = a + 1; b < h.size(); ++b)
            if (h[a].thread >= 0 && h[b].thread >= 0 && h[a].thread != h[b].thread && h[a].invoke < h[b].response &&
                h[b].invoke < h[a].response)
                return true;
    return false;
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
