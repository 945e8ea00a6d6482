// stress check, loop: real threads post to a running loop.
//
// Per entry, rounds alternate two shapes (a fresh loop and fresh threads
// each):
//  * flood: P producers post `items` tasks each, with per-producer sequence
//    numbers; now and then a producer pauses (the loop runs dry and goes to
//    sleep, so posts race the sleep). The round's one keep-alive reference
//    is dropped by the last task to run, so nothing but the posts wakes the
//    loop: a lost wake-up leaves it asleep with tasks queued, which the
//    watchdog reports when no task has run for `stall_limit`.
//  * close: the same producers, and a closer that calls close() after a
//    random delay; the keep-alive is dropped after the producers join;
//  * ping-pong: each producer posts one task and waits until it has run
//    before the next (items / 20 each): every post lands while the loop is
//    finishing the previous task and heading for sleep, the window a lost
//    wake-up needs; a producer that waits `stall_limit` reports it.
// Invariants: every accepted task runs exactly once, each producer's tasks
// in its order; a refused task never runs; a producer once refused is
// refused again; run() returns. The tasks run on the loop thread and record
// in plain memory the producers wrote before posting, so under
// ThreadSanitizer a post that does not happen-before its task is a race.
// Replay: each round's shape, pauses and close delay derive from the
// entry's seed (their hash is in the record); the interleaving of real
// threads is not reproducible.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "primitives/harness/check_program.hpp"
#include "primitives/loop/catalogue.hpp"
#include "primitives/native_world.hpp"

namespace gauntlet::loop_stress {

struct options {
    std::uint64_t items = 100000;  // per producer per round
    int rounds = 3;  // flood, close, ping-pong, flood, ...
};

inline constexpr unsigned producers = 2;  // + the loop thread (+ a closer): about the 2 cores
inline constexpr std::chrono::seconds stall_limit{5};

struct job {
    std::uint32_t producer = 0;
    std::uint64_t seq = 0;
    std::uint64_t payload = 0;  // written by the producer before the post, read by the task
    void* round = nullptr;
};

template <class L>
struct round_state {
    L loop;
    std::uint64_t items;
    bool last_task_unrefs;
    std::vector<std::unique_ptr<job[]>> jobs;
    std::vector<std::vector<std::uint8_t>> ran;  // loop thread only until joined
    std::vector<std::uint64_t> next_seq;         // loop thread only
    std::uint64_t total_ran = 0;                 // loop thread only
    std::atomic<std::uint64_t> progress{0};      // for the watchdog
    std::atomic<std::uint64_t> acks[producers] = {};  // tasks run, per producer (ping-pong)
    std::atomic<std::uint64_t> expected_total{0};
    std::string violation;                       // loop thread only until joined

    static void run_job(void* p) {
        job& j = *static_cast<job*>(p);
        auto& r = *static_cast<round_state*>(j.round);
        if (j.payload != (std::uint64_t{j.producer} << 40 | j.seq) && r.violation.empty())
            r.violation = "task of producer " + std::to_string(j.producer) + " #" + std::to_string(j.seq) +
                          " read a payload its post did not publish";
        if (r.ran[j.producer][j.seq]++ != 0 && r.violation.empty())
            r.violation = "task of producer " + std::to_string(j.producer) + " #" + std::to_string(j.seq) + " ran twice";
        if (j.seq < r.next_seq[j.producer] && r.violation.empty())
            r.violation = "producer " + std::to_string(j.producer) + "'s task #" + std::to_string(j.seq) +
                          " ran after its #" + std::to_string(r.next_seq[j.producer] - 1);
        r.next_seq[j.producer] = j.seq + 1;
        ++r.total_ran;
        r.progress.fetch_add(1, std::memory_order_relaxed);
        r.acks[j.producer].fetch_add(1, std::memory_order_release);
        if (r.last_task_unrefs && r.total_ran == r.expected_total.load(std::memory_order_relaxed)) r.loop.unref();
    }
};

enum class shape { flood, close, ping_pong };
inline const char* shape_name[] = {"flood", "close", "ping-pong"};

template <class L>
std::string run_round(shape kind, std::uint64_t items, std::mt19937_64& rng, std::uint64_t& plan,
                      double& wakes_per_post) {
    auto mix = [&](std::uint64_t v) { plan = (plan ^ v) * 1099511628211ull; };
    const bool close_round = kind == shape::close, ping = kind == shape::ping_pong;
    if (ping) items = items / 20 + 1;
    auto owner = std::make_unique<round_state<L>>();
    round_state<L>& r = *owner;
    r.items = items;
    r.last_task_unrefs = !close_round;
    r.next_seq.assign(producers, 0);
    for (unsigned p = 0; p < producers; ++p) {
        r.jobs.emplace_back(new job[items]);
        r.ran.emplace_back(items, 0);
    }
    r.expected_total.store(std::uint64_t{producers} * items);
    const std::uint64_t pause_every = 256 + rng() % 4096;
    const std::uint64_t close_after_us = close_round ? rng() % 3000 : 0;
    mix(static_cast<std::uint64_t>(kind));
    mix(pause_every);
    mix(close_after_us);
    r.loop.ref();
    std::atomic<bool> returned{false};
    std::thread loop_thread([&] {
        r.loop.run();
        returned.store(true);
    });
    std::vector<std::vector<std::uint8_t>> accepted(producers, std::vector<std::uint8_t>(items, 0));
    std::vector<std::string> producer_violation(producers);
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (unsigned p = 0; p < producers; ++p)
        threads.emplace_back([&, p] {
            while (!go.load()) std::this_thread::yield();
            bool refused = false;
            for (std::uint64_t s = 0; s < items; ++s) {
                job& j = r.jobs[p][s];
                j = {p, s, std::uint64_t{p} << 40 | s, &r};
                const bool ok = r.loop.post(task{&round_state<L>::run_job, &j}) == post_status::accepted;
                if (ok && refused && producer_violation[p].empty())
                    producer_violation[p] = "producer " + std::to_string(p) + "'s post #" + std::to_string(s) +
                                            " was accepted after an earlier one was refused";
                refused = refused || !ok;
                accepted[p][s] = ok;
                if (ping) {
                    const auto t0 = std::chrono::steady_clock::now();
                    // spin first: the next post should land while the loop is
                    // between its last take and its sleep
                    for (int spin = 0; spin < 4096 && r.acks[p].load(std::memory_order_acquire) < s + 1; ++spin)
                        native_world::spin_hint();
                    while (r.acks[p].load(std::memory_order_acquire) < s + 1) {
                        std::this_thread::yield();
                        if (std::chrono::steady_clock::now() - t0 > stall_limit) {
                            producer_violation[p] = "lost wake-up: producer " + std::to_string(p) + "'s post #" +
                                                    std::to_string(s) + " has not run after " +
                                                    std::to_string(stall_limit.count()) + " s (ping-pong)";
                            return;
                        }
                    }
                } else if (s % pause_every == pause_every - 1) {
                    std::this_thread::sleep_for(std::chrono::microseconds(200));
                }
            }
        });
    std::thread closer;
    if (close_round)
        closer = std::thread([&] {
            while (!go.load()) std::this_thread::yield();
            std::this_thread::sleep_for(std::chrono::microseconds(close_after_us));
            r.loop.close();
        });
    go.store(true);
    for (auto& t : threads) t.join();
    if (closer.joinable()) closer.join();
    for (auto& v : producer_violation)
        if (v.rfind("lost wake-up", 0) == 0) {
            loop_thread.detach();  // asleep for good: leave it parked on memory that stays valid
            (void)owner.release();
            return v;
        }
    if (close_round) r.loop.unref();
    // Watchdog: the loop must finish; a loop asleep with tasks queued is a
    // lost wake-up.
    std::uint64_t last = r.progress.load();
    auto since = std::chrono::steady_clock::now();
    std::uint64_t want = 0;
    for (auto& a : accepted)
        for (auto x : a) want += x;
    while (r.progress.load() < want || !returned.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const std::uint64_t now = r.progress.load();
        if (now != last) {
            last = now;
            since = std::chrono::steady_clock::now();
        } else if (std::chrono::steady_clock::now() - since > stall_limit) {
            loop_thread.detach();  // asleep for good: leave it parked on memory that stays valid
            (void)owner.release();
            if (now == want)
                return "run() did not return within " + std::to_string(stall_limit.count()) +
                       " s of the last task although nothing was queued or referenced";
            return "lost wake-up: no task ran for " + std::to_string(stall_limit.count()) + " s with " +
                   std::to_string(want - now) + " accepted tasks not run (" + std::to_string(now) + " of " +
                   std::to_string(want) + " ran)";
        }
    }
    loop_thread.join();
    if constexpr (requires { r.loop.wake_writes(); })
        wakes_per_post = want ? static_cast<double>(r.loop.wake_writes()) / static_cast<double>(want) : 0;
    else
        wakes_per_post = -1;  // not observable (libuv coalesces inside uv_async_send)
    for (auto& v : producer_violation)
        if (!v.empty()) return v;
    if (!r.violation.empty()) return r.violation;
    for (unsigned p = 0; p < producers; ++p)
        for (std::uint64_t s = 0; s < items; ++s)
            if (r.ran[p][s] != accepted[p][s])
                return "producer " + std::to_string(p) + "'s task #" + std::to_string(s) + (accepted[p][s] ? " was accepted and never ran" : " was refused and ran");
    return {};
}

// One entry's stress verdict (the body of loop_stress and of the stress part
// of loop_asan).
// Backpressure (entries with a high-water mark, basic_loop::set_high_water):
// mark 64; each task busy-waits 2 us, so the loop drains at most about
// 500 thousand tasks a second while two producers offer many times that:
// each posts its first half with post_wait (it waits for a place), its
// second with post (told full, it retries the same task at once: nothing
// is dropped, and the two race at the mark).
// Invariants: every task runs exactly once; the peak of queued tasks is at
// or below the mark; the flood reached the mark (producer 1 was told full at
// least once), else the phase tested nothing. Recorded: the peak, the mark,
// how often a producer was told full, offers per task run, the drain rate. Returns "" or what broke;
// figures go to m.
struct water_job {
    std::atomic<std::uint32_t>* runs;
};

template <class L>
std::string backpressure_phase(std::uint64_t items, json& m, std::string& summary) {
    constexpr std::uint32_t mark = 64;
    auto loop = std::make_unique<L>();
    loop->set_high_water(mark);
    std::vector<std::atomic<std::uint32_t>> runs(2 * items);
    std::vector<water_job> jobs(2 * items);
    for (std::size_t i = 0; i < jobs.size(); ++i) jobs[i].runs = &runs[i];
    const auto body = [](void* p) {
        auto* j = static_cast<water_job*>(p);
        j->runs->fetch_add(1, std::memory_order_relaxed);
        const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(2);
        while (std::chrono::steady_clock::now() < until) {
        }
    };
    loop->ref();
    std::thread loop_thread([&] { loop->run(); });
    std::atomic<std::uint64_t> told_full{0}, offers{0};
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> prods;
    for (unsigned p = 0; p < 2; ++p)
        prods.emplace_back([&, p] {
            for (std::uint64_t k = 0; k < items; ++k) {
                const task t{body, &jobs[p * items + k]};
                if (k < items / 2) {  // first half: both wait for a place
                    offers.fetch_add(1, std::memory_order_relaxed);
                    loop->post_wait(t);
                    continue;
                }
                for (;;) {  // second half: both told full, retrying at once
                    offers.fetch_add(1, std::memory_order_relaxed);
                    if (loop->post(t) == post_status::accepted) break;
                    told_full.fetch_add(1, std::memory_order_relaxed);
                }
            }
        });
    for (auto& t : prods) t.join();
    loop->unref();
    loop_thread.join();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    m["high_water_mark"] = mark;
    m["peak_queued"] = loop->peak_queued();
    m["told_full"] = told_full.load();
    m["offers_per_run"] = static_cast<double>(offers.load()) / static_cast<double>(2 * items);
    m["drain_per_second"] = static_cast<double>(2 * items) / secs;
    char b[200];
    std::snprintf(b, sizeof b,
                  "; backpressure (mark %u): peak %u queued, told full %llu times, %.1f offers per task run",
                  mark, loop->peak_queued(), static_cast<unsigned long long>(told_full.load()),
                  static_cast<double>(offers.load()) / static_cast<double>(2 * items));
    summary += b;
    for (std::size_t i = 0; i < runs.size(); ++i)
        if (runs[i].load() != 1)
            return "backpressure: task " + std::to_string(i) + " ran " + std::to_string(runs[i].load()) + " times";
    if (loop->peak_queued() > mark)
        return "backpressure: " + std::to_string(loop->peak_queued()) + " tasks queued at once, above the mark of " +
               std::to_string(mark);
    if (told_full.load() == 0) return "backpressure: the flood never reached the mark (the phase tested nothing)";
    return {};
}

// Readiness-based I/O (entries with read_stream): a writer thread writes
// `bytes` into a non-blocking pipe in chunks of 1 byte to 64 KiB (a numbered
// pattern), pausing now and then, then closes it; the loop reads it with a
// level-triggered and then an edge-triggered watch. Every byte must arrive
// once, in order, then the end of file. A watch still open 5 s after the
// writer closed is a stall (bytes left in the pipe that the loop never
// reads: readiness taken as completion); a watchdog then stops it through
// the loop's turn hook so the round ends.
struct io_round {
    std::uint64_t expected = 0, got = 0;
    bool bad_byte = false, ended = false;
    int error = 0;
    std::atomic<bool> give_up{false};
    io_id id{};
    void* loop = nullptr;
};

inline unsigned char io_byte(std::uint64_t offset) { return static_cast<unsigned char>((offset * 131 + 7) >> 3); }

template <class L>
std::string io_phase(std::uint64_t bytes, std::mt19937_64& rng, json& m) {
    std::string out;
    for (const io_trigger trig : {io_trigger::level, io_trigger::edge}) {
        const char* tname = trig == io_trigger::level ? "level-triggered" : "edge-triggered";
        int fds[2];
        if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return "io: pipe2 failed";
        auto loop = std::make_unique<L>();
        io_round r;
        r.expected = bytes;
        r.loop = loop.get();
        r.id = loop->read_stream(fds[0], trig,
                                 io_reader{[](void* p, const char* b, std::size_t n) {
                                               auto& x = *static_cast<io_round*>(p);
                                               for (std::size_t i = 0; i < n; ++i)
                                                   if (static_cast<unsigned char>(b[i]) != io_byte(x.got + i)) x.bad_byte = true;
                                               x.got += n;
                                           },
                                           [](void* p, int err) {
                                               auto& x = *static_cast<io_round*>(p);
                                               x.ended = true;
                                               x.error = err;
                                           },
                                           &r});
        loop->set_turn_hook(task{[](void* p) {
                                     auto& x = *static_cast<io_round*>(p);
                                     if (x.give_up.load() && !x.ended) {
                                         static_cast<L*>(x.loop)->stop_reading(x.id);
                                         x.ended = true;
                                         x.error = -1;
                                     }
                                 },
                                 &r});
        const std::uint64_t seed = rng();
        std::atomic<bool> closed{false};
        std::thread writer([&, seed] {
            std::mt19937_64 w(seed);
            std::vector<char> buf(65536);
            std::uint64_t off = 0;
            while (off < bytes) {
                const std::uint64_t n = std::min<std::uint64_t>(bytes - off, 1 + w() % 65536);
                for (std::uint64_t i = 0; i < n; ++i) buf[i] = static_cast<char>(io_byte(off + i));
                std::uint64_t done = 0;
                while (done < n) {
                    const ssize_t k = write(fds[1], buf.data() + done, n - done);
                    if (k > 0) done += static_cast<std::uint64_t>(k);
                    else std::this_thread::sleep_for(std::chrono::microseconds(50));  // pipe full: the loop is behind
                }
                off += n;
                if (w() % 8 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
            }
            close(fds[1]);
            closed.store(true);
        });
        std::atomic<bool> finished{false};
        std::thread watchdog([&] {
            while (!closed.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
            while (!finished.load() && std::chrono::steady_clock::now() < until)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            if (!finished.load()) {
                r.give_up.store(true);
                loop->wake();
            }
        });
        loop->run();
        finished.store(true);
        writer.join();
        watchdog.join();
        close(fds[0]);
        m[std::string("io_") + (trig == io_trigger::level ? "level" : "edge") + "_bytes"] = r.got;
        if (r.error == -1)
            return std::string("io (") + tname + "): " + std::to_string(r.got) + " of " + std::to_string(bytes) +
                   " bytes delivered, no end of file 5 s after the writer closed: bytes left in the pipe were never "
                   "read (readiness taken as completion)";
        if (r.bad_byte) return std::string("io (") + tname + "): a byte arrived out of order or altered";
        if (r.got != bytes || r.error != 0)
            return std::string("io (") + tname + "): " + std::to_string(r.got) + " of " + std::to_string(bytes) +
                   " bytes, then end with error " + std::to_string(r.error);
    }
    return out;
}

template <class E>
result check_entry(const options& opt, const entry_context& ctx) {
    using L = typename E::template type<native_world>;
    std::mt19937_64 rng(ctx.seed);
    std::uint64_t plan = 1469598103934665603ull;
    json m;
    m["producers"] = producers;
    m["rounds"] = opt.rounds;
    m["items_per_producer"] = opt.items;
    std::vector<double> wakes;
    for (int i = 0; i < opt.rounds; ++i) {
        const shape kind = static_cast<shape>(i % 3);
        double w = 0;
        const std::string v = run_round<L>(kind, opt.items, rng, plan, w);
        if (!v.empty()) {
            m["plan_hash"] = std::to_string(plan);
            return result::fail("round " + std::to_string(i) + " (" + shape_name[i % 3] + "): " + v, {}, m);
        }
        if (kind != shape::close && w >= 0) wakes.push_back(w);
    }
    m["plan_hash"] = std::to_string(plan);
    m["wake_writes_per_post"] = json::list_of(wakes);  // flood and ping-pong rounds
    std::string water;
    if constexpr (requires(L& l) { l.read_stream(0, io_trigger::level, io_reader{}); }) {
        const std::uint64_t bytes = under_tsan() ? (1u << 20) : (8u << 20);
        if (const std::string v = io_phase<L>(bytes, rng, m); !v.empty()) return result::fail(v, {}, m);
        water += "; " + std::to_string(bytes >> 20) + " MiB through a pipe, level- and edge-triggered, in order";
    }
    if constexpr (requires(L& l) { l.set_high_water(1u); }) {
        if (const std::string v = backpressure_phase<L>(opt.items / 5, m, water); !v.empty())
            return result::fail(v, {}, m);
    }
    std::string detail = std::to_string(opt.rounds) + " rounds (flood, close, ping-pong) of " +
                         std::to_string(producers) + " producers x " + std::to_string(opt.items) +
                         " posts: exactly once, in order per producer; wake-up writes per post (flood, ping-pong)";
    for (double w : wakes) {
        char b[32];
        std::snprintf(b, sizeof b, " %.3f", w);
        detail += b;
    }
    return result::pass(detail + water, m);
}

}  // namespace gauntlet::loop_stress
