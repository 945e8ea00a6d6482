// Unit tests of the model-based queue property (queue_model_check.hpp): it
// must pass a correct queue and fail, with a shrunk counterexample, on
// deliberately broken stand-ins (no catalogue mutant breaks sequential
// behaviour, so these stand-ins are what shows the property can fail).
#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <vector>

#include "queue_model_check.hpp"

namespace {

using gauntlet::queue_model_check::check_against_model;

// Correct, unsynchronised FIFO with an exact bound.
class plain_bounded_fifo {
public:
    explicit plain_bounded_fifo(std::size_t capacity) : capacity_(capacity) {}
    bool try_push(std::uint64_t v) {
        if (items_.size() >= capacity_) return false;
        items_.push_back(v);
        return true;
    }
    bool try_pop(std::uint64_t& out) {
        if (items_.empty()) return false;
        out = items_.front();
        items_.pop_front();
        return true;
    }

private:
    std::size_t capacity_;
    std::deque<std::uint64_t> items_;
};

// Pops the newest item.
class lifo_stand_in {
public:
    explicit lifo_stand_in(std::size_t) {}
    bool try_push(std::uint64_t v) {
        items_.push_back(v);
        return true;
    }
    bool try_pop(std::uint64_t& out) {
        if (items_.empty()) return false;
        out = items_.back();
        items_.pop_back();
        return true;
    }

private:
    std::vector<std::uint64_t> items_;
};

// Reports full one item early (the classic "one slot wasted" ring).
class full_too_early : public plain_bounded_fifo {
public:
    explicit full_too_early(std::size_t capacity) : plain_bounded_fifo(capacity - 1) {}
};

// Silently drops every 7th item pushed.
class lossy_stand_in : public plain_bounded_fifo {
public:
    explicit lossy_stand_in(std::size_t capacity) : plain_bounded_fifo(capacity) {}
    bool try_push(std::uint64_t v) { return ++pushes_ % 7 == 0 ? true : plain_bounded_fifo::try_push(v); }

private:
    unsigned pushes_ = 0;
};

}  // namespace

TEST(QueueModelCheck, CorrectQueuePasses) {
    std::string report;
    EXPECT_TRUE(check_against_model<plain_bounded_fifo>("plain_bounded_fifo", true, report)) << report;
}

TEST(QueueModelCheck, LifoFails) {
    std::string report;
    EXPECT_FALSE(check_against_model<lifo_stand_in>("lifo", false, report));
    EXPECT_NE(report.find("Falsifiable"), std::string::npos) << report;
}

TEST(QueueModelCheck, EarlyFullFails) {
    std::string report;
    EXPECT_FALSE(check_against_model<full_too_early>("full_too_early", true, report));
    EXPECT_NE(report.find("fill"), std::string::npos) << report;
}

TEST(QueueModelCheck, LossFails) {
    std::string report;
    EXPECT_FALSE(check_against_model<lossy_stand_in>("lossy", true, report));
}

int main(int argc, char** argv) {
    setenv("RC_PARAMS", "seed=20240611 max_success=150", 0);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
