// The loop's sleep: a sticky wake-up event.
//
//   void signal();  any thread: wakes the sleeper, or the next sleep if none
//                   is asleep (a signal before the wait is not lost);
//   void wait(int timeout_ms = -1);
//                   loop thread: returns once at least one signal arrived
//                   since the last wait returned, and consumes them all, or
//                   (timeout_ms >= 0) once timeout_ms passed without one.
//
// Natively (wake_event<native_world>) it is an eventfd in an epoll set, as
// the loop's I/O will be in part 2: signal() writes 1, wait() blocks in
// epoll_wait and reads the counter back to zero. The kernel orders the write
// before the read that sees it, so what a poster wrote before signal() is
// visible after wait().
//
// In any other world (the Relacy model) the event is one atomic word: 1 when
// signalled. signal() exchanges in 1 (acq_rel) and unparks; wait() exchanges
// in 0 (acq_rel) and parks while it read 0. Like the kernel's counter it is
// sticky, and like the kernel's locks it orders a signal before the wait
// that consumes it. The model has no time: a wait with a timeout consumes
// the signals and returns at once, as if the timeout had passed (the model
// scenarios set no timers, so their loops never wait with one).
#pragma once

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstdio>

#include "primitives/native_world.hpp"
#include "primitives/world.hpp"

namespace gauntlet {

template <world World>
class wake_event {
public:
    void signal() {
        signals_.fetch_add(1, std::memory_order_relaxed);
        flag_.exchange(1, std::memory_order_acq_rel);
        World::unpark_all(flag_);
    }
    void wait(int timeout_ms = -1) {
        while (flag_.exchange(0, std::memory_order_acq_rel) == 0 && timeout_ms < 0)
            // sweep: relaxed by argument: the park only blocks; the wait
            // returns through the exchange above, whose acquire is the
            // wake-up's. Weakened from acquire with the loop model and the
            // ThreadSanitizer stress passing.
            World::park(flag_, std::uint32_t{0}, std::memory_order_relaxed);
    }
    // Signals so far (the benchmarks' wake-up writes).
    std::uint64_t signals() const { return signals_.load(std::memory_order_relaxed); }

private:
    typename World::template atomic<std::uint32_t> flag_{0};
    typename World::template atomic<std::uint32_t> signals_{0};
};

template <>
class wake_event<native_world> {
public:
    wake_event() {
        efd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        epfd_ = epoll_create1(EPOLL_CLOEXEC);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = efd_;
        if (efd_ < 0 || epfd_ < 0 || epoll_ctl(epfd_, EPOLL_CTL_ADD, efd_, &ev) != 0) {
            std::perror("wake_event: eventfd/epoll");
            std::abort();
        }
    }
    wake_event(const wake_event&) = delete;
    wake_event& operator=(const wake_event&) = delete;
    ~wake_event() {
        close(epfd_);
        close(efd_);
    }

    void signal() {
        signals_.fetch_add(1, std::memory_order_relaxed);
        const std::uint64_t one = 1;
        while (write(efd_, &one, sizeof one) < 0 && errno == EINTR) {
        }
    }
    void wait(int timeout_ms = -1) {
        for (bool waited = false;; waited = true) {
            std::uint64_t n = 0;
            if (read(efd_, &n, sizeof n) == sizeof n) return;  // consumed every signal so far
            if (waited && timeout_ms >= 0) return;              // the timeout passed
            epoll_event ev{};
            int ready;
            while ((ready = epoll_wait(epfd_, &ev, 1, timeout_ms)) < 0 && errno == EINTR) {
            }
            if (ready > 0 && ev.data.fd != efd_) return;  // a watched descriptor is ready (the loop's I/O)
        }
    }
    // Also wake when fd is readable (level-triggered): the loop's I/O
    // poller's epoll set (io_poller.hpp).
    void watch(int fd) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
            std::perror("wake_event: watch");
            std::abort();
        }
    }
    std::uint64_t signals() const { return signals_.load(std::memory_order_relaxed); }

private:
    int efd_ = -1, epfd_ = -1;
    std::atomic<std::uint64_t> signals_{0};
};

}  // namespace gauntlet
