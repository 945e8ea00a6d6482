// Seed 004's dispatch claim, measured: Bun's loop runs its 90+ task types
// through a tagged pointer union and a switch on the tag, "zero-overhead
// polymorphism" that "eliminates virtual dispatch overhead". This program
// runs one queue of heterogeneous tasks four ways:
//
//   tagged_union    the task is a tag and a union of the five payloads,
//                   stored in the queue slot itself; the loop switches on
//                   the tag. Nothing is allocated: the slot is the task.
//   tagged_pointer  the seed's own shape (its Task: task.tag(), task.get(T)):
//                   the task is a heap object of its type and the queue
//                   holds one word, the object's address with the type's
//                   tag in the top 16 bits; the loop switches on the tag and
//                   deletes the object after running it (the seed's tasks
//                   deinit themselves, or are auto_delete).
//   virtual_call    the task is a heap object derived from a base with a
//                   virtual run(); the queue holds base pointers; the loop
//                   calls run() and deletes through the virtual destructor.
//   std_function    the queue holds std::function<void()>, each holding a
//                   lambda that captures the sink's address and the payload
//                   (24 bytes: more than the 16 bytes libstdc++ keeps inside
//                   the std::function, so every task is allocated); the loop
//                   calls it and resets it.
//
// Each is timed twice, so the reader sees where a difference comes from:
//   <design>           label `timed` "whole_task": a turn's producers make
//                      the tasks (allocation included where the design
//                      implies it) and fill the queue, the loop runs them
//                      and frees what was allocated;
//   <design>_prealloc  label `timed` "dispatch_only": the same turn, but the
//                      tasks are made before the clock starts and freed after
//                      it stops: only the loop's walk of the queue and the
//                      dispatch of each task (switch, or indirect call) is
//                      timed; nothing is allocated in it.
// The label `allocations_per_task` is counted, not assumed: before the
// benchmarks a census runs every turn of the order once through each
// variant, counting the operator new calls of the timed part (this
// program's operator new counts, below); the entry fails if any variant's
// result differs from a plain sequential run of the same tasks.
//
// What is the same for every design: the five task types do small,
// different work on one `sink` (add, multiply-mix, rotate, a histogram
// bucket, a running maximum), each in an out-of-line function (noinline):
// a real task's body is never a one-instruction function the loop could
// inline, and every design ends in the same body, so the difference is the
// dispatch, not what the compiler could fold into the loop. Every payload is
// 16 bytes; the heap objects of the three allocating designs all fall in
// glibc's 32-byte chunk class. The order of task types is pre-generated at
// random (the entry's seed) over 65536 positions and a turn is 1024 tasks,
// so the branch predictor meets a new stretch in each of 64 turns before the
// order repeats. Producers are
// grouped by type (each kind of producer makes its own tasks into its slots
// of the turn, as different call sites of a real program do), so making a
// task costs (almost) no mispredicted branch; the loop runs the slots in
// queue order, so dispatch sees the random order. The sink's address escapes
// (benchmark::DoNotOptimize) and memory is clobbered before the clock stops
// (benchmark::ClobberMemory), so no work is elided or moved out of the
// timed span. The benchmark thread is pinned on the first allowed CPU.
//
// The record: the designs are not implementations of a catalogue contract
// (no loop, no property, model, stress, sanitizer or progress claim to
// check), so, like the queues' cache-line floor (component "reference" in
// bench_queues.cpp), they are one non-catalogue entry of a kind of its own:
// component "dispatch", entry "task_dispatch", one bench record whose runs
// carry `benchmark` "dispatch" and `dispatch` naming the variant. One
// process runs every variant on the same task order. A catalogue of one
// entry per design would buy nothing here: seven checks skipped with the
// same reason, and the pairs runner (scripts/pairs.py) matches runs of two
// entries by equal labels, which the `dispatch` label keeps apart anyway.
// For drift within the process, repeat interleaved (one command line):
//   bench_dispatch --benchmark_min_time=0.2 --benchmark_repetitions=5
//                  --benchmark_enable_random_interleaving=true
#include <benchmark/benchmark.h>

#include <array>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <new>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "bench/bench_session.hpp"
#include "bench/pin.hpp"
#include "primitives/harness/check_program.hpp"

// Counting allocation: every operator new of this program counts on its
// thread, so the census can say how many allocations a variant's timed part
// makes. The counting is one thread-local increment per allocation, the same
// for every design that allocates. Out of line, as the library's own
// operators are (inlined, gcc would pair the caller's new with free()).
namespace {
thread_local std::uint64_t allocations = 0;
}  // namespace

[[gnu::noinline]] void* operator new(std::size_t n) {
    ++allocations;
    if (void* p = std::malloc(n != 0 ? n : 1)) return p;
    throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace gauntlet;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t turn_size = 1024;     // tasks per turn (one iteration)
constexpr std::size_t plan_size = 1 << 16;  // positions of the pre-generated order

// What every task works on.
struct sink {
    std::uint64_t acc = 0x243f6a8885a308d3ull;
    std::uint64_t tags = 0;
    std::int64_t peak = 0;
    std::array<std::uint64_t, 16> hist{};
    std::uint64_t digest() const {
        std::uint64_t h = acc ^ (tags * 0x9e3779b97f4a7c15ull) ^ static_cast<std::uint64_t>(peak);
        for (const std::uint64_t v : hist) h = (h ^ v) * 0x100000001b3ull;
        return h;
    }
};

// The five task types: 16 bytes of payload each, made from two random words.
struct add_task {
    std::uint64_t amount, scale;
    static add_task from(std::uint64_t a, std::uint64_t b) { return {a >> 8, b & 0xff}; }
};
struct mix_task {
    std::uint64_t key, mul;
    static mix_task from(std::uint64_t a, std::uint64_t b) { return {a, b | 1}; }
};
struct rotate_task {
    std::uint64_t mask;
    std::uint32_t shift, spare;
    static rotate_task from(std::uint64_t a, std::uint64_t b) {
        return {a, static_cast<std::uint32_t>(b & 63), static_cast<std::uint32_t>(b >> 32)};
    }
};
struct bucket_task {
    std::uint32_t index, amount;
    std::uint64_t tag;
    static bucket_task from(std::uint64_t a, std::uint64_t b) {
        return {static_cast<std::uint32_t>(a & 15), static_cast<std::uint32_t>(a >> 40), b};
    }
};
struct peak_task {
    std::int64_t value, bias;
    static peak_task from(std::uint64_t a, std::uint64_t b) {
        return {static_cast<std::int64_t>(a >> 1), static_cast<std::int64_t>(b >> 4)};
    }
};

[[gnu::noinline]] void run_task(sink& s, const add_task& t) { s.acc += t.amount * t.scale; }
[[gnu::noinline]] void run_task(sink& s, const mix_task& t) { s.acc = (s.acc ^ t.key) * t.mul; }
[[gnu::noinline]] void run_task(sink& s, const rotate_task& t) {
    s.acc = std::rotl(s.acc ^ t.mask, static_cast<int>(t.shift)) + t.spare;
}
[[gnu::noinline]] void run_task(sink& s, const bucket_task& t) {
    s.hist[t.index] += t.amount;
    s.tags ^= t.tag;
}
[[gnu::noinline]] void run_task(sink& s, const peak_task& t) {
    const std::int64_t v = t.value - t.bias;
    if (v > s.peak) s.peak = v;
    s.acc ^= static_cast<std::uint64_t>(s.peak);
}

using task_types = std::tuple<add_task, mix_task, rotate_task, bucket_task, peak_task>;
constexpr std::size_t kinds = std::tuple_size_v<task_types>;
enum class kind : std::uint8_t { add, mix, rotate, bucket, peak };
template <class T>
constexpr kind kind_of = std::is_same_v<T, add_task>      ? kind::add
                         : std::is_same_v<T, mix_task>    ? kind::mix
                         : std::is_same_v<T, rotate_task> ? kind::rotate
                         : std::is_same_v<T, bucket_task> ? kind::bucket
                                                          : kind::peak;

template <class F>
void for_each_type(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (f.template operator()<std::tuple_element_t<I, task_types>>(), ...);
    }(std::make_index_sequence<kinds>{});
}

// The pre-generated work: each position's type and payload words; per turn,
// each type's slots (so that each kind of producer fills its own).
struct plan {
    std::vector<kind> order;
    std::vector<std::uint64_t> a, b;
    struct turn {
        std::size_t base = 0;
        std::array<std::vector<std::uint16_t>, kinds> slots;
    };
    std::vector<turn> turns;

    explicit plan(std::uint64_t seed) : order(plan_size), a(plan_size), b(plan_size), turns(plan_size / turn_size) {
        std::mt19937_64 rng(seed);
        for (std::size_t i = 0; i < plan_size; ++i) {
            order[i] = static_cast<kind>(rng() % kinds);
            a[i] = rng();
            b[i] = rng();
        }
        for (std::size_t t = 0; t < turns.size(); ++t) {
            turns[t].base = t * turn_size;
            for (std::size_t s = 0; s < turn_size; ++s)
                turns[t].slots[static_cast<std::size_t>(order[t * turn_size + s])].push_back(
                    static_cast<std::uint16_t>(s));
        }
    }

    // The producers of one turn: type by type, each into its slots.
    template <class Queue>
    void produce(const turn& t, Queue& q, sink& s) const {
        for_each_type([&]<class T>() {
            for (const std::uint16_t slot : t.slots[static_cast<std::size_t>(kind_of<T>)])
                q.put(slot, T::from(a[t.base + slot], b[t.base + slot]), s);
        });
    }

    // The reference: every task run directly, in queue order.
    std::uint64_t sequential_digest() const {
        sink s;
        for (std::size_t i = 0; i < plan_size; ++i) {
            switch (order[i]) {
                case kind::add: run_task(s, add_task::from(a[i], b[i])); break;
                case kind::mix: run_task(s, mix_task::from(a[i], b[i])); break;
                case kind::rotate: run_task(s, rotate_task::from(a[i], b[i])); break;
                case kind::bucket: run_task(s, bucket_task::from(a[i], b[i])); break;
                case kind::peak: run_task(s, peak_task::from(a[i], b[i])); break;
            }
        }
        return s.digest();
    }
};

// ---- the four designs: a queue of one turn's tasks -------------------------
// put(slot, payload, sink) makes a task into a slot; run<Free>(sink) runs the
// slots in order (Free: and frees what the design allocated); release() frees
// after an untimed run.

struct tagged_union_queue {
    struct tagged_task {
        kind tag = kind::add;
        union {
            add_task add;
            mix_task mix;
            rotate_task rotate;
            bucket_task bucket;
            peak_task peak;
        };
        tagged_task() : add{} {}
    };
    std::vector<tagged_task> q = std::vector<tagged_task>(turn_size);

    template <class T>
    void put(std::size_t slot, const T& t, sink&) {
        tagged_task& x = q[slot];
        x.tag = kind_of<T>;
        if constexpr (kind_of<T> == kind::add) x.add = t;
        else if constexpr (kind_of<T> == kind::mix) x.mix = t;
        else if constexpr (kind_of<T> == kind::rotate) x.rotate = t;
        else if constexpr (kind_of<T> == kind::bucket) x.bucket = t;
        else x.peak = t;
    }
    template <bool Free>
    void run(sink& s) {
        for (const tagged_task& t : q) {
            switch (t.tag) {
                case kind::add: run_task(s, t.add); break;
                case kind::mix: run_task(s, t.mix); break;
                case kind::rotate: run_task(s, t.rotate); break;
                case kind::bucket: run_task(s, t.bucket); break;
                case kind::peak: run_task(s, t.peak); break;
            }
        }
    }
    void release() {}
};

struct tagged_pointer_queue {
    // x86-64 and AArch64 user-space addresses fit in 48 bits (without 5-level
    // paging's opt-in high addresses), so the top 16 bits are free for the tag.
    static constexpr int tag_shift = 48;
    static constexpr std::uint64_t address_mask = (std::uint64_t{1} << tag_shift) - 1;
    std::vector<std::uint64_t> q = std::vector<std::uint64_t>(turn_size);

    template <class T>
    void put(std::size_t slot, const T& t, sink&) {
        q[slot] = reinterpret_cast<std::uintptr_t>(new T(t)) |
                  (static_cast<std::uint64_t>(kind_of<T>) << tag_shift);
    }
    template <class T>
    static T* get(std::uint64_t w) {
        return reinterpret_cast<T*>(static_cast<std::uintptr_t>(w & address_mask));
    }
    template <class T, bool Free>
    static void run_one(sink& s, std::uint64_t w) {
        T* p = get<T>(w);
        run_task(s, *p);
        if constexpr (Free) delete p;
    }
    template <bool Free>
    void run(sink& s) {
        for (const std::uint64_t w : q) {
            switch (static_cast<kind>(w >> tag_shift)) {
                case kind::add: run_one<add_task, Free>(s, w); break;
                case kind::mix: run_one<mix_task, Free>(s, w); break;
                case kind::rotate: run_one<rotate_task, Free>(s, w); break;
                case kind::bucket: run_one<bucket_task, Free>(s, w); break;
                case kind::peak: run_one<peak_task, Free>(s, w); break;
            }
        }
    }
    void release() {
        for (const std::uint64_t w : q) {
            switch (static_cast<kind>(w >> tag_shift)) {
                case kind::add: delete get<add_task>(w); break;
                case kind::mix: delete get<mix_task>(w); break;
                case kind::rotate: delete get<rotate_task>(w); break;
                case kind::bucket: delete get<bucket_task>(w); break;
                case kind::peak: delete get<peak_task>(w); break;
            }
        }
    }
};

struct task_base {
    virtual void run(sink& s) const = 0;
    virtual ~task_base() = default;
};
template <class T>
struct virtual_task final : task_base {
    T payload;
    explicit virtual_task(const T& t) : payload(t) {}
    void run(sink& s) const override { run_task(s, payload); }
};

struct virtual_call_queue {
    std::vector<task_base*> q = std::vector<task_base*>(turn_size, nullptr);

    template <class T>
    void put(std::size_t slot, const T& t, sink&) {
        q[slot] = new virtual_task<T>(t);
    }
    template <bool Free>
    void run(sink& s) {
        for (task_base* p : q) {
            p->run(s);
            if constexpr (Free) delete p;
        }
    }
    void release() {
        for (task_base* p : q) delete p;
    }
};

struct std_function_queue {
    std::vector<std::function<void()>> q = std::vector<std::function<void()>>(turn_size);

    template <class T>
    void put(std::size_t slot, const T& t, sink& s) {
        q[slot] = [target = &s, t] { run_task(*target, t); };
    }
    template <bool Free>
    void run(sink&) {
        for (std::function<void()>& f : q) {
            f();
            if constexpr (Free) f = nullptr;
        }
    }
    void release() {
        for (std::function<void()>& f : q) f = nullptr;
    }
};

// One turn, the timed part as `Whole` says; returns the timed seconds.
template <bool Whole, class Queue>
double one_turn(const plan& p, const plan::turn& t, Queue& q, sink& s) {
    clock_type::time_point t0;
    if constexpr (Whole) {
        t0 = clock_type::now();
        p.produce(t, q, s);
        q.template run<true>(s);
    } else {
        p.produce(t, q, s);
        t0 = clock_type::now();
        q.template run<false>(s);
    }
    benchmark::ClobberMemory();
    const auto t1 = clock_type::now();
    if constexpr (!Whole) q.release();
    return std::chrono::duration<double>(t1 - t0).count();
}

template <bool Whole, class Queue>
void dispatch(benchmark::State& state, const plan& p) {
    pin_current_thread(0);
    Queue q;
    sink s;
    benchmark::DoNotOptimize(&s);
    std::size_t turn = 0;
    for (auto _ : state) {
        state.SetIterationTime(one_turn<Whole>(p, p.turns[turn], q, s));
        turn = turn + 1 == p.turns.size() ? 0 : turn + 1;
    }
    benchmark::DoNotOptimize(s.digest());
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(turn_size));
}

// The census: every turn of the plan once, timed part as `Whole` says, from a
// fresh sink. Returns the allocations per task of the timed part (counting
// the untimed make and free of the _prealloc variants out) and the digest.
struct census_result {
    double allocations_per_task = 0;
    std::uint64_t digest = 0;
};
template <bool Whole, class Queue>
census_result census(const plan& p) {
    Queue q;
    sink s;
    std::uint64_t counted = 0;
    for (const plan::turn& t : p.turns) {
        if constexpr (Whole) {
            const std::uint64_t a0 = allocations;
            p.produce(t, q, s);
            q.template run<true>(s);
            counted += allocations - a0;
        } else {
            p.produce(t, q, s);
            const std::uint64_t a0 = allocations;
            q.template run<false>(s);
            counted += allocations - a0;
            q.release();
        }
    }
    return {static_cast<double>(counted) / static_cast<double>(plan_size), s.digest()};
}

struct task_dispatch_entry {
    static constexpr std::string_view name = "task_dispatch";
    static constexpr origin_kind origin = origin_kind::in_house;
    // Four dispatch designs over one task order: they only have to run and
    // agree with the sequential reference.
    static constexpr expectation expected = expect::pass;
};
struct dispatch_kind {
    static constexpr std::string_view name = "dispatch";
    using catalogue = type_list<task_dispatch_entry>;
    template <class E>
    static std::string component() {
        return "dispatch";
    }
};

}  // namespace

int main(int argc, char** argv) {
    check_program prog("bench_dispatch", check_kind::bench,
                       "Seed 004's dispatch claim: a queue of five task types in random order run through a\n"
                       "tagged union, a tagged pointer (switch on the tag), a virtual call and std::function,\n"
                       "whole task (made, run, freed) and dispatch only (_prealloc); pinned.",
                       300.0);
    if (const int status = parse_bench_program(prog, argc, argv); status >= 0) return status;
    prog.run<dispatch_kind>([&]<class E>(const entry_context& ctx) -> result {
        const plan p(ctx.seed);
        const std::uint64_t expected_digest = p.sequential_digest();
        bench_session s;
        std::string disagree;
        auto add = [&]<bool Whole, class Queue>(const std::string& design) {
            const std::string variant = design + (Whole ? "" : "_prealloc");
            const census_result c = census<Whole, Queue>(p);
            if (c.digest != expected_digest) disagree += (disagree.empty() ? "" : ", ") + variant;
            json labels;
            labels["benchmark"] = "dispatch";
            labels["dispatch"] = variant;
            labels["timed"] = Whole ? "whole_task" : "dispatch_only";
            // an integer when whole (a property of the design: a label)
            const auto per_task = static_cast<std::int64_t>(c.allocations_per_task);
            if (static_cast<double>(per_task) == c.allocations_per_task)
                labels["allocations_per_task"] = per_task;
            else
                labels["allocations_per_task"] = c.allocations_per_task;
            s.add("dispatch/" + variant, labels, [&p](benchmark::State& st) { dispatch<Whole, Queue>(st, p); })
                ->UseManualTime();
        };
        add.template operator()<true, tagged_union_queue>("tagged_union");
        add.template operator()<true, tagged_pointer_queue>("tagged_pointer");
        add.template operator()<true, virtual_call_queue>("virtual_call");
        add.template operator()<true, std_function_queue>("std_function");
        add.template operator()<false, tagged_union_queue>("tagged_union");
        add.template operator()<false, tagged_pointer_queue>("tagged_pointer");
        add.template operator()<false, virtual_call_queue>("virtual_call");
        add.template operator()<false, std_function_queue>("std_function");
        if (!disagree.empty())
            return result::fail("these variants' results differ from running the tasks in order: " + disagree);
        return s.run();
    });
    return prog.finish();
}
