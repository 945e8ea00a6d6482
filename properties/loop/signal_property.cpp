// property check, signal rings (primitives/loop/signal_catalogue.hpp): one
// thread plays the handlers and the loop. RapidCheck draws a sequence of
// enqueues, drains and long runs of enqueue-then-drain (which carry the
// 16-bit counters across their wrap), on a ring of 4 slots and on the
// seed's 8192; after every operation the ring must agree with a bounded
// FIFO that refuses at capacity and counts each refusal: enqueue's answer,
// the signals a drain delivers (and their order), dropped().
#include <rapidcheck.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "primitives/harness/check_program.hpp"
#include "primitives/loop/signal_catalogue.hpp"
#include "primitives/native_world.hpp"
#include "properties/rapidcheck_params.hpp"

namespace gauntlet::signal_property {

enum class op_kind : std::uint8_t { enqueue, drain, cycle, fill };

struct op {
    op_kind kind = op_kind::enqueue;
    std::uint32_t amount = 1;  // enqueue: the signal number; cycle: rounds
};

inline void showValue(const op& o, std::ostream& os) {
    switch (o.kind) {
        case op_kind::enqueue: os << "enqueue " << o.amount; break;
        case op_kind::drain: os << "drain"; break;
        case op_kind::cycle: os << "cycle " << o.amount << " x (enqueue 7, drain)"; break;
        case op_kind::fill: os << "fill (enqueue 9 until refused twice)"; break;
    }
}

inline rc::Gen<op> op_gen() {
    auto enq = rc::gen::map(rc::gen::inRange<std::uint32_t>(1, 256), [](std::uint32_t s) { return op{op_kind::enqueue, s}; });
    auto cyc = rc::gen::map(rc::gen::inRange<std::uint32_t>(1, 70000), [](std::uint32_t n) { return op{op_kind::cycle, n}; });
    return rc::gen::weightedOneOf<op>(
        {{12, enq}, {3, rc::gen::just(op{op_kind::drain, 0})}, {1, cyc}, {1, rc::gen::just(op{op_kind::fill, 0})}});
}

template <class Ring, std::size_t Slots>
void run_case(const std::vector<op>& ops) {
    auto ring = std::make_unique<Ring>();
    std::deque<std::uint8_t> ref;
    std::uint64_t ref_dropped = 0;
    std::ostringstream log;
    log << "ring of " << Slots << " slots:\n";
    const auto differ = [&](const std::string& what) {
        RC_LOG() << log.str() << "  DIFFERS: " << what << "\n";
        RC_FAIL(what);
    };
    const auto enqueue = [&](std::uint8_t s) {
        const bool want = ref.size() < Slots;
        if (want) ref.push_back(s);
        else ++ref_dropped;
        if (ring->enqueue(s) != want)
            differ(std::string("enqueue(") + std::to_string(s) + ") returned " + (want ? "false" : "true") + " with " +
                   std::to_string(ref.size() - (want ? 1 : 0)) + " queued");
    };
    const auto drain = [&] {
        std::vector<std::uint8_t> got;
        ring->drain([&](std::uint8_t s) { got.push_back(s); });
        const std::vector<std::uint8_t> want(ref.begin(), ref.end());
        ref.clear();
        if (got != want) {
            std::string g, w;
            for (auto s : got) g += " " + std::to_string(s);
            for (auto s : want) w += " " + std::to_string(s);
            differ("drain delivered [" + g + " ] where [" + w + " ] were queued");
        }
    };
    for (const op& o : ops) {
        log << "  ";
        showValue(o, log);
        log << "\n";
        switch (o.kind) {
            case op_kind::enqueue: enqueue(static_cast<std::uint8_t>(o.amount)); break;
            case op_kind::drain: drain(); break;
            case op_kind::cycle:
                for (std::uint32_t k = 0; k < o.amount; ++k) {
                    enqueue(7);
                    drain();
                }
                break;
            case op_kind::fill:
                while (ref.size() < Slots) enqueue(9);
                enqueue(9);
                enqueue(9);
                break;
        }
        if (ring->dropped() != ref_dropped)
            differ("dropped() is " + std::to_string(ring->dropped()) + ", " + std::to_string(ref_dropped) +
                   " enqueues were refused");
    }
    drain();
}

template <class E>
result check_entry(const rapidcheck_options& rc_opts, const entry_context& ctx) {
    const std::string params = rc_opts.use(ctx.seed);
    std::ostringstream captured;
    auto* old = std::cerr.rdbuf(captured.rdbuf());
    const auto seq = rc::gen::container<std::vector<op>>(op_gen());
    const bool ok =
        rc::check(std::string(E::name) + " (4 slots) delivers and refuses as a bounded FIFO does",
                  [&] { run_case<typename E::template type<native_world, 4>, 4>(*seq); }) &&
        rc::check(std::string(E::name) + " (8192 slots) delivers and refuses as a bounded FIFO does",
                  [&] { run_case<typename E::template type<native_world>, 8192>(*seq); });
    std::cerr.rdbuf(old);
    const json m = rc_opts.metrics(params);
    return ok ? result::pass(std::to_string(rc_opts.max_success) + " cases per ring size agreed with the reference", m)
              : result::fail("a case that differs from the reference (shrunk; in the trace)", captured.str(), m);
}

}  // namespace gauntlet::signal_property

int main(int argc, char** argv) {
    using namespace gauntlet;
    check_program prog("signal_property", check_kind::property,
                       "Checks every signal ring against a bounded FIFO that counts refusals (RapidCheck: one\n"
                       "thread, random enqueues and drains, 4 and 8192 slots).",
                       120.0);
    rapidcheck_options rc_opts{300};
    rc_opts.declare(prog);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    prog.run<signal_kind>(
        [&]<class E>(const entry_context& ctx) { return signal_property::check_entry<E>(rc_opts, ctx); });
    return prog.finish();
}
