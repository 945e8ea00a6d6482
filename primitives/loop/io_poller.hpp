// Readiness-based I/O for the loop (contract.hpp, part 2; seed 002: "assuming
// I/O completion instead of readiness leads to stalled callbacks or busy
// looping"). Native only: the Relacy world has no file descriptors.
//
//   io_id read_stream(int fd, io_trigger trig, io_reader r);
//                     loop thread: the loop reads fd (non-blocking; the
//                     caller's, never closed here) when it is readable and
//                     hands each chunk to r.on_data, in order; at end of file
//                     or on an error r.on_end(ctx, errno or 0) runs once and
//                     the watch is gone. A watch keeps run() from returning.
//   bool stop_reading(io_id id);
//                     loop thread: true when the watch was active; no
//                     callback of it runs afterwards.
//
// Level-triggered (io_trigger::level): one read of up to chunk bytes per
// readiness per turn; data left in the pipe makes the fd ready again at the
// next poll, so every fd gets a turn and none starves the others.
// Edge-triggered (EPOLLET): the kernel reports readiness once per arrival,
// so the loop must read until the read would block (EAGAIN) or data left
// behind is never reported again. To stay fair it reads at most
// edge_budget chunks per fd per turn and keeps an fd that still had data on
// a ready list polled in the next turn without waiting for an edge (tokio's
// cooperative budget does the same). Policy::edge_read_once is a mutant:
// one read per edge, then wait (readiness taken as completion): bytes left
// in the pipe stall until the writer writes again, and after its last
// write, forever.
//
// The poller owns an epoll set of its own; the loop's sleep (wake_event.hpp)
// watches that set's descriptor, level-triggered, so a sleeping loop wakes
// when any fd is ready without consuming an edge: the I/O phase's
// epoll_wait(0) is the only reader of the events.
#pragma once

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <unordered_map>
#include <vector>

#include "primitives/loop/contract.hpp"

namespace gauntlet {

enum class io_trigger { level, edge };

struct io_reader {
    void (*on_data)(void* ctx, const char* bytes, std::size_t n) = nullptr;
    void (*on_end)(void* ctx, int error) = nullptr;  // 0: end of file
    void* ctx = nullptr;
};

struct io_id {
    std::uint64_t n = 0;  // 0: none
};

struct io_poller_policy {
    static constexpr bool edge_read_once = false;
};

template <class Policy = io_poller_policy>
class io_poller {
public:
    static constexpr std::size_t chunk = 4096;
    static constexpr int edge_budget = 16;

    io_poller() = default;
    io_poller(const io_poller&) = delete;
    io_poller& operator=(const io_poller&) = delete;
    ~io_poller() {
        if (epfd_ >= 0) close(epfd_);
    }

    // The descriptor the loop's sleep watches (created on first use).
    int fd() {
        if (epfd_ < 0) {
            epfd_ = epoll_create1(EPOLL_CLOEXEC);
            if (epfd_ < 0) {
                std::perror("io_poller: epoll_create1");
                std::abort();
            }
        }
        return epfd_;
    }
    bool empty() const { return watches_.empty(); }
    // An edge-triggered fd still has data to read: the loop must not sleep.
    bool has_carry() const { return !carry_.empty(); }

    io_id read_stream(int fd_, io_trigger trig, io_reader r) {
        auto w = std::make_unique<watch>();
        w->fd = fd_;
        w->trig = trig;
        w->r = r;
        w->id = ++last_id_;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP | (trig == io_trigger::edge ? EPOLLET : 0u);
        ev.data.u64 = w->id;
        if (epoll_ctl(fd(), EPOLL_CTL_ADD, fd_, &ev) != 0) {
            const int err = errno;
            r.on_end(r.ctx, err);  // not watchable (a regular file, a closed fd): at once, in the caller
            return {};
        }
        const io_id id{w->id};
        watches_.emplace(w->id, std::move(w));
        return id;
    }
    bool stop_reading(io_id id) {
        auto it = watches_.find(id.n);
        if (it == watches_.end()) return false;
        forget(it);
        return true;
    }

    // The I/O phase: every fd the kernel reports ready now (no wait), and
    // every edge-triggered fd left with data by the last turn's budget.
    // Callbacks run through run(name, f): the loop's containment, stall
    // timing and drain (loop_thread_queues.hpp: run_callable).
    template <class Run>
    void poll(Run&& run) {
        if (watches_.empty()) return;
        std::vector<std::uint64_t> due;
        due.swap(carry_);
        epoll_event evs[64];
        int n;
        while ((n = epoll_wait(epfd_, evs, 64, 0)) < 0 && errno == EINTR) {
        }
        for (int i = 0; i < n; ++i) due.push_back(evs[i].data.u64);
        std::sort(due.begin(), due.end());  // an fd carried and reported again is read once
        due.erase(std::unique(due.begin(), due.end()), due.end());
        for (std::uint64_t id : due) {
            auto it = watches_.find(id);
            if (it == watches_.end()) continue;  // stopped meanwhile, or listed twice and ended
            service(it, run);
        }
    }

private:
    struct watch {
        int fd = -1;
        io_trigger trig = io_trigger::level;
        io_reader r;
        std::uint64_t id = 0;
        bool carried = false;
    };
    using map = std::unordered_map<std::uint64_t, std::unique_ptr<watch>>;

    void forget(typename map::iterator it) {
        epoll_ctl(epfd_, EPOLL_CTL_DEL, it->second->fd, nullptr);
        watches_.erase(it);
    }

    // Reads per the trigger; a callback may stop any watch (this one too),
    // so the watch is looked up again after each.
    template <class Run>
    void service(typename map::iterator it, Run& run) {
        const std::uint64_t id = it->first;
        watch* w = it->second.get();
        w->carried = false;
        const int reads = w->trig == io_trigger::level || Policy::edge_read_once ? 1 : edge_budget;
        char buf[chunk];
        for (int k = 0; k < reads; ++k) {
            const ssize_t got = read(w->fd, buf, sizeof buf);
            if (got > 0) {
                const io_reader r = w->r;
                run(task{nullptr, r.ctx}, [&] { r.on_data(r.ctx, buf, static_cast<std::size_t>(got)); });
                auto again = watches_.find(id);
                if (again == watches_.end()) return;
                w = again->second.get();
                continue;
            }
            if (got < 0 && errno == EINTR) continue;
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // drained: wait for readiness
            const io_reader r = w->r;
            const int err = got == 0 ? 0 : errno;
            forget(watches_.find(id));
            run(task{nullptr, r.ctx}, [&] { r.on_end(r.ctx, err); });
            return;
        }
        // the budget ran out with data perhaps left: an edge-triggered fd
        // is read again next turn without a new edge (level: the kernel
        // reports it again by itself)
        if (w->trig == io_trigger::edge && !Policy::edge_read_once && !w->carried) {
            w->carried = true;
            carry_.push_back(id);
        }
    }

    int epfd_ = -1;
    std::uint64_t last_id_ = 0;
    map watches_;
    std::vector<std::uint64_t> carry_;
};

}  // namespace gauntlet
