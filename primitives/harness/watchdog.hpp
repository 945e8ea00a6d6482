// A deadline for one phase of a check body, inside its forked child.
//
// The harness kills a child at --timeout, which must cover a whole entry on
// the slowest build. A phase whose normal length the body has just measured
// (the earlier rounds of a stress run) can be cut far sooner: the watchdog
// waits on its own thread, and if the phase has not ended by the deadline it
// returns `on_overrun()` as the entry's result (finish_entry_now) and ends
// the child, with the stuck threads still running. Leaving the phase before
// the deadline (the destructor) disarms it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "primitives/harness/check_program.hpp"

namespace gauntlet {

class phase_watchdog {
public:
    phase_watchdog(double seconds, std::function<result()> on_overrun)
        : thread_([this, seconds, f = std::move(on_overrun)] {
              std::unique_lock lk(m_);
              if (!cv_.wait_for(lk, std::chrono::duration<double>(seconds), [this] { return ended_; }))
                  finish_entry_now(f());
          }) {}
    phase_watchdog(const phase_watchdog&) = delete;
    phase_watchdog& operator=(const phase_watchdog&) = delete;
    ~phase_watchdog() {
        {
            std::lock_guard lk(m_);
            ended_ = true;
        }
        cv_.notify_one();
        thread_.join();
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    bool ended_ = false;
    std::thread thread_;  // last: started once the members above exist
};

}  // namespace gauntlet
