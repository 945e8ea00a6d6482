// Unit tests of the linearizability checker (linearizability_checker.hpp) and
// of the history recorder: handmade histories whose answer is known, and
// deliberately wrong stand-ins (a LIFO stack behind the queue shape, a deque
// whose steal takes the newest item) that the recorder + checker pair must
// reject.
#include <gtest/gtest.h>

#include <mutex>
#include <random>
#include <vector>

#include "history_recorder.hpp"
#include "linearizability_checker.hpp"

namespace lin = gauntlet::linearizability;
using lin::op_kind;

namespace {

lin::operation push(int thread, std::uint64_t v, std::uint64_t inv, std::uint64_t resp, bool ok = true) {
    return {thread, op_kind::push, v, ok, inv, resp};
}
lin::operation pop(int thread, std::uint64_t v, std::uint64_t inv, std::uint64_t resp) {
    return {thread, op_kind::pop, v, true, inv, resp};
}
lin::operation pop_empty(int thread, std::uint64_t inv, std::uint64_t resp) {
    return {thread, op_kind::pop, 0, false, inv, resp};
}

// A LIFO stack with the queue shape: pops the newest item.
class lifo_stand_in {
public:
    explicit lifo_stand_in(std::size_t) {}
    bool try_push(std::uint64_t v) {
        std::lock_guard<std::mutex> g(m_);
        items_.push_back(v);
        return true;
    }
    bool try_pop(std::uint64_t& out) {
        std::lock_guard<std::mutex> g(m_);
        if (items_.empty()) return false;
        out = items_.back();
        items_.pop_back();
        return true;
    }

private:
    std::mutex m_;
    std::vector<std::uint64_t> items_;
};

// A correct FIFO queue under one mutex: linearizable by construction.
class locked_fifo {
public:
    explicit locked_fifo(std::size_t) {}
    bool try_push(std::uint64_t v) {
        std::lock_guard<std::mutex> g(m_);
        items_.push_back(v);
        return true;
    }
    bool try_pop(std::uint64_t& out) {
        std::lock_guard<std::mutex> g(m_);
        if (items_.empty()) return false;
        out = items_.front();
        items_.erase(items_.begin());
        return true;
    }

private:
    std::mutex m_;
    std::vector<std::uint64_t> items_;
};

lin::operation steal(int thread, std::uint64_t v, std::uint64_t inv, std::uint64_t resp) {
    return {thread, op_kind::steal, v, true, inv, resp};
}
lin::operation steal_failed(int thread, std::uint64_t inv, std::uint64_t resp, bool aborted) {
    return {thread, op_kind::steal, 0, false, inv, resp, aborted};
}

// A deque under one mutex; `steal_newest` makes its steal take the back
// (the owner's end) instead of the front.
template <bool steal_newest>
class locked_deque {
public:
    explicit locked_deque(std::size_t) {}
    bool push(std::uint64_t v) {
        std::lock_guard<std::mutex> g(m_);
        items_.push_back(v);
        return true;
    }
    bool pop(std::uint64_t& out) {
        std::lock_guard<std::mutex> g(m_);
        if (items_.empty()) return false;
        out = items_.back();
        items_.pop_back();
        return true;
    }
    gauntlet::steal_status steal(std::uint64_t& out) {
        std::lock_guard<std::mutex> g(m_);
        if (items_.empty()) return gauntlet::steal_status::empty;
        if (steal_newest) {
            out = items_.back();
            items_.pop_back();
        } else {
            out = items_.front();
            items_.erase(items_.begin());
        }
        return gauntlet::steal_status::success;
    }

private:
    std::mutex m_;
    std::vector<std::uint64_t> items_;
};

constexpr gauntlet::queue_traits mpmc_unbounded{gauntlet::multiplicity::multi, gauntlet::multiplicity::multi,
                                                false, gauntlet::queue_order::linearizable};

}  // namespace

TEST(FifoChecker, SequentialFifoIsLinearizable) {
    lin::history h{push(0, 1, 1, 2), push(0, 2, 3, 4), pop(0, 1, 5, 6), pop(0, 2, 7, 8), pop_empty(0, 9, 10)};
    EXPECT_TRUE(lin::check_fifo(h, lin::unbounded).linearizable);
}

TEST(FifoChecker, SequentialLifoIsNot) {
    lin::history h{push(0, 1, 1, 2), push(0, 2, 3, 4), pop(0, 2, 5, 6)};
    EXPECT_FALSE(lin::check_fifo(h, lin::unbounded).linearizable);
}

TEST(FifoChecker, OverlappingPushesMayTakeEitherOrder) {
    // push(1) and push(2) overlap; popping 2 then 1 is explained by 2 first.
    lin::history h{push(0, 1, 1, 4), push(1, 2, 2, 3), pop(2, 2, 5, 6), pop(2, 1, 7, 8)};
    EXPECT_TRUE(lin::check_fifo(h, lin::unbounded).linearizable);
}

TEST(FifoChecker, OrderedPushesMustPopInOrder) {
    // push(1) returned before push(2) was invoked; 2 cannot come out first.
    lin::history h{push(0, 1, 1, 2), push(1, 2, 3, 4), pop(2, 2, 5, 6), pop(2, 1, 7, 8)};
    EXPECT_FALSE(lin::check_fifo(h, lin::unbounded).linearizable);
}

TEST(FifoChecker, EmptyPopAfterCompletedPushIsNot) {
    lin::history h{push(0, 1, 1, 2), pop_empty(1, 3, 4)};
    EXPECT_FALSE(lin::check_fifo(h, lin::unbounded).linearizable);
}

TEST(FifoChecker, EmptyPopOverlappingPushIs) {
    lin::history h{push(0, 1, 1, 4), pop_empty(1, 2, 3), pop(1, 1, 5, 6)};
    EXPECT_TRUE(lin::check_fifo(h, lin::unbounded).linearizable);
}

TEST(FifoChecker, PhantomValueIsNot) {
    lin::history h{push(0, 1, 1, 2), pop(1, 7, 3, 4)};
    EXPECT_FALSE(lin::check_fifo(h, lin::unbounded).linearizable);
}

TEST(FifoChecker, DuplicateDeliveryIsNot) {
    lin::history h{push(0, 1, 1, 2), pop(1, 1, 3, 4), pop(2, 1, 5, 6)};
    EXPECT_FALSE(lin::check_fifo(h, lin::unbounded).linearizable);
}

TEST(FifoChecker, BoundIsEnforced) {
    // capacity 1: a second successful push without a pop in between is wrong,
    // a failing push on a full queue is right, a failing push on an empty one wrong.
    EXPECT_FALSE(lin::check_fifo({push(0, 1, 1, 2), push(0, 2, 3, 4)}, 1).linearizable);
    EXPECT_TRUE(lin::check_fifo({push(0, 1, 1, 2), push(0, 2, 3, 4, false)}, 1).linearizable);
    EXPECT_FALSE(lin::check_fifo({push(0, 2, 1, 2, false)}, 1).linearizable);
    // A full-push overlapping a pop may be ordered before it.
    EXPECT_TRUE(lin::check_fifo({push(0, 1, 1, 2), pop(1, 1, 3, 6), push(0, 2, 4, 5, false)}, 1).linearizable);
}

TEST(FifoChecker, MemoisationKeepsWideHistoriesCheap) {
    // 3 threads x 4 pushes, every push overlapping the other threads' pushes
    // of the same round, then a drain in one order: thousands of
    // interleavings, which memoisation visits once per configuration.
    lin::history h;
    std::uint64_t v = 1;
    for (int i = 0; i < 4; ++i)
        for (int t = 0; t < 3; ++t) h.push_back(push(t, v++, 10 * i + t + 1, 10 * i + t + 5));
    std::uint64_t ts = 100;
    for (std::uint64_t i = 1; i < v; ++i, ts += 2) h.push_back(pop(3, i, ts, ts + 1));
    const auto o = lin::check_fifo(h, lin::unbounded);
    EXPECT_TRUE(o.linearizable);
    EXPECT_LT(o.configurations, 1000u);
}

TEST(FifoChecker, SearchBudgetIsReported) {
    lin::history h;
    std::uint64_t v = 1;
    for (int i = 0; i < 5; ++i)
        for (int t = 0; t < 3; ++t) h.push_back(push(t, v++, 10 * i + t + 1, 10 * i + t + 5));
    std::uint64_t ts = 100;
    for (std::uint64_t i = v - 1; i >= 1; --i, ts += 2) h.push_back(pop(3, i, ts, ts + 1));
    const auto o = lin::check_fifo(h, lin::unbounded, 1000);
    EXPECT_FALSE(o.linearizable);
    EXPECT_TRUE(o.too_large);
}

TEST(FifoPerProducer, DetectsReorderAndLoss) {
    EXPECT_EQ(lin::check_fifo_per_producer({push(0, 1, 1, 2), push(0, 2, 3, 4), pop(1, 1, 5, 6), pop(1, 2, 7, 8)}, true), "");
    // Different producers may be reordered.
    EXPECT_EQ(lin::check_fifo_per_producer({push(0, 1, 1, 2), push(1, 2, 3, 4), pop(2, 2, 5, 6), pop(2, 1, 7, 8)}, true), "");
    EXPECT_NE(lin::check_fifo_per_producer({push(0, 1, 1, 2), push(0, 2, 3, 4), pop(1, 2, 5, 6), pop(1, 1, 7, 8)}, true), "");
    EXPECT_NE(lin::check_fifo_per_producer({push(0, 1, 1, 2), push(0, 2, 3, 4), pop(1, 2, 5, 6)}, true), "");
    EXPECT_NE(lin::check_fifo_per_producer({push(0, 1, 1, 2), pop(1, 1, 3, 4), pop(1, 1, 5, 6)}, true), "");
}

TEST(HistoryRecorder, LifoStandInIsCaught) {
    std::mt19937_64 rng(7);
    lin::history_recorder<lifo_stand_in> recorder(3);
    bool caught = false;
    for (int i = 0; i < 500 && !caught; ++i) {
        const auto h = recorder.run(lin::random_scenario(mpmc_unbounded, 0, rng), 0);
        caught = !lin::check_fifo(h, lin::unbounded).linearizable;
    }
    EXPECT_TRUE(caught);
}

TEST(HistoryRecorder, LockedFifoPasses) {
    std::mt19937_64 rng(7);
    lin::history_recorder<locked_fifo> recorder(3);
    for (int i = 0; i < 500; ++i) {
        const auto h = recorder.run(lin::random_scenario(mpmc_unbounded, 0, rng), 0);
        ASSERT_TRUE(lin::check_fifo(h, lin::unbounded).linearizable) << lin::describe(h);
    }
}

TEST(DequeChecker, PopTakesNewestStealOldest) {
    lin::history h{push(0, 1, 1, 2), push(0, 2, 3, 4), push(0, 3, 5, 6), pop(0, 3, 7, 8), steal(1, 1, 9, 10),
                   pop(0, 2, 11, 12), pop_empty(0, 13, 14)};
    EXPECT_TRUE(lin::check_deque(h, lin::unbounded).linearizable);
    EXPECT_FALSE(lin::check_deque({push(0, 1, 1, 2), push(0, 2, 3, 4), pop(0, 1, 5, 6)}, lin::unbounded).linearizable);
    EXPECT_FALSE(lin::check_deque({push(0, 1, 1, 2), push(0, 2, 3, 4), steal(1, 2, 5, 6)}, lin::unbounded).linearizable);
}

TEST(DequeChecker, EmptyStealOnlyOnEmptyAbortAnywhere) {
    EXPECT_FALSE(lin::check_deque({push(0, 1, 1, 2), steal_failed(1, 3, 4, false)}, lin::unbounded).linearizable);
    EXPECT_TRUE(lin::check_deque({push(0, 1, 1, 2), steal_failed(1, 3, 4, true), pop(0, 1, 5, 6)}, lin::unbounded)
                    .linearizable);
    // An empty steal overlapping the owner's pop of the last item may follow it.
    EXPECT_TRUE(lin::check_deque({push(0, 1, 1, 2), pop(0, 1, 3, 6), steal_failed(1, 4, 5, false)}, lin::unbounded)
                    .linearizable);
}

TEST(DequeChecker, DuplicateAndBoundAreCaught) {
    EXPECT_FALSE(lin::check_deque({push(0, 1, 1, 2), steal(1, 1, 3, 4), pop(0, 1, 5, 6)}, lin::unbounded).linearizable);
    EXPECT_FALSE(lin::check_deque({push(0, 1, 1, 2), push(0, 2, 3, 4)}, 1).linearizable);
    EXPECT_TRUE(lin::check_deque({push(0, 1, 1, 2), push(0, 2, 3, 4, false)}, 1).linearizable);
}

TEST(HistoryRecorder, DequeStealingNewestIsCaught) {
    std::mt19937_64 rng(7);
    lin::history_recorder<locked_deque<true>, lin::deque_calls> recorder(3);
    bool caught = false;
    for (int i = 0; i < 500 && !caught; ++i)
        caught = !lin::check_deque(recorder.run(lin::random_deque_scenario(false, 2, rng), 2), lin::unbounded)
                      .linearizable;
    EXPECT_TRUE(caught);
}

TEST(HistoryRecorder, LockedDequePasses) {
    std::mt19937_64 rng(7);
    lin::history_recorder<locked_deque<false>, lin::deque_calls> recorder(3);
    for (int i = 0; i < 500; ++i) {
        const auto h = recorder.run(lin::random_deque_scenario(false, 2, rng), 2);
        ASSERT_TRUE(lin::check_deque(h, lin::unbounded).linearizable) << lin::describe(h);
    }
}

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
