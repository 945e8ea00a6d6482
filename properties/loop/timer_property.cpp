// Check "property" for every timer catalogue entry (primitives/loop/
// timer_catalogue.hpp): each timer queue against a sequential reference of
// the contract in primitives/loop/timers.hpp, with RapidCheck.
//
// A case is a list of operations, done on the entry's queue and on the
// reference (a std::set of (deadline, sequence)) alike:
//   add +D          deadline now + D; `aligned` rounds it up to a multiple
//                   of 64, so that timers armed at different times share
//                   deadlines and level boundaries; `past` makes it now - D
//                   (at least 0), already due;
//   cancel          an id issued earlier (pending, fired or cancelled alike)
//                   or the default id;
//   advance +S      now += S, then a timer phase as a loop runs it:
//                   seq_limit = next_seq() read once, then pop_due(now,
//                   seq_limit) until it returns false, or after at most K
//                   pops (`pops <= K`), leaving the phase open;
//   resume          the open phase pops on with the same now and seq_limit:
//                   the operations between an advance and a resume are its
//                   callbacks adding and cancelling timers mid-phase.
// Delays mostly stay under 5000 ms (they cross the wheel's first levels);
// some reach 2^20 ms, a few 2^36 ms and beyond (the wheel's overflow list),
// and advances are as long, so those timers fire too.
// Every pop must give the reference's answer and the same timer (its task's
// context is its sequence); every cancel the reference's answer. After every
// operation: size() is the reference's; next_deadline() is nullopt iff
// nothing is pending, else <= the earliest pending deadline (equal to it
// where the queue says exact_next_deadline); and after a pop_due that
// returned false while no pending deadline was <= now, next_deadline() > now
// (a loop sleeping until then does not spin). A failing case is shrunk; the
// record's trace is the shrunk case's log, one line per operation.
#include <rapidcheck.h>

#include <cstdint>
#include <iostream>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "primitives/harness/check_program.hpp"
#include "primitives/loop/timer_catalogue.hpp"
#include "properties/rapidcheck_params.hpp"

namespace gauntlet::timer_property {

enum class op_kind : std::uint8_t { add, cancel, advance, resume };

inline constexpr std::uint32_t all_pops = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::uint64_t far = std::uint64_t{1} << 36;  // the wheel's span: beyond it, its overflow list

struct op {
    op_kind kind = op_kind::add;
    std::uint64_t amount = 0;      // add: delay; advance: step; cancel: the pick (0: the default id, k: seq (k-1) mod adds)
    bool past = false;             // add: deadline now - amount
    bool aligned = false;          // add: deadline rounded up to a multiple of 64
    std::uint32_t pops = all_pops;  // advance: pops before the phase pauses
};

inline std::string show(const op& o) {
    switch (o.kind) {
        case op_kind::add:
            return std::string("add ") + (o.past ? "-" : "+") + std::to_string(o.amount) + (o.aligned ? " aligned" : "");
        case op_kind::cancel: return "cancel pick " + std::to_string(o.amount);
        case op_kind::advance:
            return "advance +" + std::to_string(o.amount) +
                   (o.pops == all_pops ? std::string() : " pops <= " + std::to_string(o.pops));
        case op_kind::resume: return "resume";
    }
    return "?";
}
// RapidCheck prints a counterexample's values with this.
inline void showValue(const op& o, std::ostream& os) { os << show(o); }

// Mostly short, some long, a few past the wheel's span: the first choice
// of each is what shrinking moves towards.
inline rc::Gen<std::uint64_t> span_gen(std::uint64_t shortest) {
    return rc::gen::weightedOneOf<std::uint64_t>({
        {12, rc::gen::inRange<std::uint64_t>(0, shortest)},
        {6, rc::gen::inRange<std::uint64_t>(0, 5001)},
        {2, rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << 20)},
        {1, rc::gen::inRange<std::uint64_t>(far - (std::uint64_t{1} << 20), 4 * far)},
    });
}

inline rc::Gen<op> op_gen() {
    auto add = rc::gen::map(rc::gen::tuple(span_gen(300), rc::gen::weightedElement<bool>({{9, false}, {1, true}}),
                                           rc::gen::element(false, true)),
                            [](const std::tuple<std::uint64_t, bool, bool>& t) {
                                const auto& [delay, past, aligned] = t;
                                op o;
                                o.kind = op_kind::add;
                                o.past = past;
                                o.amount = past ? delay % 200 : delay;  // a little in the past
                                o.aligned = aligned && !past;
                                return o;
                            });
    auto cancel = rc::gen::map(rc::gen::inRange<std::uint64_t>(0, 1000), [](std::uint64_t k) {
        op o;
        o.kind = op_kind::cancel;
        o.amount = k;
        return o;
    });
    auto advance = rc::gen::map(
        rc::gen::tuple(span_gen(100),
                       rc::gen::weightedOneOf<std::uint32_t>(
                           {{7, rc::gen::just(all_pops)}, {3, rc::gen::inRange<std::uint32_t>(0, 4)}})),
        [](const std::tuple<std::uint64_t, std::uint32_t>& t) {
            op o;
            o.kind = op_kind::advance;
            o.amount = std::get<0>(t);
            o.pops = std::get<1>(t);
            return o;
        });
    op resume;
    resume.kind = op_kind::resume;
    return rc::gen::weightedOneOf<op>({{5, add}, {3, advance}, {2, cancel}, {1, rc::gen::just(resume)}});
}

// The contract, sequentially.
struct reference {
    std::set<std::pair<std::uint64_t, std::uint64_t>> pending;  // (deadline, seq)
    std::vector<std::uint64_t> deadline_of;                     // by seq

    std::uint64_t add(std::uint64_t deadline) {
        const std::uint64_t seq = deadline_of.size();
        deadline_of.push_back(deadline);
        pending.insert({deadline, seq});
        return seq;
    }
    bool cancel(std::optional<std::uint64_t> seq) {
        return seq && pending.erase({deadline_of[*seq], *seq}) > 0;
    }
    std::optional<std::pair<std::uint64_t, std::uint64_t>> pop_due(std::uint64_t now, std::uint64_t seq_limit) {
        if (pending.empty()) return std::nullopt;
        const auto least = *pending.begin();
        if (least.first > now || least.second >= seq_limit) return std::nullopt;
        pending.erase(pending.begin());
        return least;
    }
    bool any_due(std::uint64_t now) const { return !pending.empty() && pending.begin()->first <= now; }
};

inline void never_run(void*) {}

// One case against queue type Q; RC_FAIL with the log on the first
// difference.
template <class Q>
void run_case(const std::vector<op>& ops) {
    Q q;
    reference ref;
    std::vector<timer_id> ids;  // by seq
    std::uint64_t now = 0, seq_limit = 0;
    std::ostringstream log;
    log << "operations (now starts at 0):\n";
    const auto differ = [&](const std::string& what) {
        const std::string so_far = log.str();
        RC_LOG() << so_far << (so_far.back() == '\n' ? "" : "\n") << "  DIFFERS: " << what << "\n";
        RC_FAIL(what);
    };
    // pop_due until false or `budget` pops; both sides in step.
    const auto phase = [&](std::uint32_t budget) {
        log << ", phase seq < " << seq_limit << ":";
        std::uint32_t popped = 0;
        for (; popped < budget; ++popped) {
            const auto want = ref.pop_due(now, seq_limit);
            task out{};
            const bool got = q.pop_due(now, seq_limit, out);
            const auto seq = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(out.ctx));
            if (got && want && seq == want->second) {
                log << (popped ? ", seq " : " popped seq ") << seq << " (deadline " << want->first << ")";
                continue;
            }
            if (!got && !want) {
                log << (popped ? "; nothing more" : " nothing to pop");
                if (!ref.any_due(now)) {
                    const auto nd = q.next_deadline();
                    if (nd && *nd <= now)
                        differ("nothing pending is due at " + std::to_string(now) + ", but next_deadline() is " +
                               std::to_string(*nd) + " (a loop sleeping until then would spin)");
                }
                return;
            }
            differ("pop_due(" + std::to_string(now) + ", " + std::to_string(seq_limit) + ") " +
                   (got ? "popped seq " + std::to_string(seq) + " (deadline " +
                              std::to_string(ref.deadline_of.at(seq)) + ")"
                        : std::string("popped nothing")) +
                   "; the reference " +
                   (want ? "pops seq " + std::to_string(want->second) + " (deadline " + std::to_string(want->first) + ")"
                         : std::string("pops nothing")));
        }
        log << (popped ? "; paused" : " paused before a pop");
    };
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const op& o = ops[i];
        log << "  #" << i << " " << show(o);
        switch (o.kind) {
            case op_kind::add: {
                std::uint64_t d = o.past ? (now >= o.amount ? now - o.amount : 0) : now + o.amount;
                if (o.aligned) d = (d + 63) / 64 * 64;
                const std::uint64_t seq = ref.add(d);
                ids.push_back(q.add(d, task{&never_run, reinterpret_cast<void*>(static_cast<std::uintptr_t>(seq))}));
                log << " -> seq " << seq << ", deadline " << d;
                if (q.next_seq() != seq + 1)
                    differ("next_seq() is " + std::to_string(q.next_seq()) + " after the add of seq " +
                           std::to_string(seq));
                break;
            }
            case op_kind::cancel: {
                std::optional<std::uint64_t> seq;
                if (o.amount > 0 && !ids.empty()) seq = (o.amount - 1) % ids.size();
                log << (seq ? " -> seq " + std::to_string(*seq) : std::string(" -> the default id"));
                const bool want = ref.cancel(seq);
                const bool got = q.cancel(seq ? ids[*seq] : timer_id{});
                log << ": " << (got ? "true" : "false");
                if (got != want) differ(std::string("cancel returned ") + (got ? "true" : "false"));
                break;
            }
            case op_kind::advance:
                now += o.amount;
                seq_limit = q.next_seq();
                log << " -> now " << now;
                phase(o.pops);
                break;
            case op_kind::resume:
                log << " (now " << now << ")";
                phase(all_pops);
                break;
        }
        log << "\n";
        if (q.size() != ref.pending.size())
            differ("size() is " + std::to_string(q.size()) + ", the reference holds " +
                   std::to_string(ref.pending.size()));
        const auto nd = q.next_deadline();
        if (ref.pending.empty() != !nd)
            differ(nd ? "next_deadline() is " + std::to_string(*nd) + " with nothing pending"
                      : std::string("next_deadline() is nullopt with timers pending"));
        if (nd) {
            const std::uint64_t earliest = ref.pending.begin()->first;
            if (*nd > earliest || (Q::exact_next_deadline && *nd != earliest))
                differ("next_deadline() is " + std::to_string(*nd) + ", the earliest pending deadline " +
                       std::to_string(earliest));
        }
    }
}

template <class E>
result check_entry(const rapidcheck_options& rc_opts, const entry_context& ctx) {
    using Q = typename E::template type<void>;
    const std::string params = rc_opts.use(ctx.seed);
    std::ostringstream captured;
    auto* old = std::cerr.rdbuf(captured.rdbuf());
    const bool ok = rc::check(std::string(E::name) + " pops, cancels and bounds deadlines as the reference does", [] {
        run_case<Q>(*rc::gen::container<std::vector<op>>(op_gen()));
    });
    std::cerr.rdbuf(old);
    const json m = rc_opts.metrics(params);
    return ok ? result::pass(std::to_string(rc_opts.max_success) + " cases agreed with the reference", m)
              : result::fail("a case that differs from the reference (shrunk; in the trace)", captured.str(), m);
}

}  // namespace gauntlet::timer_property

int main(int argc, char** argv) {
    using namespace gauntlet;
    check_program prog("timer_property", check_kind::property,
                       "Checks every timer catalogue entry against a sequential reference of the timer queue\n"
                       "contract (RapidCheck: random adds, cancels and timer phases).",
                       120.0);
    // 1000 cases take well under a second per entry; with 300, one base
    // seed in 300 let timer_wheel.unsorted_ties through.
    rapidcheck_options rc_opts{1000};
    rc_opts.declare(prog);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<timer_kind>(
        [&]<class E>(const entry_context& ctx) { return timer_property::check_entry<E>(rc_opts, ctx); });
    return prog.finish();
}
